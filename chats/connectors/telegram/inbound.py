"""Updates from Telegram: stored once when they arrive (`update_receive`, from the webhook),
then turned into the helpdesk's facts by a Celery task (`update_process`).

- A private chat's message opens (or continues) the conversation with its Telegram user.
- With groups on, a message in a group that mentions the bot, replies to it, or comments on
  one of its channel's posts opens (or continues) a conversation per group and user.
- An edit changes the stored message; a tap on a rating button rates the conversation; the
  user blocking or unblocking the bot marks their chat.
- Anything else is ignored.

Processing an update twice does no harm: a message is found by its Telegram id before its
media are fetched, and stored with a `client_id` of its own.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from aiogram.types import CallbackQuery, ChatMemberUpdated, Update, User
from aiogram.types import Message as TelegramMessageType
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError

from chats.connectors.telegram import media, requests
from chats.connectors.telegram.ratings import rating_tapped
from chats.models import (
    Contact,
    Conversation,
    ConversationStatus,
    TelegramBot,
    TelegramChat,
    TelegramChatKind,
    TelegramMessage,
    TelegramUpdate,
)
from chats.services.authors import Author
from chats.services.contacts import telegram_chat_blocked_set
from chats.services.conversations import conversation_open
from chats.services.message_changes import message_edit_by_author
from chats.services.messages import message_create

logger = logging.getLogger(__name__)

GROUP_TYPES = ("group", "supergroup")


class OriginalNotYetStored(Exception):
    """An edit came before the message it edits was stored: the task tries again."""


def update_receive(*, bot: TelegramBot, payload: dict[str, Any]) -> bool:
    """Store an update as it came, once per `update_id`, and have it processed after the
    commit. Answers whether it was new."""
    try:
        with transaction.atomic():
            update = TelegramUpdate.objects.create(
                bot=bot, update_id=payload["update_id"], payload=payload
            )
            transaction.on_commit(lambda: requests.request_update_processing(update.pk))
    except IntegrityError:
        return False
    return True


def update_process(*, update_pk: int) -> None:
    """Turn a stored update into the helpdesk's facts, once."""
    row = TelegramUpdate.objects.select_related("bot__inbox").filter(pk=update_pk).first()
    if row is None or row.processed_at is not None:
        return
    try:
        update = Update.model_validate(row.payload)
    except ValidationError:
        logger.warning("Telegram update %s of bot %s is not valid: ignored", row.pk, row.bot_id)
    else:
        _handle(row.bot, update)
    TelegramUpdate.objects.filter(pk=row.pk).update(processed_at=timezone.now())


def _handle(bot: TelegramBot, update: Update) -> None:
    if update.message is not None:
        _message(bot, update.message)
    elif update.edited_message is not None:
        _edit(bot, update.edited_message)
    elif update.callback_query is not None:
        _callback(bot, update.callback_query)
    elif update.my_chat_member is not None:
        _membership(bot, update.my_chat_member)


# --- messages ---------------------------------------------------------------------------------


def _message(bot: TelegramBot, message: TelegramMessageType) -> None:
    user = message.from_user
    if user is None or user.is_bot:
        return
    if message.chat.type == "private":
        chat = chat_for(bot, chat_id=message.chat.id, user=user, kind=TelegramChatKind.PRIVATE)
    elif message.chat.type in GROUP_TYPES and bot.groups and addressed_to_bot(bot, message):
        chat = chat_for(
            bot,
            chat_id=message.chat.id,
            user=user,
            kind=TelegramChatKind.GROUP,
            title=message.chat.title or "",
        )
    else:
        return
    _store(bot, chat, message)


def addressed_to_bot(bot: TelegramBot, message: TelegramMessageType) -> bool:
    """A group message for the helpdesk: it mentions the bot, replies to it, or comments on a
    post of the bot's channel (a reply to the post's automatic forward)."""
    replied = message.reply_to_message
    if replied is not None:
        if replied.from_user is not None and replied.from_user.id == bot.bot_id:
            return True
        if (
            replied.is_automatic_forward
            and replied.sender_chat is not None
            and bot.channel_chat_id is not None
            and replied.sender_chat.id == bot.channel_chat_id
        ):
            return True
    text = media.text_of(message)
    for entity in message.entities or message.caption_entities or []:
        if entity.type == "mention":
            named = entity.extract_from(text).lstrip("@").lower()
            if named == bot.username.lower():
                return True
        if entity.type == "text_mention" and entity.user and entity.user.id == bot.bot_id:
            return True
    return False


def _name_of(user: User) -> str:
    return " ".join(part for part in (user.first_name, user.last_name) if part)[:200]


def chat_for(
    bot: TelegramBot, *, chat_id: int, user: User, kind: str, title: str = ""
) -> TelegramChat:
    """The chat (private, or a user in a group), with a contact made from the Telegram user
    the first time; a changed username or group title is kept up to date."""
    found = TelegramChat.objects.select_related("contact").filter(
        bot=bot, chat_id=chat_id, user_id=user.id
    )
    chat = found.first()
    if chat is None:
        try:
            with transaction.atomic():
                contact = Contact.objects.create(name=_name_of(user))
                chat = TelegramChat.objects.create(
                    bot=bot,
                    chat_id=chat_id,
                    user_id=user.id,
                    kind=kind,
                    contact=contact,
                    username=user.username or "",
                    title=title[:255],
                    language=(user.language_code or "")[:10],
                )
                made = chat.pk
                transaction.on_commit(lambda: requests.request_avatar(made))
        except IntegrityError:  # the same user's other update made it meanwhile
            chat = found.get()
    changed = {
        name: value
        for name, value in (
            ("username", user.username or ""),
            ("title", title[:255]),
            ("language", (user.language_code or "")[:10]),
        )
        if value and getattr(chat, name) != value
    }
    if changed:
        TelegramChat.objects.filter(pk=chat.pk).update(**changed)
        for name, value in changed.items():
            setattr(chat, name, value)
    return chat


def conversation_for(chat: TelegramChat) -> int:
    """The chat's open conversation, or a new one."""
    open_ones = (
        Conversation.objects.filter(telegram_chat=chat)
        .exclude(status=ConversationStatus.RESOLVED)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    found = open_ones.first()
    if found is not None:
        return found
    with transaction.atomic():
        TelegramChat.objects.select_for_update().filter(pk=chat.pk).first()
        return open_ones.first() or (
            conversation_open(inbox=chat.bot.inbox, contact=chat.contact, telegram_chat=chat).pk
        )


def _store(bot: TelegramBot, chat: TelegramChat, message: TelegramMessageType) -> None:
    if TelegramMessage.objects.filter(
        bot=bot, chat_id=chat.chat_id, telegram_id=message.message_id
    ).exists():
        return  # stored by an earlier run of this update
    if chat.blocked:  # they write again: they unblocked the bot
        telegram_chat_blocked_set(chat=chat, blocked=False)
    author = Author.of_contact(chat.contact)
    content = media.content_of(bot, message, author)
    stored, _created = message_create(
        conversation_id=conversation_for(chat),
        author=author,
        body=content.body,
        client_id=f"tg:{message.message_id}",
        attachment_ids=content.attachment_ids,
    )
    TelegramMessage.objects.get_or_create(
        bot=bot,
        chat_id=chat.chat_id,
        telegram_id=message.message_id,
        defaults={"message": stored},
    )


def _edit(bot: TelegramBot, edited: TelegramMessageType) -> None:
    if edited.from_user is None or edited.from_user.is_bot:
        return
    behind = (
        TelegramMessage.objects.filter(
            bot=bot, chat_id=edited.chat.id, telegram_id=edited.message_id
        )
        .values_list("message_id", flat=True)
        .first()
    )
    if behind is None:
        if edited.chat.type == "private":
            raise OriginalNotYetStored(edited.message_id)
        return  # a group message the helpdesk never took
    at = _moment(edited.edit_date)
    text = media.text_of(edited)
    if text:
        message_edit_by_author(message_id=behind, body=text, at=at)


def _moment(value: datetime | int | None) -> datetime:
    """A time as Telegram gave it (Unix seconds, or what aiogram made of them)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, int):
        return datetime.fromtimestamp(value, tz=UTC)
    return timezone.now()


# --- ratings and membership -------------------------------------------------------------------


def _callback(bot: TelegramBot, query: CallbackQuery) -> None:
    rating_tapped(bot, query)


def _membership(bot: TelegramBot, change: ChatMemberUpdated) -> None:
    if change.chat.type != "private":
        return
    status = change.new_chat_member.status
    blocked = status in ("kicked", "left")
    chat = TelegramChat.objects.filter(
        bot=bot, chat_id=change.chat.id, user_id=change.from_user.id
    ).first()
    if chat is not None and chat.blocked != blocked:
        telegram_chat_blocked_set(chat=chat, blocked=blocked)
