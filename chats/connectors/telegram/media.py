"""What a Telegram message says, as a message of the helpdesk: its text (or caption), and its
media fetched with `getFile` and stored as attachments, checked like any upload.

A file the helpdesk does not keep (too large for the Bot API to hand out, of a type it refuses)
is named in the text instead, so nothing the contact sent goes unseen.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from aiogram import Bot
from aiogram.types import Message as TelegramMessageType
from django.utils.translation import gettext as _

from chats.connectors.telegram import client
from chats.models import TelegramBot, TelegramChat
from chats.services.attachments import attachment_store
from chats.services.authors import Author
from chats.services.contacts import contact_avatar_set
from helpdesk.errors import ServiceError

logger = logging.getLogger(__name__)

# The Bot API hands out files up to 20 MB (getFile).
BOT_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024


class FileUnavailable(Exception):
    """Telegram gave no path to download the file from (the update is tried again)."""


@dataclass(frozen=True, slots=True)
class Media:
    file_id: str
    name: str
    size: int | None


@dataclass
class Content:
    body: str
    attachment_ids: list[int] = field(default_factory=list)


def text_of(message: TelegramMessageType) -> str:
    return message.text or message.caption or ""


def _media_of(message: TelegramMessageType) -> Media | None:
    number = message.message_id
    if message.photo:
        largest = message.photo[-1]
        return Media(largest.file_id, f"photo-{number}.jpg", largest.file_size)
    for kind, default in (
        ("document", "document"),
        ("audio", f"audio-{number}.mp3"),
        ("video", f"video-{number}.mp4"),
        ("animation", f"animation-{number}.mp4"),
    ):
        item = getattr(message, kind)
        if item is not None:
            return Media(item.file_id, item.file_name or default, item.file_size)
    if message.voice:
        return Media(message.voice.file_id, f"voice-{number}.ogg", message.voice.file_size)
    if message.video_note:
        note = message.video_note
        return Media(note.file_id, f"video-note-{number}.mp4", note.file_size)
    if message.sticker:
        sticker = message.sticker
        extension = "webm" if sticker.is_video else "tgs" if sticker.is_animated else "webp"
        return Media(sticker.file_id, f"sticker-{number}.{extension}", sticker.file_size)
    return None


def _described(message: TelegramMessageType) -> str:
    """What a message without text or media says (a location, a shared contact)."""
    if message.location:
        lat, lon = message.location.latitude, message.location.longitude
        return (
            f"📍 {lat:.6f}, {lon:.6f}\n"
            f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=16/{lat:.6f}/{lon:.6f}"
        )
    if message.contact:
        shared = message.contact
        name = " ".join(part for part in (shared.first_name, shared.last_name) if part)
        return f"👤 {name} {shared.phone_number}".strip()
    if message.sticker and message.sticker.emoji:
        return message.sticker.emoji
    return ""


def _download(bot: TelegramBot, media: Media) -> bytes:
    async def fetch(api: Bot) -> bytes:
        found = await api.get_file(media.file_id)
        if not found.file_path:
            raise FileUnavailable(media.file_id)
        buffer = io.BytesIO()
        await api.download_file(found.file_path, destination=buffer)
        return buffer.getvalue()

    return client.call(bot.token, bot.api_url, fetch)


def content_of(bot: TelegramBot, message: TelegramMessageType, author: Author) -> Content:
    """The message's text and files. Telegram's failures to hand a file out raise (the update
    is tried again); a file the helpdesk refuses is named in the text."""
    text = text_of(message) or _described(message)
    media = _media_of(message)
    if media is None:
        return Content(body=text or _("(a Telegram message the helpdesk cannot show)"))
    if media.size is not None and media.size > BOT_API_DOWNLOAD_LIMIT:
        note = _("📎 %(name)s (not kept: larger than 20 MB)") % {"name": media.name}
        return Content(body="\n".join(part for part in (text, note) if part))
    data = _download(bot, media)
    try:
        stored = attachment_store(author=author, data=data, name=media.name)
    except ServiceError as refused:
        note = _("📎 %(name)s (not kept: %(reason)s)") % {
            "name": media.name,
            "reason": refused.message,
        }
        return Content(body="\n".join(part for part in (text, note) if part))
    return Content(body=text, attachment_ids=[stored.pk])


def avatar_fetch(chat: TelegramChat) -> None:
    """The Telegram user's current profile photo becomes their contact's avatar (kept when
    they have none, or hide it)."""
    bot = chat.bot

    async def fetch(api: Bot) -> bytes | None:
        photos = await api.get_user_profile_photos(chat.user_id, limit=1)
        if not photos.photos:
            return None
        largest = photos.photos[0][-1]
        found = await api.get_file(largest.file_id)
        if not found.file_path:
            return None
        buffer = io.BytesIO()
        await api.download_file(found.file_path, destination=buffer)
        return buffer.getvalue()

    data = client.call(bot.token, bot.api_url, fetch)
    if data is None:
        return
    try:
        picture = attachment_store(
            author=Author.of_contact(chat.contact), data=data, name=f"avatar-{chat.user_id}.jpg"
        )
    except ServiceError:
        logger.info("the profile photo of Telegram user %s is not an image", chat.user_id)
        return
    contact_avatar_set(contact=chat.contact, avatar=picture)
