"""What the webhooks want, known to every process without a query per event.

The summary is read from the database at most every `WEBHOOK_SUBSCRIPTIONS_TTL` seconds per
process (and at once after a change made in this process), so a webhook registered in another
process hears the facts committed a moment after its registration. On the event loop a stale
summary is refreshed by `arefresh` (in a database thread) before the group commit asks; until a
first summary is known there, every fact counts as wanted, which only costs the slower path.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from django.conf import settings

from chats.models import Webhook, WebhookEventName
from helpdesk.db import db_call


@dataclass(frozen=True, slots=True)
class Subscriptions:
    names: frozenset[str]  # the events some admin's webhook takes
    private: bool  # some admin's webhook takes private notes
    api_inboxes: frozenset[int]  # API inboxes whose webhook hears the operators' replies

    def takes(
        self,
        name: str,
        *,
        inbox_id: int | None,
        private: bool = False,
        operator_reply: bool = False,
    ) -> bool:
        """Does some webhook take this fact? (`inbox_id` None: any inbox.)"""
        if name in self.names and (self.private or not private):
            return True
        if name != WebhookEventName.MESSAGE_CREATED or not operator_reply:
            return False
        return bool(self.api_inboxes) if inbox_id is None else inbox_id in self.api_inboxes

    @property
    def any(self) -> bool:
        return bool(self.names or self.api_inboxes)


EVERYTHING = Subscriptions(
    names=frozenset(WebhookEventName.values), private=True, api_inboxes=frozenset()
)
_known: tuple[float, Subscriptions] | None = None


def _load() -> Subscriptions:
    names: set[str] = set()
    private = False
    api_inboxes: set[int] = set()
    for inbox_id, events, include_private in Webhook.objects.values_list(
        "inbox_id", "events", "include_private"
    ):
        if inbox_id is not None:
            api_inboxes.add(inbox_id)
            continue
        names.update(events)
        private = private or include_private
    return Subscriptions(
        names=frozenset(names), private=private, api_inboxes=frozenset(api_inboxes)
    )


def _fresh() -> bool:
    return _known is not None and time.monotonic() - _known[0] < settings.WEBHOOK_SUBSCRIPTIONS_TTL


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def current() -> Subscriptions:
    global _known
    if _fresh() and _known is not None:
        return _known[1]
    if _in_event_loop():  # no query here: the last summary, or everything if none yet
        return _known[1] if _known is not None else EVERYTHING
    _known = (time.monotonic(), _load())
    return _known[1]


async def arefresh() -> None:
    global _known
    if not _fresh():
        _known = (time.monotonic(), await db_call(_load))


def forget() -> None:
    """A webhook changed in this process: read the summary again at the next fact."""
    global _known
    _known = None
