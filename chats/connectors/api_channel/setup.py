"""An `api` inbox: its token (shown once, kept as a hash) and its webhook (its secret shown
once), both made with the inbox; the webhook's URL checked against SSRF."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from chats.connectors.webhooks import registration, subscriptions
from chats.models import ApiInbox, Channel, Inbox, Webhook, WebhookEventName
from chats.services.inboxes import inbox_create
from helpdesk.ssrf import check_url

TOKEN_PREFIX = "hdk_"


@dataclass(frozen=True, slots=True)
class NewApiInbox:
    inbox: Inbox
    inbox_token: str
    webhook_secret: str | None  # None: no webhook (the system reads replies by polling)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_inbox_create(*, webhook_url: str | None, **fields: Any) -> NewApiInbox:
    if webhook_url is not None:
        check_url(webhook_url)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        inbox = inbox_create(channel=Channel.API, **fields)
        ApiInbox.objects.create(inbox=inbox, token_hash=token_digest(token))
        webhook = None if webhook_url is None else _webhook_create(inbox, webhook_url)
    subscriptions.forget()
    return NewApiInbox(
        inbox=inbox,
        inbox_token=token,
        webhook_secret=None if webhook is None else webhook.secret,
    )


def _webhook_create(inbox: Inbox, url: str) -> Webhook:
    return Webhook.objects.create(
        inbox=inbox,
        url=url,
        events=[WebhookEventName.MESSAGE_CREATED],
        secret=registration.new_secret(),
    )


def api_webhook_url_set(*, inbox: Inbox, webhook_url: str) -> str | None:
    """A new URL for the inbox's webhook; an inbox without one gets one: answers its new
    secret then (shown once), else None."""
    check_url(webhook_url)
    if Webhook.objects.filter(inbox=inbox).update(url=webhook_url):
        return None
    secret = _webhook_create(inbox, webhook_url).secret
    subscriptions.forget()
    return secret


def api_inbox_authenticate(*, token: str) -> Inbox | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    found = ApiInbox.objects.select_related("inbox").filter(token_hash=token_digest(token)).first()
    return None if found is None else found.inbox
