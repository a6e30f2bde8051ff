"""`/ws/widget/v1/?inbox_key=KEY`: one visitor's live connection."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.utils.translation import gettext as _

from chats import groups, selectors
from chats.consumers import writer
from chats.consumers.base import (
    CLOSE_TOO_MANY_SOCKETS,
    CLOSE_UNAUTHORIZED,
    Frame,
    FrameError,
    ProtocolConsumer,
    field,
    header,
)
from chats.models import Conversation, Inbox, Visitor
from chats.serializers import message_data, visitor_conversation_data
from chats.services import inboxes, messages, reading, visitors
from chats.services.attachments import clean_attachment_ids
from chats.services.messages import message_body
from chats.validation import clean_client_id
from helpdesk.db import db_call
from helpdesk.ws_limits import visitor_sockets

REPLAY_PAGE = 200  # messages a replay holds in memory at once: one query's worth
RECENT_ACKS = 64


def _load_inbox(key: str) -> Inbox | None:
    return Inbox.objects.filter(inbox_key=key).first()


def _replay_start(
    visitor: Visitor, conversation_id: int | None, last_seq: int
) -> tuple[Conversation | None, int, dict[str, Any] | None]:
    """The conversation to replay, the `seq` to replay after, and the conversation's frame."""
    if conversation_id is not None:
        conversation = selectors.visitor_conversation(
            visitor=visitor, conversation_id=conversation_id
        )
        latest = selectors.visitor_current_conversation(visitor=visitor)
        if conversation is None or (latest is not None and latest.pk != conversation.pk):
            conversation, last_seq = latest, 0  # the client knew another conversation: send all
    else:
        conversation = selectors.visitor_current_conversation(visitor=visitor)
    if conversation is None:
        return None, last_seq, None
    return conversation, last_seq, visitor_conversation_data(conversation)


def _replay_page(conversation_id: int, after_seq: int) -> list[dict[str, Any]]:
    rows = selectors.message_list_after(
        conversation_id=conversation_id,
        after_seq=after_seq,
        include_private=False,
        limit=REPLAY_PAGE,
    )
    return [message_data(row) for row in rows]


class WidgetConsumer(ProtocolConsumer):
    frame_types = frozenset({"message", "typing", "read", "ping"})
    address_bucket = "ip"

    async def allow_connection(self) -> bool:
        self.visitor: Visitor | None = None
        self.slot: str | None = None  # the visitor whose socket count this socket is in
        self.conversation_id: int | None = None
        self.replayed_upto = 0
        self.recent_acks: list[int] = []
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        key = (query.get("inbox_key") or [""])[0]
        if not key or len(key) > 64:
            return False
        if not await self.address_allows_new_socket():
            return False
        inbox = await db_call(_load_inbox, key)
        if inbox is None:
            return False
        self.inbox = inbox
        return inboxes.inbox_allows_origin(inbox=inbox, origin=header(self.scope, b"origin"))

    async def hello(self, frame: Frame) -> None:
        token = frame.get("visitor_token")
        visitor = await db_call(
            visitors.visitor_authenticate, token=token if isinstance(token, str) else None
        )
        if visitor is None or visitor.inbox_id != self.inbox.pk:
            await self.send_error("not_authenticated", _("The visitor token is invalid."))
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        last_seq = field(frame, "last_seq", int, required=False) or 0
        wanted = field(frame, "conversation", int, required=False)
        if not self._count_socket_of(visitor):
            await self.send_error(
                "too_many_sockets",
                _("Too many open chat windows. Close one of them and try again."),
            )
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
            return
        self.visitor = visitor
        self.rate_subject = f"c{visitor.contact_id}"
        await self.join(groups.visitor(visitor.contact_id, visitor.inbox_id))
        conversation, after, conversation_frame = await db_call(
            _replay_start, visitor, wanted, max(0, last_seq)
        )
        self.conversation_id = conversation.pk if conversation else None
        await self.send_frame({"type": "welcome", "conversation": conversation_frame})
        self.replayed_upto = await self._replay(after)
        self.ready = True

    def _count_socket_of(self, visitor: Visitor) -> bool:
        """Count this socket among the visitor's, unless they hold as many as allowed."""
        key = str(visitor.pk)
        if self.slot is not None and self.slot != key:  # an earlier hello of another visitor
            visitor_sockets().release(self.slot, self)
        taken = visitor_sockets().take(key, self, settings.WS_MAX_SOCKETS_PER_VISITOR)
        self.slot = key if taken else None
        return taken

    async def _replay(self, after: int) -> int:
        """Send every message the visitor may see after `after`, a page at a time: each page
        is written (at the client's pace) before the next is read. Answers the last `seq` sent."""
        while self.conversation_id is not None and not self.closed:
            page = await db_call(_replay_page, self.conversation_id, after)
            for message in page:
                await self.send_frame({"type": "message", "message": message})
            if page:
                after = page[-1]["seq"]
            if len(page) < REPLAY_PAGE:
                break
        return after

    async def disconnect(self, code: int) -> None:
        slot = getattr(self, "slot", None)
        if slot is not None:
            visitor_sockets().release(slot, self)
        await super().disconnect(code)

    async def on_message(self, frame: Frame) -> None:
        assert self.visitor is not None
        client_id = frame.get("client_id")
        attachment_ids = clean_attachment_ids(field(frame, "attachments", list, required=False))
        body = field(frame, "body", str, required=not attachment_ids)
        await self.check_message_rate(client_id)
        # refused here, in this socket's language, rather than in a batch of other sockets'
        message_body(body, with_files=bool(attachment_ids))
        clean_client_id(client_id)
        if self.conversation_id is None or attachment_ids:
            # a first message opens the conversation (a few queries and commits), and files are
            # claimed: on its own, in parallel with others, rather than holding up a batch
            stored, _created = await db_call(
                messages.visitor_message_send,
                visitor=self.visitor,
                body=body,
                client_id=client_id,
                attachment_ids=attachment_ids,
            )
        else:
            # stored together with the other sends of this moment (group commit), acked after
            stored, _created = await writer.of_this_loop().send(self.visitor, body, client_id)
        if stored.conversation_id != self.conversation_id:
            self.conversation_id, self.replayed_upto = stored.conversation_id, 0
        self.recent_acks = [*self.recent_acks[-RECENT_ACKS:], stored.pk]
        message = message_data(stored)
        await self.send_frame({"type": "ack", "client_id": client_id, "message": message})

    async def _current_conversation(self) -> Conversation:
        assert self.visitor is not None
        if self.conversation_id is None:
            raise FrameError("no_conversation", _("There is no conversation yet."))
        return await db_call(
            visitors.visitor_may_use, visitor=self.visitor, conversation_id=self.conversation_id
        )

    async def on_typing(self, frame: Frame) -> None:
        active = field(frame, "active", bool)
        if self.conversation_id is None:
            return  # nothing to type into yet; the first message opens the conversation
        conversation = await self._current_conversation()
        assert self.visitor is not None
        await db_call(
            reading.typing_by_visitor,
            visitor=self.visitor,
            conversation=conversation,
            active=active,
        )

    async def on_read(self, frame: Frame) -> None:
        seq = field(frame, "seq", int)
        if seq < 0:
            raise FrameError("invalid_frame", _("seq must not be negative."))
        conversation = await self._current_conversation()
        assert self.visitor is not None
        await db_call(
            reading.conversation_read_by_visitor,
            visitor=self.visitor,
            conversation=conversation,
            seq=seq,
        )

    def should_relay(self, event: dict[str, Any]) -> bool:
        conversation_id = event.get("conversation")
        if conversation_id is not None and (self.conversation_id or 0) < conversation_id:
            # a newer conversation of this visitor (opened in another tab) becomes current
            self.conversation_id, self.replayed_upto = conversation_id, 0
        seq = event.get("seq")
        if (
            seq is not None
            and conversation_id == self.conversation_id
            and seq <= self.replayed_upto
        ):
            return False  # already sent by the replay
        # this socket already has its own message in the `ack`
        return event.get("message_id") not in self.recent_acks
