"""After a resolve the bot asks the contact to rate the conversation with five buttons; the
tap (`callback_query`) becomes the conversation's rating, replacing an earlier one."""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from django.utils import translation
from django.utils.translation import gettext as _

from chats.connectors.telegram import client
from chats.models import Conversation, ConversationStatus, TelegramBot, TelegramChatKind
from chats.services.feedback import csat_record
from helpdesk.errors import ServiceError

logger = logging.getLogger(__name__)

PREFIX = "csat"


def _language(code: str | None) -> str:
    return "ru" if (code or "").lower().startswith(("ru", "uk", "be", "kk")) else "en"


def rating_ask(*, conversation_id: int) -> None:
    """Send the rating question to a private chat's resolved conversation (once per resolve:
    a task run twice may ask twice, which a tap answers the same)."""
    conversation = (
        Conversation.objects.select_related("telegram_chat__bot")
        .filter(pk=conversation_id, status=ConversationStatus.RESOLVED)
        .first()
    )
    chat = conversation.telegram_chat if conversation is not None else None
    if chat is None or chat.kind != TelegramChatKind.PRIVATE or chat.blocked:
        return
    with translation.override(_language(chat.language)):
        question = _("How did we do? Please rate this conversation.")
    buttons = [
        InlineKeyboardButton(text="⭐" * stars, callback_data=f"{PREFIX}:{conversation_id}:{stars}")
        for stars in range(1, 6)
    ]
    markup = InlineKeyboardMarkup(inline_keyboard=[buttons[:3], buttons[3:]])
    bot = chat.bot
    try:
        client.call(
            bot.token,
            bot.api_url,
            lambda api: api.send_message(chat.chat_id, question, reply_markup=markup),
        )
    except TelegramAPIError:
        logger.info("the rating question of conversation %s was not sent", conversation_id)


def rating_tapped(bot: TelegramBot, query: CallbackQuery) -> None:
    """A tap on a rating button: the conversation of this chat is rated, the buttons give way
    to a thank-you."""
    parts = (query.data or "").split(":")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1].isdigit() or parts[2] not in "12345":
        return
    conversation = Conversation.objects.filter(
        pk=int(parts[1]),
        telegram_chat__bot=bot,
        telegram_chat__user_id=query.from_user.id,
    ).first()
    language = _language(query.from_user.language_code)
    if conversation is None:
        return
    stars = int(parts[2])
    with translation.override(language):
        try:
            csat_record(conversation=conversation, rating=stars)
            answer = _("Thank you! You rated us %(stars)s out of 5.") % {"stars": stars}
        except ServiceError:
            answer = _("This conversation is open again: rate it once it is resolved.")
    try:
        client.call(
            bot.token,
            bot.api_url,
            lambda api: api.answer_callback_query(query.id, text=answer),
        )
        if query.message is not None and hasattr(query.message, "message_id"):
            message = query.message
            client.call(
                bot.token,
                bot.api_url,
                lambda api: api.edit_message_text(
                    answer, chat_id=message.chat.id, message_id=message.message_id
                ),
            )
    except TelegramAPIError:
        logger.info("the answer to a rating of conversation %s was not shown", conversation.pk)
