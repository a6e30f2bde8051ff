"""Background work of the chats domain. Tasks take ids and are safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from chats import selectors
from chats.services.attachments import attachments_unclaimed_delete
from chats.services.auto_resolve import conversation_auto_resolve

logger = logging.getLogger(__name__)

AUTO_RESOLVE_BATCH = 300


@shared_task(acks_late=True, ignore_result=True)
def auto_resolve_idle() -> list[int]:
    """Beat, every minute: resolve up to a batch of conversations idle past their inbox's
    `auto_resolve_after`, each in its own transaction (a failing one is logged and retried at
    the next run; the others go on). A full batch asks for another run at once."""
    candidates = selectors.conversation_ids_idle_past_auto_resolve(
        now=timezone.now(), limit=AUTO_RESOLVE_BATCH
    )
    resolved = []
    for conversation_id in candidates:
        try:
            if conversation_auto_resolve(conversation_id=conversation_id):
                resolved.append(conversation_id)
        except Exception:
            logger.exception("auto-resolve of conversation %s failed", conversation_id)
    if len(candidates) == AUTO_RESOLVE_BATCH and resolved:
        auto_resolve_idle.delay()
    return resolved


@shared_task(acks_late=True, ignore_result=True)
def delete_unclaimed_attachments() -> int:
    """Beat, hourly: uploads that no message claimed within `ATTACHMENT_UNCLAIMED_TTL` are
    deleted with their files (a thousand a run; the next run takes the rest)."""
    return attachments_unclaimed_delete()
