"""`/ws/console/v1/`: an operator's live connection, for every conversation they may see."""

from __future__ import annotations

import asyncio
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.utils.translation import gettext as _

from chats import groups
from chats.assignment import presence
from chats.audience import Scope
from chats.consumers import feed, revalidation
from chats.consumers.base import CLOSE_UNAUTHORIZED, Frame, FrameError, ProtocolConsumer, field
from chats.consumers.revalidation import Credentials
from chats.models import Conversation
from chats.serializers import message_data
from chats.services import assigning, conversations, reading
from helpdesk.db import db_call
from operators.models import Operator
from operators.selectors import operator_scope
from operators.services import operator_frame, token_authenticate

_pending_settles: set[asyncio.Task[None]] = set()


def settle_later(operator_id: int) -> None:
    """After the grace period, see whether the operator who closed a console is still around."""

    async def settle() -> None:
        await asyncio.sleep(settings.OPERATOR_AWAY_GRACE_SECONDS + 0.5)
        await db_call(presence.presence_settle, operator_id=operator_id)

    task = asyncio.get_running_loop().create_task(settle())
    _pending_settles.add(task)
    task.add_done_callback(_pending_settles.discard)


def _login_with_token(token: str) -> tuple[Operator, Credentials, Scope] | None:
    found = token_authenticate(token=token)
    if found is None:
        return None
    operator, api_token = found
    credentials = Credentials(operator.pk, api_token.pk, operator.credentials_version, None)
    return operator, credentials, operator_scope(operator=operator)


def _login_with_session(user: Any, session: Any) -> tuple[Operator, Credentials, Scope] | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    operator = Operator.objects.get(pk=user.pk)
    session_hash = session.get(HASH_SESSION_KEY) if session is not None else None
    session_key = session.session_key if session is not None else None
    credentials = Credentials(
        operator.pk, None, operator.credentials_version, session_hash, session_key
    )
    return operator, credentials, operator_scope(operator=operator)


def _message_send(
    operator: Operator,
    conversation_id: int,
    body: Any,
    client_id: Any,
    private: bool,
    attachment_ids: Any,
) -> dict[str, Any]:
    conversation = conversations.operator_may_use(
        operator=operator, conversation_id=conversation_id
    )
    message, _created = assigning.operator_message_send(
        operator=operator,
        conversation=conversation,
        body=body,
        client_id=client_id,
        private=private,
        attachment_ids=attachment_ids,
    )
    return message_data(message)


def _typing(operator: Operator, conversation_id: int, active: bool, private: bool) -> None:
    conversation = conversations.operator_may_use(
        operator=operator, conversation_id=conversation_id
    )
    reading.typing_by_operator(
        operator=operator, conversation=conversation, active=active, private=private
    )


def _read(operator: Operator, conversation_id: int, seq: int) -> None:
    conversation: Conversation = conversations.operator_may_use(
        operator=operator, conversation_id=conversation_id
    )
    reading.conversation_read_by_operator(conversation=conversation, seq=seq)


class ConsoleConsumer(ProtocolConsumer):
    frame_types = frozenset({"message", "typing", "read", "idle", "ping"})
    address_bucket = "console-ip"

    async def hello(self, frame: Frame) -> None:
        token = frame.get("token")
        if token is not None and not isinstance(token, str):
            raise FrameError("invalid_frame", _('The field "token" has the wrong type.'))
        idle = field(frame, "idle", bool, required=False) or False  # a console reconnecting idle
        if token:
            login = await db_call(_login_with_token, token)
        else:
            login = await db_call(
                _login_with_session, self.scope.get("user"), self.scope.get("session")
            )
        if login is None:
            await self.send_error("not_authenticated", _("The token is invalid or was revoked."))
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        self.operator, self.credentials, self.scope_rule = login
        self.access_changes = 0  # counts `access` events, so a slower re-read never undoes one
        if not self.scope_rule.has_any_access:
            await self.send_error("no_access", _("You have access to no inbox."))
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        self.rate_subject = f"op{self.operator.pk}"
        for group in groups.of_console_socket(self.operator.pk):
            await self.join(group)
        await self._follow_scope()
        status = await db_call(
            presence.presence_connected,
            operator_id=self.operator.pk,
            channel_name=self.channel_name,
            idle=idle,
        )
        self.operator.status = status or self.operator.status
        await self.send_frame({"type": "welcome", "operator": operator_frame(self.operator)})
        self.ready = True
        revalidation.watch(self)
        self.background.append(asyncio.create_task(self._heartbeat_forever()))

    async def _follow_scope(self) -> None:
        """Receive, through this process's console feed, the conversation events of exactly
        what the operator may see now."""
        await feed.follow(self, groups.of_scope(self.scope_rule))

    async def _heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(presence.HEARTBEAT_SECONDS)
            await db_call(presence.presence_heartbeat, channel_name=self.channel_name)

    async def disconnect(self, code: int) -> None:
        revalidation.forget(self)
        await feed.leave(self)
        await super().disconnect(code)
        if getattr(self, "ready", False):
            operator_id = self.operator.pk
            await db_call(
                presence.presence_disconnected,
                operator_id=operator_id,
                channel_name=self.channel_name,
            )
            settle_later(operator_id)

    async def revalidated(self, scope: Scope | None, changes_before: int) -> None:
        """The periodic re-check's verdict (`Revalidation`): closed, or the scope refreshed."""
        if self.closed:
            return
        if scope is None or not scope.has_any_access:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        if self.access_changes == changes_before:  # else it may predate the newer access
            self.scope_rule = scope
            await self._follow_scope()

    async def on_message(self, frame: Frame) -> None:
        client_id = frame.get("client_id")
        conversation_id = field(frame, "conversation", int)
        attachment_ids = field(frame, "attachments", list, required=False)
        body = field(frame, "body", str, required=not attachment_ids)
        private = field(frame, "private", bool, required=False) or False
        await self.check_message_rate(client_id)
        with feed.held(self):  # the ack first, then the frame of the message
            message = await db_call(
                _message_send,
                self.operator,
                conversation_id,
                body,
                client_id,
                private,
                attachment_ids,
            )
            await self.send_frame({"type": "ack", "client_id": client_id, "message": message})

    async def on_typing(self, frame: Frame) -> None:
        conversation_id = field(frame, "conversation", int)
        active = field(frame, "active", bool)
        private = field(frame, "private", bool, required=False) or False
        await db_call(_typing, self.operator, conversation_id, active, private)

    async def on_idle(self, frame: Frame) -> None:
        idle = field(frame, "idle", bool)
        await db_call(
            presence.presence_idle,
            operator_id=self.operator.pk,
            channel_name=self.channel_name,
            idle=idle,
        )

    async def on_read(self, frame: Frame) -> None:
        conversation_id = field(frame, "conversation", int)
        seq = field(frame, "seq", int)
        if seq < 0:
            raise FrameError("invalid_frame", _("seq must not be negative."))
        await db_call(_read, self.operator, conversation_id, seq)

    # --- channel layer events -----------------------------------------------------------------

    async def access(self, event: dict[str, Any]) -> None:
        self.scope_rule = Scope.from_dict(event["scope"])
        self.access_changes += 1
        if not self.scope_rule.has_any_access:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        await self._follow_scope()

    async def revoke(self, event: dict[str, Any]) -> None:
        if self.credentials.revoked_by(
            token_id=event.get("token_id"), session=event.get("session")
        ):
            await self.close(code=CLOSE_UNAUTHORIZED)
