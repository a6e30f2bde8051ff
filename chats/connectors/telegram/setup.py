"""A Telegram inbox: the bot's token checked with `getMe`, its webhook registered with a random
secret, its channel (for posts) found with `getChat` and checked with `getChatMember`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from aiogram.types import User
from aiogram.utils.token import TokenValidationError
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from chats.connectors.telegram import client
from chats.models import Channel, Inbox, TelegramBot
from chats.models.telegram import TELEGRAM_API_URL
from chats.services.inboxes import inbox_create
from helpdesk.errors import ServiceError

# The updates the helpdesk handles; Telegram sends nothing else.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    bot_token: str
    api_url: str = TELEGRAM_API_URL
    groups: bool = False
    channel: str = ""


def webhook_url(inbox_id: int) -> str:
    return f"{settings.PUBLIC_URL}/channels/telegram/{inbox_id}/webhook"


def unreachable(error: Exception) -> ServiceError:
    return ServiceError(
        "telegram_unreachable",
        _("Telegram did not answer: %(reason)s") % {"reason": error},
        status=502,
    )


def _me(options: TelegramSettings) -> User:
    try:
        return client.call(options.bot_token, options.api_url, lambda bot: bot.get_me())
    except (
        TokenValidationError,
        TelegramUnauthorizedError,
        TelegramNotFound,
        TelegramBadRequest,
    ) as refused:
        raise ServiceError(
            "telegram_token_invalid", _("Telegram does not know this bot token.")
        ) from refused
    except (TelegramAPIError, OSError, TimeoutError) as error:
        raise unreachable(error) from error


def _channel_id(options: TelegramSettings, bot_id: int) -> int | None:
    """The channel's chat id, once it is known that the bot may post there."""
    if not options.channel:
        return None
    name: Any = options.channel
    if name.lstrip("-").isdigit():
        name = int(name)
    try:
        chat = client.call(options.bot_token, options.api_url, lambda bot: bot.get_chat(name))
        member = client.call(
            options.bot_token,
            options.api_url,
            lambda bot: bot.get_chat_member(chat.id, bot_id),
        )
    except (TelegramBadRequest, TelegramForbiddenError, TelegramNotFound) as refused:
        raise ServiceError(
            "telegram_channel_invalid",
            _("The bot cannot see the channel %(channel)s.") % {"channel": options.channel},
        ) from refused
    except (TelegramAPIError, OSError, TimeoutError) as error:
        raise unreachable(error) from error
    if chat.type != "channel" or not getattr(member, "can_post_messages", False):
        raise ServiceError(
            "telegram_channel_invalid",
            _("Make the bot an administrator of %(channel)s who may post messages.")
            % {"channel": options.channel},
        )
    return chat.id


def set_webhook(bot: TelegramBot) -> None:
    try:
        client.call(
            bot.token,
            bot.api_url,
            lambda api: api.set_webhook(
                url=webhook_url(bot.inbox_id),
                secret_token=bot.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            ),
        )
    except (TelegramBadRequest, TelegramUnauthorizedError, TelegramForbiddenError) as refused:
        raise ServiceError(
            "telegram_webhook_refused",
            _("Telegram refused the webhook %(url)s: %(reason)s")
            % {"url": webhook_url(bot.inbox_id), "reason": refused.message},
        ) from refused
    except (TelegramAPIError, OSError, TimeoutError) as error:
        raise unreachable(error) from error


def telegram_inbox_create(*, telegram: TelegramSettings, **inbox: Any) -> Inbox:
    """Create a Telegram inbox: the token is checked, the webhook registered (at `PUBLIC_URL`),
    or nothing is created."""
    if not settings.PUBLIC_URL.startswith("https://"):
        raise ServiceError(
            "public_url_required",
            _("Set PUBLIC_URL to the helpdesk's https address: Telegram sends updates there."),
        )
    me = _me(telegram)
    channel_chat_id = _channel_id(telegram, me.id)
    with transaction.atomic():
        created = inbox_create(channel=Channel.TELEGRAM, **inbox)
        bot = TelegramBot.objects.create(
            inbox=created,
            token=telegram.bot_token,
            api_url=telegram.api_url,
            bot_id=me.id,
            username=me.username or "",
            webhook_secret=secrets.token_urlsafe(32),
            groups=telegram.groups,
            channel=telegram.channel,
            channel_chat_id=channel_chat_id,
        )
        set_webhook(bot)  # refused: nothing is kept
    return created


def telegram_settings_update(*, inbox: Inbox, changes: dict[str, Any]) -> TelegramBot:
    """An admin turns groups on or off, or names the channel for posts."""
    bot = TelegramBot.objects.get(inbox=inbox)
    if "groups" in changes:
        bot.groups = bool(changes["groups"])
    if "channel" in changes:
        bot.channel = changes["channel"] or ""
        bot.channel_chat_id = _channel_id(
            TelegramSettings(bot.token, bot.api_url, channel=bot.channel), bot.bot_id
        )
    bot.save(update_fields=["groups", "channel", "channel_chat_id"])
    return bot
