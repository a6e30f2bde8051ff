"""Posts for a Telegram inbox's channel: drafted, scheduled, published once, edited, deleted.

Publishing is a claim, then a send: a post leaves `scheduled` for `publishing` in one UPDATE
(only one worker or beat wins it), `sending_since` is committed just before the Bot API is
called, and the answer makes it `published` (or `failed` with Telegram's reason). A post found
`publishing` after a worker died goes back to `scheduled` when the call had not started, and is
never sent twice: one whose call had started may be in the channel already, so it is `failed`
with a reason that says to look there first.

The text uses Telegram's HTML formatting (`parse_mode=HTML`): the tags Telegram accepts, and
nothing else, are allowed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chats.connectors.telegram import client
from chats.connectors.telegram.setup import unreachable
from chats.models import Attachment, AttachmentKind, TelegramBot, TelegramPost, TelegramPostState
from chats.services.authors import Author
from helpdesk.errors import Conflict, NotFound, ServiceError
from operators.models import Operator

logger = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
BUTTONS_MAX = 10
BUTTON_TEXT_MAX = 64

# Telegram's HTML: https://core.telegram.org/bots/api#html-style
ALLOWED_TAGS = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "tg-spoiler": set(),
    "span": {"class"},
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}

EDITABLE = (TelegramPostState.DRAFT, TelegramPostState.SCHEDULED, TelegramPostState.FAILED)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problem = ""
        self.visible = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = ALLOWED_TAGS.get(tag)
        if allowed is None:
            self.problem = self.problem or _("Telegram does not know the tag <%(tag)s>.") % {
                "tag": tag
            }
            return
        for name, value in attrs:
            if name not in allowed:
                self.problem = self.problem or _("<%(tag)s> takes no %(name)s.") % {
                    "tag": tag,
                    "name": name,
                }
            if tag == "a" and name == "href" and not _is_link(value or ""):
                self.problem = self.problem or _("A link goes to an http(s) or tg:// address.")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problem = self.problem or _("The tag </%(tag)s> closes nothing.") % {"tag": tag}
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if any(mark in data for mark in "<>&"):
            self.problem = self.problem or _(
                "Write <, > and & that are not part of a tag as &lt;, &gt; and &amp;."
            )
        self.visible += len(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.problem = self.problem or _("Telegram does not know &%(name)s;.") % {"name": name}
        self.visible += 1

    def handle_charref(self, name: str) -> None:
        self.visible += 1


def _is_link(url: str) -> bool:
    parts = urlsplit(url)
    return (parts.scheme in ("http", "https") and bool(parts.netloc)) or parts.scheme == "tg"


def clean_post_text(text: Any, *, with_photo: bool) -> str:
    if not isinstance(text, str):
        raise ServiceError("invalid_post", _("The text must be a string."))
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.open and not checker.problem:
        checker.problem = _("The tag <%(tag)s> is never closed.") % {"tag": checker.open[-1]}
    if checker.problem:
        raise ServiceError("invalid_post_text", checker.problem)
    limit = CAPTION_LIMIT if with_photo else TEXT_LIMIT
    if checker.visible > limit:
        raise ServiceError(
            "post_too_long",
            _("A post is at most %(limit)s characters (%(with)s).")
            % {"limit": limit, "with": _("with a photo") if with_photo else _("text only")},
        )
    if not text.strip() and not with_photo:
        raise ServiceError("empty_post", _("A post needs text or a photo."))
    return text


def clean_buttons(buttons: Any) -> list[dict[str, str]]:
    if not isinstance(buttons, list) or len(buttons) > BUTTONS_MAX:
        raise ServiceError(
            "invalid_buttons", _("buttons is a list of at most %(max)s.") % {"max": BUTTONS_MAX}
        )
    cleaned = []
    for button in buttons:
        if (
            not isinstance(button, dict)
            or set(button) != {"text", "url"}
            or not isinstance(button["text"], str)
            or not isinstance(button["url"], str)
            or not 1 <= len(button["text"].strip()) <= BUTTON_TEXT_MAX
            or not _is_link(button["url"])
            or len(button["url"]) > 2000
        ):
            raise ServiceError(
                "invalid_buttons",
                _("Each button has a text of 1 to 64 characters and an http(s) or tg:// url."),
            )
        cleaned.append({"text": button["text"].strip(), "url": button["url"]})
    return cleaned


def _photo(photo_id: Any, actor: Operator) -> Attachment | None:
    if photo_id is None:
        return None
    found = Attachment.objects.filter(
        pk=photo_id, sender_key=Author.of_operator(actor).sender_key
    ).first()
    if found is None or not isinstance(photo_id, int):
        raise NotFound("attachment_not_found", _("Attachment not found."))
    if found.kind != AttachmentKind.IMAGE:
        raise ServiceError("invalid_photo", _("A post's photo is an image."))
    return found


def _state_for(publish_at: datetime | None) -> str:
    return TelegramPostState.DRAFT if publish_at is None else TelegramPostState.SCHEDULED


def bot_with_channel(inbox_id: int) -> TelegramBot:
    bot = TelegramBot.objects.filter(inbox_id=inbox_id).first()
    if bot is None or bot.channel_chat_id is None:
        raise Conflict(
            "no_channel", _("Name the channel of this Telegram inbox before writing posts.")
        )
    return bot


def post_create(
    *,
    bot: TelegramBot,
    actor: Operator,
    text: Any,
    photo: Any = None,
    buttons: Any = None,
    publish_at: datetime | None = None,
) -> TelegramPost:
    """A draft (no `publish_at`) or a post scheduled for `publish_at` (now or later)."""
    picture = _photo(photo, actor)
    post = TelegramPost.objects.create(
        bot=bot,
        text=clean_post_text(text, with_photo=picture is not None),
        photo=picture,
        buttons=clean_buttons(buttons or []),
        publish_at=publish_at,
        state=_state_for(publish_at),
        author=actor,
    )
    return post


def post_update(*, post: TelegramPost, actor: Operator, changes: dict[str, Any]) -> TelegramPost:
    """Change a post. Before it is published: anything, `publish_at` null making it a draft
    again. Once published: its text and buttons, edited in the channel too."""
    with transaction.atomic():
        locked = TelegramPost.objects.select_for_update().get(pk=post.pk)
        if locked.state == TelegramPostState.PUBLISHED:
            return _edit_published(locked, changes)
        if locked.state not in EDITABLE:
            raise Conflict("post_publishing", _("The post is being published; wait a moment."))
        if "photo" in changes and changes["photo"] != locked.photo_id:
            locked.photo = _photo(changes["photo"], actor)  # the post's own photo stays as is
        if "buttons" in changes:
            locked.buttons = clean_buttons(changes["buttons"])
        if "text" in changes:
            locked.text = changes["text"]
        locked.text = clean_post_text(locked.text, with_photo=locked.photo is not None)
        if "publish_at" in changes:
            locked.publish_at = changes["publish_at"]
            locked.state = _state_for(locked.publish_at)
            locked.error = ""
        locked.save()
    return locked


def _edit_published(post: TelegramPost, changes: dict[str, Any]) -> TelegramPost:
    if set(changes) - {"text", "buttons"}:
        raise Conflict(
            "post_published", _("A published post's text and buttons can change, nothing else.")
        )
    text = clean_post_text(changes.get("text", post.text), with_photo=post.photo is not None)
    buttons = clean_buttons(changes.get("buttons", post.buttons))
    bot, message_id = post.bot, post.telegram_id
    assert bot.channel_chat_id is not None and message_id is not None
    markup = _markup(buttons)

    async def edit(api: Bot) -> None:
        if post.photo is not None:
            await api.edit_message_caption(
                chat_id=bot.channel_chat_id,
                message_id=message_id,
                caption=text,
                parse_mode="HTML",
                reply_markup=markup,
            )
        else:
            await api.edit_message_text(
                text,
                chat_id=bot.channel_chat_id,
                message_id=message_id,
                parse_mode="HTML",
                reply_markup=markup,
            )

    _in_channel(bot, edit, harmless="not modified")
    post.text, post.buttons = text, buttons
    post.save(update_fields=["text", "buttons", "updated_at"])
    return post


def post_delete(*, post: TelegramPost) -> None:
    """Delete a post, and its message in the channel once published."""
    bot = post.bot
    if post.state == TelegramPostState.PUBLISHING:
        raise Conflict("post_publishing", _("The post is being published; wait a moment."))
    if post.state == TelegramPostState.PUBLISHED and post.telegram_id is not None:
        chat_id, message_id = bot.channel_chat_id, post.telegram_id
        assert chat_id is not None

        async def delete(api: Bot) -> None:
            await api.delete_message(chat_id, message_id)

        _in_channel(bot, delete, harmless="not found")
    post.delete()


def _in_channel(bot: TelegramBot, work: Callable[[Bot], Awaitable[None]], *, harmless: str) -> None:
    """Change the channel now, for the operator waiting on it: Telegram's refusal is theirs
    to read (400 `telegram_refused`) unless it says `harmless` (already so), and no answer is
    502 `telegram_unreachable`."""
    try:
        client.call(bot.token, bot.api_url, work)
    except TelegramBadRequest as refused:
        if harmless not in refused.message:
            raise ServiceError("telegram_refused", refused.message) from refused
    except (TelegramAPIError, OSError, TimeoutError) as error:
        raise unreachable(error) from error


# --- publishing ---------------------------------------------------------------------------------


def _markup(buttons: list[dict[str, str]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=b["text"], url=b["url"])] for b in buttons]
    )


def post_claim(*, post_id: int, now: datetime | None = None) -> bool:
    """Take a due scheduled post for publishing: True for exactly one caller."""
    moment = now or timezone.now()
    return bool(
        TelegramPost.objects.filter(
            pk=post_id, state=TelegramPostState.SCHEDULED, publish_at__lte=moment
        ).update(state=TelegramPostState.PUBLISHING, claimed_at=moment, sending_since=None)
    )


class PublishLater(Exception):
    """Telegram asked to wait (429), or failed before taking the post: it goes back to
    `scheduled` and is tried again after `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def post_publish(*, post_id: int) -> None:
    """Publish a post this caller claimed (`post_claim`)."""
    post = TelegramPost.objects.select_related("bot", "photo").get(pk=post_id)
    if post.state != TelegramPostState.PUBLISHING or post.sending_since is not None:
        return
    TelegramPost.objects.filter(pk=post.pk).update(sending_since=timezone.now())
    bot = post.bot
    try:
        sent = client.call(bot.token, bot.api_url, _publication(post))
    except TelegramRetryAfter as limited:
        _back_to_scheduled(post)
        raise PublishLater(float(limited.retry_after)) from limited
    except (TelegramBadRequest, TelegramForbiddenError, TelegramNotFound) as refused:
        _finish(post, state=TelegramPostState.FAILED, error=refused.message)
        return
    except TelegramAPIError as failed:  # Telegram answered an error: nothing was posted
        _back_to_scheduled(post)
        raise PublishLater(30.0) from failed
    except (OSError, TimeoutError) as lost:  # no answer: it may be in the channel
        _finish(post, state=TelegramPostState.FAILED, error=interrupted_reason(lost))
        return
    _finish(post, state=TelegramPostState.PUBLISHED, telegram_id=sent.message_id)


def interrupted_reason(cause: object) -> str:
    return _(
        "Publishing was interrupted (%(cause)s): the post may be in the channel already. "
        "Look there before publishing it again."
    ) % {"cause": cause}


def _publication(post: TelegramPost) -> Any:
    bot = post.bot
    markup = _markup(post.buttons)
    chat_id = bot.channel_chat_id
    photo = post.photo
    if photo is None:
        return lambda api: api.send_message(
            chat_id, post.text, parse_mode="HTML", reply_markup=markup
        )
    with photo.file.open("rb") as handle:
        upload = BufferedInputFile(handle.read(), filename=photo.name)
    return lambda api: api.send_photo(
        chat_id, upload, caption=post.text or None, parse_mode="HTML", reply_markup=markup
    )


def _back_to_scheduled(post: TelegramPost) -> None:
    TelegramPost.objects.filter(pk=post.pk).update(
        state=TelegramPostState.SCHEDULED, claimed_at=None, sending_since=None
    )


def _finish(
    post: TelegramPost, *, state: str, error: str = "", telegram_id: int | None = None
) -> None:
    TelegramPost.objects.filter(pk=post.pk).update(
        state=state,
        error=error[:300],
        telegram_id=telegram_id,
        published_at=timezone.now() if state == TelegramPostState.PUBLISHED else None,
    )


def posts_due(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    moment = now or timezone.now()
    return list(
        TelegramPost.objects.filter(state=TelegramPostState.SCHEDULED, publish_at__lte=moment)
        .order_by("publish_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def posts_recover(*, now: datetime | None = None) -> int:
    """Posts a dead worker left `publishing`: back to `scheduled` if their call had not
    started, else `failed` (they may be in the channel). Answers how many were found."""
    # A claim older than this belongs to a worker that died.
    stale = (now or timezone.now()) - timedelta(seconds=settings.TELEGRAM_POST_CLAIM_SECONDS)
    left = TelegramPost.objects.filter(state=TelegramPostState.PUBLISHING, claimed_at__lt=stale)
    unsent = left.filter(sending_since__isnull=True).update(
        state=TelegramPostState.SCHEDULED, claimed_at=None
    )
    maybe_sent = left.filter(sending_since__isnull=False).update(
        state=TelegramPostState.FAILED, error=interrupted_reason(_("the worker stopped"))[:300]
    )
    return unsent + maybe_sent
