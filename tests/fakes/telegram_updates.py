"""Builders of Telegram Bot API objects and webhook Updates, shaped as Telegram sends them.

Each builder returns plain dicts exactly as https://core.telegram.org/bots/api documents the
objects (`User`, `Chat`, `Message`, `Update`, ...): only documented fields, optional fields left
out when they have no value, `from` (not `from_user`) as the sender's key. Every Update parses
with `aiogram.types.Update.model_validate(data)`.

Entity offsets and lengths are in UTF-16 code units, as Telegram counts them: see `utf16_len`,
`entity` and `detect_entities`. Builders of text messages detect the entities Telegram's
servers add on their own (bot commands, @mentions, #hashtags, URLs) unless given `entities`.

What these builders do not do: sign anything (the webhook's secret token is a header, not part
of the Update), nor invent content the test did not ask for beyond Telegram's own defaults.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

JsonDict = dict[str, Any]

TELEGRAM_SERVICE_USER_ID = 777000
"""The fake sender Telegram puts in `from` of automatic forwards to a discussion group."""


# UTF-16 ----------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units (characters outside the BMP count twice)."""
    return len(text.encode("utf-16-le")) // 2


def utf16_offset(text: str, index: int) -> int:
    """The UTF-16 offset of the Python string index `index` in `text`."""
    return utf16_len(text[:index])


def entity(type_: str, text: str, fragment: str, *, start: int = 0, **extra: Any) -> JsonDict:
    """A MessageEntity of `type_` covering the first `fragment` in `text` at or after `start`.

    `extra` carries the type's own fields (`url` for text_link, `user` for text_mention,
    `language` for pre). Raises ValueError when `fragment` is not in `text`.
    """
    index = text.index(fragment, start)
    found: JsonDict = {
        "offset": utf16_offset(text, index),
        "length": utf16_len(fragment),
        "type": type_,
    }
    found.update({key: value for key, value in extra.items() if value is not None})
    return found


_AUTO_ENTITY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]'»]")),
    ("bot_command", re.compile(r"(?<![^\s])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z][A-Za-z0-9_]{4,31})?")),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{4,31}\b")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)


def detect_entities(text: str) -> list[JsonDict]:
    """The entities Telegram's servers detect on their own in plain text.

    Bot commands, @username mentions, #hashtags and http(s) URLs; sorted by offset. Spans
    already claimed by an earlier kind (a URL's path) are not detected again.
    """
    claimed: list[tuple[int, int]] = []
    found: list[tuple[int, JsonDict]] = []
    for type_, pattern in _AUTO_ENTITY_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < taken_end and taken_start < end for taken_start, taken_end in claimed):
                continue
            claimed.append((start, end))
            found.append(
                (
                    start,
                    {
                        "offset": utf16_offset(text, start),
                        "length": utf16_len(match.group()),
                        "type": type_,
                    },
                )
            )
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


# Identifiers -----------------------------------------------------------------------------------


def file_unique_id_for(file_id: str) -> str:
    """A stable file_unique_id for `file_id` (Telegram's are short URL-safe strings)."""
    digest = hashlib.sha256(file_id.encode()).hexdigest()
    return "AQAD" + digest[:12]


def chat_instance_for(chat_id: int) -> str:
    """A stable `chat_instance` for callback queries from messages in `chat_id`.

    Telegram sends a global identifier of the chat as a string of a signed 64-bit number.
    """
    digest = int(hashlib.sha256(str(chat_id).encode()).hexdigest()[:15], 16)
    return str(-digest if chat_id < 0 else digest)


def _now() -> int:
    return int(time.time())


def _without_none(**fields: Any) -> JsonDict:
    return {key: value for key, value in fields.items() if value is not None}


# Users and chats -------------------------------------------------------------------------------


def user(
    id: int,
    first_name: str,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
    *,
    is_premium: bool | None = None,
) -> JsonDict:
    """A `User` who is a person (`is_bot` false)."""
    return _without_none(
        id=id,
        is_bot=False,
        first_name=first_name,
        last_name=last_name,
        username=username,
        language_code=language_code,
        is_premium=is_premium,
    )


def bot_user(id: int, username: str, first_name: str = "Helpdesk bot") -> JsonDict:
    """The `User` of a bot, as it appears in messages (`from` of what the bot sent)."""
    return {"id": id, "is_bot": True, "first_name": first_name, "username": username}


def private_chat(user: JsonDict) -> JsonDict:
    """The `Chat` of a private conversation with `user` (its id is the user's id)."""
    return _without_none(
        id=user["id"],
        first_name=user["first_name"],
        last_name=user.get("last_name"),
        username=user.get("username"),
        type="private",
    )


def group_chat(
    id: int,
    title: str,
    type: str = "supergroup",
    *,
    username: str | None = None,
    is_forum: bool | None = None,
) -> JsonDict:
    """A `Chat` of type "group" or "supergroup" (supergroup ids look like -100xxxxxxxxxx)."""
    if type not in {"group", "supergroup"}:
        raise ValueError(f"a group chat's type is 'group' or 'supergroup', not {type!r}")
    return _without_none(id=id, title=title, username=username, type=type, is_forum=is_forum)


def channel_chat(id: int, title: str, username: str | None = None) -> JsonDict:
    """A `Chat` of type "channel"."""
    return _without_none(id=id, title=title, username=username, type="channel")


def chat_member(user: JsonDict, status: str, **fields: Any) -> JsonDict:
    """A `ChatMember` of `status` ("creator", "administrator", "member", "restricted", "left",
    "kicked").

    An administrator gets every documented right as false unless given in `fields`
    (`can_post_messages=True`, ...); "kicked" and "restricted" get `until_date` 0 (forever).
    """
    member: JsonDict = {"user": user, "status": status}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(dict.fromkeys(_ADMIN_RIGHTS, False))
        member["can_be_edited"] = False
        member["is_anonymous"] = False
    elif status in {"kicked", "restricted"}:
        member["until_date"] = 0
    if status == "restricted":
        member.update(dict.fromkeys(_RESTRICTED_PERMISSIONS, False))
        member["is_member"] = True
    member.update(fields)
    return member


_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
)

_RESTRICTED_PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


# Messages --------------------------------------------------------------------------------------


def message(
    *,
    chat: JsonDict,
    message_id: int,
    from_: JsonDict | None = None,
    date: int | None = None,
    **content: Any,
) -> JsonDict:
    """A `Message` in `chat`: identity first, then `content` (fields whose value is None left
    out). A channel's messages have no `from`: they carry `sender_chat` instead."""
    built: JsonDict = {"message_id": message_id}
    if from_ is not None:
        built["from"] = from_
    if "sender_chat" in content and content["sender_chat"] is not None:
        built["sender_chat"] = content.pop("sender_chat")
    built["chat"] = chat
    built["date"] = _now() if date is None else date
    built.update(_without_none(**content))
    return built


def text_content(text: str, entities: list[JsonDict] | None = None) -> JsonDict:
    """`text` and its `entities` (detected as Telegram would when None; left out when empty)."""
    found = detect_entities(text) if entities is None else entities
    return _without_none(text=text, entities=found or None)


def update(update_id: int, kind: str, payload: JsonDict) -> JsonDict:
    """An `Update` carrying `payload` under `kind` ("message", "callback_query", ...)."""
    return {"update_id": update_id, kind: payload}


def text_message(
    update_id: int,
    *,
    chat: JsonDict,
    from_: JsonDict,
    text: str,
    message_id: int,
    date: int | None = None,
    entities: list[JsonDict] | None = None,
    reply_to_message: JsonDict | None = None,
) -> JsonDict:
    """An Update with a new text message (entities detected as Telegram would when None)."""
    return update(
        update_id,
        "message",
        message(
            chat=chat,
            message_id=message_id,
            from_=from_,
            date=date,
            reply_to_message=reply_to_message,
            **text_content(text, entities),
        ),
    )


def photo_sizes(
    file_id: str, width: int, height: int, *, file_size: int | None = None
) -> list[JsonDict]:
    """The `PhotoSize` list Telegram makes of one photo, smallest first: thumbnails of at most
    90, 320 and 800 pixels a side (those smaller than the photo), then the photo itself,
    scaled to 1280 pixels a side at most.

    The largest size's file_id is `file_id`; the thumbnails' derive from it. `file_size` is
    the largest size's (estimated from its area when None); the thumbnails' scale with area.
    """
    full = _fit(width, height, 1280)
    full_size = file_size or max(1, full[0] * full[1] // 8)
    sizes: list[JsonDict] = []
    for suffix, limit in (("s", 90), ("m", 320), ("x", 800)):
        if max(full) <= limit:
            break
        thumb = _fit(*full, limit)
        area_ratio = (thumb[0] * thumb[1]) / (full[0] * full[1])
        sizes.append(_photo_size(f"{file_id}-{suffix}", thumb, max(1, int(full_size * area_ratio))))
    sizes.append(_photo_size(file_id, full, full_size))
    return sizes


def _fit(width: int, height: int, limit: int) -> tuple[int, int]:
    """`width` x `height` scaled down (never up) so that its longer side is at most `limit`."""
    scale = min(1.0, limit / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _photo_size(file_id: str, dimensions: tuple[int, int], file_size: int) -> JsonDict:
    return {
        "file_id": file_id,
        "file_unique_id": file_unique_id_for(file_id),
        "file_size": file_size,
        "width": dimensions[0],
        "height": dimensions[1],
    }


def photo_message(
    update_id: int,
    *,
    chat: JsonDict,
    from_: JsonDict,
    message_id: int,
    photo: list[JsonDict],
    caption: str | None = None,
    caption_entities: list[JsonDict] | None = None,
    date: int | None = None,
    media_group_id: str | None = None,
) -> JsonDict:
    """An Update with a photo: `photo` is its list of PhotoSize (see `photo_sizes`)."""
    return update(
        update_id,
        "message",
        message(
            chat=chat,
            message_id=message_id,
            from_=from_,
            date=date,
            media_group_id=media_group_id,
            photo=photo,
            **_caption(caption, caption_entities),
        ),
    )


def _caption(caption: str | None, entities: list[JsonDict] | None) -> JsonDict:
    if caption is None:
        return {}
    found = detect_entities(caption) if entities is None else entities
    return _without_none(caption=caption, caption_entities=found or None)


def document_message(
    update_id: int,
    *,
    chat: JsonDict,
    from_: JsonDict,
    message_id: int,
    file_id: str,
    file_name: str,
    mime_type: str,
    file_size: int,
    file_unique_id: str | None = None,
    caption: str | None = None,
    date: int | None = None,
) -> JsonDict:
    """An Update with a file sent as a document."""
    document = {
        "file_name": file_name,
        "mime_type": mime_type,
        "file_id": file_id,
        "file_unique_id": file_unique_id or file_unique_id_for(file_id),
        "file_size": file_size,
    }
    return update(
        update_id,
        "message",
        message(
            chat=chat,
            message_id=message_id,
            from_=from_,
            date=date,
            document=document,
            **_caption(caption, None),
        ),
    )


def voice_message(
    update_id: int,
    *,
    chat: JsonDict,
    from_: JsonDict,
    message_id: int,
    file_id: str,
    duration: int,
    mime_type: str = "audio/ogg",
    file_size: int | None = None,
    file_unique_id: str | None = None,
    date: int | None = None,
) -> JsonDict:
    """An Update with a voice note (OGG/Opus, as Telegram's apps record them)."""
    voice = _without_none(
        duration=duration,
        mime_type=mime_type,
        file_id=file_id,
        file_unique_id=file_unique_id or file_unique_id_for(file_id),
        file_size=file_size,
    )
    return update(
        update_id,
        "message",
        message(chat=chat, message_id=message_id, from_=from_, date=date, voice=voice),
    )


def video_message(
    update_id: int,
    *,
    chat: JsonDict,
    from_: JsonDict,
    message_id: int,
    file_id: str,
    duration: int,
    width: int = 1280,
    height: int = 720,
    mime_type: str = "video/mp4",
    file_name: str | None = None,
    file_size: int | None = None,
    file_unique_id: str | None = None,
    caption: str | None = None,
    date: int | None = None,
) -> JsonDict:
    """An Update with a video (with the thumbnail Telegram makes of it)."""
    thumb_id = f"{file_id}-thumb"
    video = _without_none(
        duration=duration,
        width=width,
        height=height,
        file_name=file_name,
        mime_type=mime_type,
        thumbnail={
            "file_id": thumb_id,
            "file_unique_id": file_unique_id_for(thumb_id),
            "width": 320,
            "height": max(1, round(320 * height / width)),
        },
        file_id=file_id,
        file_unique_id=file_unique_id or file_unique_id_for(file_id),
        file_size=file_size,
    )
    return update(
        update_id,
        "message",
        message(
            chat=chat,
            message_id=message_id,
            from_=from_,
            date=date,
            video=video,
            **_caption(caption, None),
        ),
    )


def sticker_message(
    update_id: int,
    *,
    chat: JsonDict,
    from_: JsonDict,
    message_id: int,
    file_id: str,
    emoji: str,
    is_animated: bool = False,
    is_video: bool = False,
    width: int = 512,
    height: int = 512,
    set_name: str | None = "HelpdeskTestStickers",
    file_size: int | None = None,
    file_unique_id: str | None = None,
    date: int | None = None,
) -> JsonDict:
    """An Update with a regular sticker (.webp, or .tgs when animated, .webm when video)."""
    thumb_id = f"{file_id}-thumb"
    sticker = _without_none(
        width=width,
        height=height,
        emoji=emoji,
        set_name=set_name,
        is_animated=is_animated,
        is_video=is_video,
        type="regular",
        thumbnail={
            "file_id": thumb_id,
            "file_unique_id": file_unique_id_for(thumb_id),
            "width": 128,
            "height": 128,
        },
        file_id=file_id,
        file_unique_id=file_unique_id or file_unique_id_for(file_id),
        file_size=file_size,
    )
    return update(
        update_id,
        "message",
        message(chat=chat, message_id=message_id, from_=from_, date=date, sticker=sticker),
    )


def location_message(
    update_id: int,
    *,
    chat: JsonDict,
    from_: JsonDict,
    message_id: int,
    latitude: float,
    longitude: float,
    horizontal_accuracy: float | None = None,
    date: int | None = None,
) -> JsonDict:
    """An Update with a shared (not live) location."""
    location = _without_none(
        latitude=latitude, longitude=longitude, horizontal_accuracy=horizontal_accuracy
    )
    return update(
        update_id,
        "message",
        message(chat=chat, message_id=message_id, from_=from_, date=date, location=location),
    )


def edited_text_message(
    update_id: int,
    *,
    chat: JsonDict,
    from_: JsonDict,
    text: str,
    message_id: int,
    date: int,
    edit_date: int | None = None,
    entities: list[JsonDict] | None = None,
) -> JsonDict:
    """An Update with the new version of a text message: key `edited_message`, the original
    `date` and an `edit_date`."""
    return update(
        update_id,
        "edited_message",
        message(
            chat=chat,
            message_id=message_id,
            from_=from_,
            date=date,
            edit_date=_now() if edit_date is None else edit_date,
            **text_content(text, entities),
        ),
    )


def bot_message(
    *,
    chat: JsonDict,
    bot: JsonDict,
    message_id: int,
    text: str,
    reply_markup: JsonDict | None = None,
    date: int | None = None,
) -> JsonDict:
    """A text `Message` the bot sent (in a channel: from the channel, with no `from`)."""
    is_channel = chat["type"] == "channel"
    return message(
        chat=chat,
        message_id=message_id,
        from_=None if is_channel else bot,
        sender_chat=chat if is_channel else None,
        date=date,
        reply_markup=reply_markup,
        **text_content(text),
    )


def callback_query_update(
    update_id: int,
    *,
    id: str,
    from_: JsonDict,
    message: JsonDict,
    data: str,
    chat_instance: str | None = None,
) -> JsonDict:
    """An Update with a press of an inline keyboard's callback button under `message` (the
    bot's message carrying that keyboard, see `bot_message`)."""
    query = {
        "id": id,
        "from": from_,
        "message": message,
        "chat_instance": chat_instance or chat_instance_for(message["chat"]["id"]),
        "data": data,
    }
    return update(update_id, "callback_query", query)


def group_mention(
    update_id: int,
    *,
    group: JsonDict,
    from_: JsonDict,
    bot_username: str,
    text: str,
    message_id: int,
    date: int | None = None,
) -> JsonDict:
    """An Update with a message in `group` mentioning the bot.

    `text` should contain `@bot_username`; when it does not, the mention is put before it.
    The `mention` entity sits at the mention's UTF-16 offset.
    """
    mention = f"@{bot_username}"
    if mention not in text:
        text = f"{mention} {text}"
    return text_message(
        update_id, chat=group, from_=from_, text=text, message_id=message_id, date=date
    )


def reply_to_bot(
    update_id: int,
    *,
    chat: JsonDict,
    from_: JsonDict,
    bot: JsonDict,
    text: str,
    message_id: int,
    replied_message_id: int,
    replied_text: str = "How can we help?",
    replied_date: int | None = None,
    date: int | None = None,
) -> JsonDict:
    """An Update with a message replying to one the bot sent (`reply_to_message` authored by
    `bot`, a `bot_user`). The replied message carries no reply of its own, as Telegram sends
    it."""
    replied = bot_message(
        chat=chat, bot=bot, message_id=replied_message_id, text=replied_text, date=replied_date
    )
    return text_message(
        update_id,
        chat=chat,
        from_=from_,
        text=text,
        message_id=message_id,
        date=date,
        reply_to_message=replied,
    )


def channel_post(
    update_id: int,
    *,
    channel: JsonDict,
    text: str,
    message_id: int,
    author_signature: str | None = None,
    date: int | None = None,
) -> JsonDict:
    """An Update with a new post in `channel`: key `channel_post`, `sender_chat` the channel,
    no `from`."""
    post = message(
        chat=channel,
        message_id=message_id,
        sender_chat=channel,
        date=date,
        author_signature=author_signature,
        **text_content(text),
    )
    return update(update_id, "channel_post", post)


def automatic_forward(
    *,
    group: JsonDict,
    channel: JsonDict,
    message_id: int,
    channel_post_id: int,
    post_text: str,
    post_date: int | None = None,
    date: int | None = None,
) -> JsonDict:
    """The copy of a channel post Telegram puts in the channel's linked discussion group.

    `from` is Telegram's service user 777000 (the documented "fake sender user" of messages
    sent on behalf of a chat), `sender_chat` the channel, `forward_origin` a
    MessageOriginChannel and `is_automatic_forward` true.
    """
    sent = _now() if post_date is None else post_date
    return message(
        chat=group,
        message_id=message_id,
        from_=user(TELEGRAM_SERVICE_USER_ID, "Telegram"),
        sender_chat=channel,
        date=sent if date is None else date,
        forward_origin={
            "type": "channel",
            "chat": channel,
            "message_id": channel_post_id,
            "date": sent,
        },
        is_automatic_forward=True,
        **text_content(post_text),
    )


def discussion_comment(
    update_id: int,
    *,
    group: JsonDict,
    channel: JsonDict,
    from_: JsonDict,
    text: str,
    message_id: int,
    forward_message_id: int,
    channel_post_id: int,
    post_text: str = "News from the channel",
    post_date: int | None = None,
    date: int | None = None,
) -> JsonDict:
    """An Update with a comment on a channel post: a message in the linked discussion `group`
    replying to the post's automatic forward there (message `forward_message_id`, which is
    also the comment thread's `message_thread_id`)."""
    forward = automatic_forward(
        group=group,
        channel=channel,
        message_id=forward_message_id,
        channel_post_id=channel_post_id,
        post_text=post_text,
        post_date=post_date,
    )
    comment = message(
        chat=group,
        message_id=message_id,
        from_=from_,
        date=date,
        message_thread_id=forward_message_id,
        reply_to_message=forward,
        **text_content(text),
    )
    return update(update_id, "message", comment)


def my_chat_member(
    update_id: int,
    *,
    chat: JsonDict,
    from_: JsonDict,
    bot: JsonDict,
    old_status: str = "member",
    new_status: str = "kicked",
    date: int | None = None,
) -> JsonDict:
    """An Update telling the bot its own membership changed: by default a user blocked it
    (in their private chat: "member" became "kicked")."""
    changed = {
        "chat": chat,
        "from": from_,
        "date": _now() if date is None else date,
        "old_chat_member": chat_member(bot, old_status),
        "new_chat_member": chat_member(bot, new_status),
    }
    return update(update_id, "my_chat_member", changed)


def poll_update(
    update_id: int,
    *,
    poll_id: str,
    question: str,
    options: list[str],
    voter_counts: list[int] | None = None,
    is_closed: bool = False,
) -> JsonDict:
    """An Update with a new state of a regular, anonymous poll (the helpdesk ignores these)."""
    counts = voter_counts or [0] * len(options)
    poll = {
        "id": poll_id,
        "question": question,
        "options": [
            {"persistent_id": str(index), "text": option, "voter_count": count}
            for index, (option, count) in enumerate(zip(options, counts, strict=True))
        ],
        "total_voter_count": sum(counts),
        "is_closed": is_closed,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": True,
        "members_only": False,
    }
    return update(update_id, "poll", poll)
