"""The two reference consumers the product is measured against, on the product's own stack.

`uvicorn bench.echo_app:application` runs with the product's settings (the same database and
the same channel layer, from the same environment) and serves, besides the product's HTTP
routes (so `/healthz` answers):

- `/ws/bench/bare/?team=T&role=visitor|console`: a bare Channels fan-out echo. A console joins
  the group `bench-team-T`; a visitor's text frame `{"client_id", "body", "team"}` is
  `group_send`-ed to its team's group, relayed verbatim to the consoles, and the visitor gets
  `{"type": "ack", "client_id"}`. The ceiling: no database, no filtering, one hop.
- `/ws/bench/naive/?team=T&role=visitor|console`: the naive persisted echo. The same, but the
  consumer first saves the message through the ORM with `database_sync_to_async` (Channels'
  default: one thread per process), then `group_send`s it, then acks.

Neither is product code: they exist only to give the product's figures a ceiling and a floor.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import parse_qs

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
django_asgi_app = get_asgi_application()

from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402

from chats.models import AuthorKind, Contact, Conversation, Inbox, Message  # noqa: E402


def team_group(team: str) -> str:
    return f"bench-team-{team}"


class BareEchoConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.team = (query.get("team") or ["0"])[0]
        self.role = (query.get("role") or ["visitor"])[0]
        self.joined: str | None = None
        if self.role == "console":
            self.joined = team_group(self.team)
            await self.channel_layer.group_add(self.joined, self.channel_name)
        await self.accept()
        await self.opened()

    async def opened(self) -> None:
        """Per-connection set-up of subclasses."""

    async def disconnect(self, code: int) -> None:
        if self.joined is not None:
            await self.channel_layer.group_discard(self.joined, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.role != "visitor" or text_data is None:
            return
        frame = json.loads(text_data)
        await self.persist(frame)
        team = str(frame.get("team", self.team))
        await self.channel_layer.group_send(
            team_group(team), {"type": "bench.relay", "text": text_data}
        )
        await self.send(text_data=json.dumps({"type": "ack", "client_id": frame["client_id"]}))

    async def persist(self, frame: dict[str, Any]) -> None:
        """The bare echo stores nothing."""

    async def bench_relay(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])

    async def layer_reconnected(self, event: dict[str, Any]) -> None:
        """The product's channel layer says its Redis link was renewed (events may be lost in
        between): the echo has no resume, so it only goes on; the benchmark counts the loss."""


def _open_conversation(team_id: int) -> tuple[int, int]:
    inbox = Inbox.objects.filter(team_id=team_id).order_by("id").first()
    if inbox is None:
        raise LookupError(f"no inbox for team {team_id}: seed the bench database first")
    contact = Contact.objects.create(name="bench naive visitor")
    conversation = Conversation.objects.create(inbox=inbox, contact=contact, team_id=team_id)
    return conversation.pk, contact.pk


def _save(conversation_id: int, contact_id: int, body: str, client_id: str) -> int:
    """The plain ORM way: bump the conversation's seq, read it back, insert the message."""
    now = timezone.now()
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation_id).update(
            last_seq=F("last_seq") + 1, last_activity_at=now
        )
        seq = Conversation.objects.values_list("last_seq", flat=True).get(pk=conversation_id)
        message = Message.objects.create(
            conversation_id=conversation_id,
            seq=seq,
            author_kind=AuthorKind.VISITOR,
            author_contact_id=contact_id,
            sender_key=f"c{contact_id}",
            body=body,
            client_id=client_id,
            created_at=now,
        )
    return message.pk


class NaiveEchoConsumer(BareEchoConsumer):
    async def opened(self) -> None:
        self.conversation: tuple[int, int] | None = None
        if self.role == "visitor":
            self.conversation = await database_sync_to_async(_open_conversation)(int(self.team))

    async def persist(self, frame: dict[str, Any]) -> None:
        assert self.conversation is not None
        conversation_id, contact_id = self.conversation
        await database_sync_to_async(_save)(
            conversation_id, contact_id, frame["body"], frame["client_id"]
        )


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter(
            [
                path("ws/bench/bare/", BareEchoConsumer.as_asgi()),
                path("ws/bench/naive/", NaiveEchoConsumer.as_asgi()),
            ]
        ),
    }
)
