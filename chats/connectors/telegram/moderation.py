"""A contact's message hidden by an operator is deleted from its group (`deleteMessage`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError

from chats.connectors.telegram import client
from chats.models import TelegramMessage


class TransientFailure(Exception):
    """Telegram or the network failed: the deletion is tried again."""


def _deletion(chat_id: int, telegram_id: int) -> Callable[[Bot], Awaitable[bool]]:
    return lambda api: api.delete_message(chat_id, telegram_id)


def delete_in_telegram(*, message_id: int) -> None:
    """Delete every Telegram message behind a hidden message. One already gone, or too old for
    the bot to delete, stays as it is (the helpdesk shows it hidden either way)."""
    for part in TelegramMessage.objects.select_related("bot").filter(message_id=message_id):
        bot = part.bot
        try:
            client.call(bot.token, bot.api_url, _deletion(part.chat_id, part.telegram_id))
        except (TelegramBadRequest, TelegramForbiddenError):
            continue
        except (TelegramAPIError, OSError, TimeoutError) as failure:
            raise TransientFailure(str(failure)) from failure
