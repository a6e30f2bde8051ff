"""The email connector's background work. Tasks take ids and are safe to run twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.app.task import Task
from django.utils import timezone

from chats.connectors.email import continuity, inbound, mailbox, outbound
from chats.models import Channel, Delivery, EmailAccount, Message

logger = logging.getLogger(__name__)

DELIVERY_RETRIES = 8  # 2, 4, ... 256 s: about eight minutes, then the reply is failed


@shared_task(acks_late=True, ignore_result=True)
def poll(account_id: int) -> None:
    inbound.mailbox_poll(account_id=account_id)


@shared_task(acks_late=True, ignore_result=True)
def poll_all() -> None:
    """Beat: every mailbox read (each by one worker at a time), and replies left pending
    by a lost task sent."""
    for account_id in EmailAccount.objects.values_list("pk", flat=True):
        poll.delay(account_id)
    stale = timezone.now() - timedelta(minutes=1)
    pending = (
        Message.objects.filter(
            delivery=Delivery.PENDING,
            created_at__lt=stale,
            conversation__inbox__channel=Channel.EMAIL,
        )
        .values_list("conversation_id", flat=True)
        .distinct()[:500]
    )
    for conversation_id in pending:
        deliver.delay(conversation_id)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=DELIVERY_RETRIES)
def deliver(self: Task, conversation_id: int) -> None:
    """Send the conversation's pending replies in order."""
    try:
        while outbound.deliver_next(conversation_id):
            pass
    except outbound.TransientFailure as failure:
        if self.request.retries >= DELIVERY_RETRIES or self.request.is_eager:
            outbound.fail_oldest_pending(conversation_id, str(failure))
            return
        raise self.retry(countdown=2 ** (self.request.retries + 1), exc=failure) from failure


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=5)
def email_unread_replies(self: Task, conversation_id: int) -> None:
    try:
        continuity.replies_email(conversation_id=conversation_id)
    except mailbox.MAIL_ERRORS as failure:
        logger.warning("emailing the replies of %s failed: %s", conversation_id, failure)
        raise self.retry(countdown=60, exc=failure) from failure
