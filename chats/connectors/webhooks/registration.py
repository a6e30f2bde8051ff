"""Outbound webhooks: admins register them; a delivery may be sent again by hand.

A URL is checked against SSRF when registered or changed (`helpdesk.ssrf`) and again by the
sender at every connection. The secret that signs deliveries is made here and shown to admins.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chats.connectors.webhooks import requests, subscriptions
from chats.connectors.webhooks.fan_out import GIVE_UP_AFTER
from chats.models import DeliveryState, Webhook, WebhookDelivery, WebhookEventName
from helpdesk.errors import Conflict, ServiceError
from helpdesk.ssrf import check_url
from operators.models import Operator


def _events_cleaned(events: Sequence[Any]) -> list[str]:
    unknown = [event for event in events if event not in WebhookEventName.values]
    if unknown:
        raise ServiceError(
            "invalid_events", _("Unknown event: %(event)s") % {"event": str(unknown[0])[:60]}
        )
    if not events:
        raise ServiceError("invalid_events", _("Choose at least one event."))
    return sorted(set(events))


def new_secret() -> str:
    return secrets.token_hex(32)


def webhook_create(
    *, actor: Operator | None, url: str, events: Sequence[str], include_private: bool = False
) -> Webhook:
    check_url(url)
    webhook = Webhook.objects.create(
        url=url,
        events=_events_cleaned(events),
        include_private=include_private,
        secret=new_secret(),
        created_by=actor,
    )
    subscriptions.forget()
    return webhook


WEBHOOK_EDITABLE_FIELDS = ("url", "events", "include_private")


def webhook_update(*, webhook: Webhook, changes: dict[str, Any]) -> Webhook:
    if webhook.inbox_id is not None:
        raise Conflict("api_inbox_webhook", _("An API inbox's webhook is changed with its inbox."))
    for field in changes:
        if field not in WEBHOOK_EDITABLE_FIELDS:
            raise ServiceError("invalid", _("Unknown field: %(field)s") % {"field": field})
    if "url" in changes:
        check_url(changes["url"])
    if "events" in changes:
        changes = {**changes, "events": _events_cleaned(changes["events"])}
    for field, value in changes.items():
        setattr(webhook, field, value)
    if changes:
        webhook.save(update_fields=list(changes))
    subscriptions.forget()
    return webhook


def webhook_secret_rotate(*, webhook: Webhook) -> Webhook:
    webhook.secret = new_secret()
    webhook.save(update_fields=["secret"])
    return webhook


def webhook_delete(*, webhook: Webhook) -> None:
    if webhook.inbox_id is not None:
        raise Conflict("api_inbox_webhook", _("An API inbox's webhook goes with its inbox."))
    webhook.delete()
    subscriptions.forget()


def delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (the console's "send again"), with the same id: at once, or,
    while older deliveries of its conversation wait, after them. One already waiting for its
    next try is simply tried now. An endpoint paused for its failures is probed now (an
    admin asked), one delivery at a time until it answers."""
    now = timezone.now()
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.claimed_until is not None and locked.claimed_until > now:
            raise Conflict("delivery_in_flight", _("This delivery is being sent right now."))
        locked.state = DeliveryState.PENDING
        locked.next_attempt_at = now
        locked.expires_at = now + GIVE_UP_AFTER  # a day of retries again
        locked.save(update_fields=["state", "next_attempt_at", "expires_at"])
        Webhook.objects.filter(pk=locked.webhook_id, paused_until__gt=now).update(paused_until=now)
    requests.request_delivery()
    return locked
