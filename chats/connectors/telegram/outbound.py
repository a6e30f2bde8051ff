"""Operators' replies out through the Bot API, in order per conversation, within Telegram's
limits (`pace`).

`deliver_next` sends the conversation's oldest pending reply and says when to come back: at
once for the next one (after the chat's pace), after Telegram's `retry_after` on a 429, or
never when nothing is left. A reply is its text (split at Telegram's 4,096 characters) and its
files, each part recorded as it goes (`TelegramMessage`), so a reply interrupted halfway goes
on from where it stopped instead of sending its first part twice. A reply becomes `sent` when
every part is out, `failed` (with Telegram's reason) on a refusal; a user who blocked the bot
fails every pending reply and marks their chat.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, ReplyParameters
from aiogram.types import Message as SentMessage
from django.db import transaction
from django.utils.translation import gettext as _

from chats.connectors.telegram import client, pace
from chats.models import (
    Attachment,
    AttachmentKind,
    Conversation,
    Delivery,
    Message,
    TelegramChat,
    TelegramChatKind,
    TelegramMessage,
)
from chats.services.contacts import telegram_chat_blocked_set
from chats.services.message_changes import message_delivery_set

logger = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
# Come back after this many seconds when another worker holds the conversation.
BUSY_WAIT = 1.0


class TransientFailure(Exception):
    """Telegram or the network failed in a way worth trying again (the task backs off)."""


@dataclass(frozen=True, slots=True)
class Part:
    text: str = ""
    attachment: Attachment | None = None


def parts_of(message: Message) -> list[Part]:
    """The Telegram messages a reply is sent as: one photo or document with the text as its
    caption when that fits, else the text (in pieces of 4,096 characters) and then each file."""
    files = list(Attachment.objects.filter(message=message).order_by("id"))
    body = message.body
    if len(files) == 1 and len(body) <= CAPTION_LIMIT:
        return [Part(text=body, attachment=files[0])]
    texts = [body[start : start + TEXT_LIMIT] for start in range(0, len(body), TEXT_LIMIT)]
    return [Part(text=text) for text in texts] + [Part(attachment=item) for item in files]


def _send(
    part: Part, chat_id: int, reply_to: int | None
) -> Callable[[Bot], Awaitable[SentMessage]]:
    reply = (
        ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        if reply_to is not None
        else None
    )
    item = part.attachment
    if item is None:
        return lambda bot: bot.send_message(chat_id, part.text, reply_parameters=reply)
    with item.file.open("rb") as handle:
        upload = BufferedInputFile(handle.read(), filename=item.name)
    caption = part.text or None
    if item.kind == AttachmentKind.IMAGE and item.content_type in PHOTO_TYPES:
        return lambda bot: bot.send_photo(chat_id, upload, caption=caption, reply_parameters=reply)
    return lambda bot: bot.send_document(chat_id, upload, caption=caption, reply_parameters=reply)


def _reply_target(chat: TelegramChat, conversation_id: int) -> int | None:
    """In a group, an answer replies to the contact's latest message there."""
    if chat.kind != TelegramChatKind.GROUP:
        return None
    return (
        TelegramMessage.objects.filter(
            message__conversation_id=conversation_id,
            message__author_kind="visitor",
            chat_id=chat.chat_id,
        )
        .order_by("-telegram_id")
        .values_list("telegram_id", flat=True)
        .first()
    )


def _fail_pending(conversation_id: int, reason: str) -> None:
    pending = Message.objects.filter(conversation_id=conversation_id, delivery=Delivery.PENDING)
    for message_id in pending.order_by("seq").values_list("id", flat=True):
        message_delivery_set(message_id=message_id, delivery=Delivery.FAILED, error=reason)


def fail_oldest_pending(conversation_id: int, reason: str) -> None:
    """Give up on the oldest pending reply (Telegram kept failing): the others go on."""
    oldest = (
        Message.objects.filter(conversation_id=conversation_id, delivery=Delivery.PENDING)
        .order_by("seq")
        .values_list("id", flat=True)
        .first()
    )
    if oldest is not None:
        message_delivery_set(message_id=oldest, delivery=Delivery.FAILED, error=reason)


def deliver_next(conversation_id: int) -> float | None:
    """Send the oldest pending reply of the conversation. Answers the seconds after which to
    call again, or None when nothing is left to send. Raises `TransientFailure` when Telegram
    or the network failed and the reply is still pending."""
    conversation = (
        Conversation.objects.select_related("telegram_chat__bot").filter(pk=conversation_id).first()
    )
    if conversation is None or conversation.telegram_chat_id is None:
        return None
    failure: TransientFailure | None = None
    with transaction.atomic():
        # One sender per chat: the others come back later rather than wait on the lock.
        chat = (
            TelegramChat.objects.select_for_update(skip_locked=True)
            .select_related("bot")
            .filter(pk=conversation.telegram_chat_id)
            .first()
        )
        if chat is None:
            return BUSY_WAIT
        message = (
            Message.objects.filter(conversation_id=conversation_id, delivery=Delivery.PENDING)
            .order_by("seq")
            .first()
        )
        if message is None:
            return None
        if chat.blocked:
            _fail_pending(conversation_id, _("The user blocked the bot."))
            return None
        try:
            return _send_parts(chat, message)
        except TransientFailure as caught:
            failure = caught  # the parts already out stay recorded: commit, then raise
    raise failure


def _send_parts(chat: TelegramChat, message: Message) -> float | None:
    bot = chat.bot
    done = TelegramMessage.objects.filter(message=message)
    sent_texts = done.filter(attachment__isnull=True).count()
    sent_files = set(done.exclude(attachment__isnull=True).values_list("attachment_id", flat=True))
    texts_seen = 0
    reply_to = _reply_target(chat, message.conversation_id)
    for part in parts_of(message):
        if part.attachment is None:
            texts_seen += 1
            if texts_seen <= sent_texts:
                continue
        elif part.attachment.pk in sent_files:
            continue
        wait = pace.take(bot.bot_id, chat.chat_id)
        if wait > 0:
            return wait
        try:
            sent = client.call(bot.token, bot.api_url, _send(part, chat.chat_id, reply_to))
        except TelegramRetryAfter as limited:
            return float(limited.retry_after)
        except TelegramForbiddenError as blocked:
            telegram_chat_blocked_set(chat=chat, blocked=True)
            _fail_pending(message.conversation_id, blocked.message)
            return None
        except (TelegramBadRequest, TelegramNotFound, TelegramUnauthorizedError) as refused:
            message_delivery_set(
                message_id=message.pk, delivery=Delivery.FAILED, error=refused.message
            )
            return 0.0
        except Exception as failure:  # network, Telegram's 5xx, a timeout: try again later
            raise TransientFailure(str(failure) or type(failure).__name__) from failure
        TelegramMessage.objects.create(
            message=message,
            bot=bot,
            chat_id=chat.chat_id,
            telegram_id=sent.message_id,
            attachment=part.attachment,
        )
        reply_to = None
    message_delivery_set(message_id=message.pk, delivery=Delivery.SENT)
    return 0.0
