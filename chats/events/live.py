"""Every frame the product streams, with its payload and its recipients, in one place.

The live listener (`chats.events.live_listener`) builds these, for the domain events it hears
after the commit, and publishes them in one round trip to Redis; typing, which stores nothing
and is no fact, is streamed directly. Each published event carries its frame already encoded,
so fan-out does no work per socket, and its audience, so each process's console feed
(`chats.consumers.feed`) writes it only to the sockets whose operator may see it. What a
visitor may hear is `DomainEvent.reaches_visitor`: private notes never reach the widget.
"""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.utils import translation

from chats import broadcast, groups
from chats.audience import Audience, Scope
from chats.events.domain import MessageChanged, MessageCreated, audience_of
from chats.models import Conversation
from chats.serializers import conversation_data, message_data, visitor_conversation_data

P = ParamSpec("P")
R = TypeVar("R")


def in_default_language(build: Callable[P, R]) -> Callable[P, R]:
    """Frames go to many readers: their fallback words (such as "Visitor") are built in the
    default language, not in whichever language the sender's request happened to use."""

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return build(*args, **kwargs)

    return wrapper


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


Event = dict[str, Any]


def _console_events(
    frame: dict[str, Any] | str, audiences: list[Audience], *, unless: Audience | None = None
) -> list[tuple[str, Event]]:
    """To the console sockets whose operator may see one of `audiences` and, with `unless`,
    may not see that one (`chats.consumers.feed`)."""
    names = groups.of_audiences(audiences)
    event = {
        "type": "relay",
        "frame": frame if isinstance(frame, str) else encode(frame),
        "audiences": [a.as_dict() for a in audiences],
        "unless": [unless.as_dict()] if unless is not None else [],
        # a process's console feed gets a copy per group it follows: it keeps the first (by
        # id) and hands it to its sockets of any of the groups
        "eid": secrets.token_hex(8),
        "groups": names,
    }
    return [(group, event) for group in names]


def _visitor_event(
    conversation: Conversation,
    frame: dict[str, Any] | str,
    *,
    seq: int | None = None,
    message_id: int | None = None,
) -> tuple[str, dict[str, Any]]:
    return (
        groups.visitor(conversation.contact_id, conversation.inbox_id),
        {
            "type": "relay",
            "frame": frame if isinstance(frame, str) else encode(frame),
            "conversation": conversation.pk,
            "seq": seq,
            "message_id": message_id,
        },
    )


def _to_console(frame: dict[str, Any], audiences: list[Audience]) -> None:
    broadcast.publish_batch(_console_events(frame, audiences))


def _to_visitor(
    conversation: Conversation,
    frame: dict[str, Any],
    *,
    seq: int | None = None,
    message_id: int | None = None,
) -> None:
    broadcast.publish_batch([_visitor_event(conversation, frame, seq=seq, message_id=message_id)])


def _message_events(event: MessageCreated) -> list[tuple[str, Event]]:
    message, conversation = event.message, event.conversation
    frame = encode({"type": "message", "message": message_data(message)})
    batch = _console_events(frame, [audience_of(conversation)])
    if event.reaches_visitor:
        batch.append(_visitor_event(conversation, frame, seq=message.seq, message_id=message.pk))
    return batch


@in_default_language
def messages_events(created: Sequence[MessageCreated]) -> list[tuple[str, Event]]:
    """To the consoles that may see each message and, unless it is a private note, to its
    visitor: one encoding of each frame, all in the list's order."""
    return [published for event in created for published in _message_events(event)]


@in_default_language
def message_changed_events(event: MessageChanged) -> list[tuple[str, Event]]:
    """A changed message to the consoles that may see it, as a `message` frame with its `id`
    and `seq` (the console replaces what it holds). Changes happen in channels, never to a
    widget's messages, so no visitor is told."""
    frame = {"type": "message", "message": message_data(event.message)}
    return _console_events(frame, [audience_of(event.conversation)])


# What the operators who just lost a conversation see of it: where it went, not what happened
# in it since (a hand-off note written with the transfer, the new team's queue).
DEPARTED_FIELDS = ("id", "inbox", "status", "priority", "assignee", "team", "contact", "created_at")


@in_default_language
def conversation_events(
    conversation: Conversation, *, previous: Audience | None = None, to_visitor: bool = True
) -> list[tuple[str, Event]]:
    """`conversation` must come from `selectors.conversation_base()` (queue position, labels).
    The operators who may see it get the whole object; those who saw it before (`previous`) and
    may see it no longer get its `DEPARTED_FIELDS`; its visitor, unless the change is one of the
    team's own (`to_visitor=False`: labels, priority, the contact's fields), their view of it."""
    current = audience_of(conversation)
    data = conversation_data(conversation)
    batch = _console_events({"type": "conversation", "conversation": data}, [current])
    if previous is not None and previous != current:
        departed = {name: data[name] for name in DEPARTED_FIELDS}
        batch += _console_events(
            {"type": "conversation", "conversation": departed}, [previous], unless=current
        )
    if to_visitor:
        frame = {"type": "conversation", "conversation": visitor_conversation_data(conversation)}
        batch.append(_visitor_event(conversation, frame))
    return batch


@in_default_language
def visitor_typing(conversation: Conversation, *, name: str, active: bool) -> None:
    frame = {
        "type": "typing",
        "conversation": conversation.pk,
        "author": {"kind": "visitor", "name": name},
        "active": active,
    }
    _to_console(frame, [audience_of(conversation)])


@in_default_language
def operator_typing(
    conversation: Conversation, *, operator_id: int, name: str, active: bool, private: bool
) -> None:
    author = {"kind": "operator", "id": operator_id, "name": name}
    _to_console(
        {"type": "typing", "conversation": conversation.pk, "author": author, "active": active},
        [audience_of(conversation)],
    )
    if not private:
        _to_visitor(
            conversation,
            {"type": "typing", "author": {"kind": "operator", "name": name}, "active": active},
        )


@in_default_language
def visitor_read_events(
    conversation: Conversation, *, seq: int, name: str
) -> list[tuple[str, Event]]:
    frame = {
        "type": "read",
        "conversation": conversation.pk,
        "seq": seq,
        "author": {"kind": "visitor", "name": name},
    }
    return _console_events(frame, [audience_of(conversation)])


@in_default_language
def operator_read_events(conversation: Conversation, *, seq: int) -> list[tuple[str, Event]]:
    """`conversation` from `selectors.conversation_base()`: the consoles get it whole, with its
    new `agent_read_seq`; the visitor only the mark."""
    batch = _console_events(
        {"type": "conversation", "conversation": conversation_data(conversation)},
        [audience_of(conversation)],
    )
    batch.append(_visitor_event(conversation, {"type": "read", "seq": seq}))
    return batch


def operator_status_events(operator_frame: dict[str, Any]) -> list[tuple[str, Event]]:
    frame = encode({"type": "operator", "operator": operator_frame})
    return [(groups.CONSOLE, {"type": "relay", "frame": frame})]


def operator_access_events(operator_id: int, scope: Scope) -> list[tuple[str, Event]]:
    return [(groups.operator(operator_id), {"type": "access", "scope": scope.as_dict()})]


def operator_revoke_events(
    operator_id: int, *, token_id: int | None = None, session: str | None = None
) -> list[tuple[str, Event]]:
    """Close the operator's sockets: all of them, or those opened with one token, or with one
    login session (named by `operators.services.session_digest`, never by its key)."""
    revoke = {"type": "revoke", "token_id": token_id, "session": session}
    return [(groups.operator(operator_id), revoke)]


def notification_events(operator_id: int, notification: dict[str, Any]) -> list[tuple[str, Event]]:
    """To the one operator it is for, on all their console sockets (`operator.<id>`): the
    consumers' `relay` handler sends the pre-encoded frame as it is."""
    frame = encode({"type": "notification", "notification": notification})
    return [(groups.operator(operator_id), {"type": "relay", "frame": frame})]
