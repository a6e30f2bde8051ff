"""A local fake of Telegram's Bot API servers, for tests: real HTTP on loopback, no network.

Telegram's servers are the one part of the helpdesk that runs outside the machine. This fake
stands in for them: `FakeTelegram` serves `{base_url}/bot{token}/{method}` (GET or POST, as
form fields, multipart uploads or JSON) and `{base_url}/file/bot{token}/{file_path}` from a
`ThreadingHTTPServer` on 127.0.0.1, so aiogram's `Bot` pointed at it with
`AiohttpSession(api=TelegramAPIServer.from_base(base_url))` works unchanged. Answers are
shaped as https://core.telegram.org/bots/api documents them: `{"ok": true, "result": ...}`,
or `{"ok": false, "error_code": ..., "description": ..., "parameters": {...}}` with
Telegram's own status codes and descriptions.

What it does: bots by token (an unknown token gets 401), webhooks as set, messages sent,
edited and deleted with message_ids increasing per chat, photos and documents uploaded
(stored, given file_ids, downloadable) or re-sent by file_id, `parse_mode` HTML, MarkdownV2
and Markdown turned into plain text and entities (with Telegram's parse errors), inline
keyboards checked as Telegram checks them, chats and members for getChat/getChatMember.
Every call is recorded (`calls`); failures (429 with retry_after, 403, 400, 5xx), blocked
users and slow answers can be scripted.

What it does not do: deliver updates (tests build them with `tests.fakes.telegram_updates`
and post them to the helpdesk's webhook themselves; `learn(update)` tells the fake what the
update showed Telegram: chats, users, messages), fetch URLs given as files (it answers as
Telegram does when it cannot), rate-limit on its own (script a 429 with `fail_next`), check
administrator rights, or keep anything after `stop()`. File ids are valid for every bot.

Chats: like Telegram, the fake only sends to chats it knows (`add_chat`, `learn`), answering
400 "chat not found" otherwise, and 403 "bot can't initiate conversation with a user" to
users it knows only from groups. `FakeTelegram(strict_chats=False)` makes up a chat for any
numeric chat_id instead.
"""

from __future__ import annotations

import asyncio
import copy
import io
import json
import mimetypes
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message as EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from tests.fakes import telegram_updates as tg

JsonDict = dict[str, Any]
Params = dict[str, Any]
ChatKey = int | str

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_PHOTO_UPLOAD = 10 * 1024 * 1024
MAX_FILE_UPLOAD = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})

SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})

BLOCKED = "Forbidden: bot was blocked by the user"
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

# Form fields whose value is a JSON-serialized object, and fields of other types than String.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "link_preview_options",
        "entities",
        "caption_entities",
        "allowed_updates",
        "media",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "user_id",
        "reply_to_message_id",
        "message_thread_id",
        "max_connections",
        "cache_time",
        "offset",
        "limit",
        "timeout",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "allow_paid_broadcast",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "show_caption_above_media",
        "has_spoiler",
        "show_alert",
    }
)
_INTEGER = re.compile(r"-?\d+")


# Errors ----------------------------------------------------------------------------------------


class ApiError(Exception):
    """An unsuccessful answer: Telegram's `error_code` (also the HTTP status) and description."""

    def __init__(
        self, error_code: int, description: str, parameters: JsonDict | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def answer(self) -> JsonDict:
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


class _ParseError(Exception):
    """Text that Telegram cannot parse in the given parse_mode."""


# Records ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class Call:
    """One request to the Bot API, as received and as answered."""

    method: str
    """The method's name as Telegram spells it ("sendMessage"), or as requested if unknown."""
    token: str
    params: Params
    """Fields decoded: numbers, booleans and JSON-serialized objects (reply_markup, ...) parsed."""
    files: dict[str, bytes]
    """Uploaded files by the parameter that refers to them ("photo", "document")."""
    at: float
    """time.monotonic() when the request arrived."""
    answered_with: int
    """The HTTP status of the answer (200, or the error_code)."""
    answer: JsonDict
    file_names: dict[str, str | None] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.answered_with == 200

    @property
    def result(self) -> Any:
        return self.answer.get("result")

    @property
    def message(self) -> JsonDict | None:
        """The Message answered (send and edit methods), else None."""
        result = self.result
        return result if isinstance(result, dict) and "message_id" in result else None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    kind: str
    """What it can be re-sent as: "photo" or "document"."""
    photo: list[JsonDict] | None = None
    document: JsonDict | None = None

    def as_file(self) -> JsonDict:
        """The `File` object getFile answers."""
        found: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if len(self.content) <= MAX_DOWNLOAD:
            found["file_path"] = self.file_path
        return found


@dataclass
class Webhook:
    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    drop_pending_updates: bool = False
    max_connections: int = 40
    ip_address: str | None = None

    def info(self) -> JsonDict:
        """The `WebhookInfo` object getWebhookInfo answers."""
        found: JsonDict = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }
        if self.url:
            found["max_connections"] = self.max_connections
            if self.ip_address:
                found["ip_address"] = self.ip_address
            if self.allowed_updates is not None:
                found["allowed_updates"] = self.allowed_updates
        return found


@dataclass
class BotAccount:
    token: str
    id: int
    username: str
    first_name: str
    can_read_all_group_messages: bool = False
    webhook: Webhook = field(default_factory=Webhook)

    def user(self) -> JsonDict:
        """The bot's `User` as it appears in messages."""
        return tg.bot_user(self.id, self.username, self.first_name)

    def me(self) -> JsonDict:
        """The bot's `User` as getMe answers it, with the fields returned only there."""
        return {
            **self.user(),
            "can_join_groups": True,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class StoredMessage:
    message: JsonDict
    sent_by: int | None
    """The id of the bot that sent it, None for messages the fake learned of."""


@dataclass
class ScriptedFailure:
    method: str
    error: ApiError
    chat_id: ChatKey | None
    remaining: int


@dataclass(frozen=True)
class _Answer:
    """A successful result with the description Telegram adds to some of them."""

    result: Any
    description: str


# Request decoding ------------------------------------------------------------------------------


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request's body, sent with a Content-Length or chunked (aiohttp chunks uploads)."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        return _read_chunked(handler.rfile)
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def _read_chunked(stream: io.BufferedIOBase) -> bytes:
    body = bytearray()
    while True:
        size = int(stream.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while stream.readline().strip():  # trailers, up to the empty line
                pass
            return bytes(body)
        body += stream.read(size)
        stream.readline()


def parse_fields(
    content_type: str, body: bytes, query: str
) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Raw fields and uploaded files of a request: query string, then the body as JSON,
    urlencoded form or multipart form."""
    fields: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    uploads: dict[str, Upload] = {}
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json" and body:
        decoded = json.loads(body)
        if not isinstance(decoded, dict):
            raise bad_request("JSON object expected")
        fields.update(decoded)
    elif media_type == "application/x-www-form-urlencoded":
        fields.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif media_type == "multipart/form-data":
        parsed, uploads = _parse_multipart(content_type, body)
        fields.update(parsed)
    return fields, uploads


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    envelope = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    parsed = BytesParser(policy=HTTP).parsebytes(envelope + body)
    fields: dict[str, str] = {}
    uploads: dict[str, Upload] = {}
    for part in parsed.iter_parts() if parsed.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = _part_bytes(part)
        filename = part.get_filename()
        if filename is None:
            fields[name] = data.decode(part.get_content_charset() or "utf-8")
        else:
            uploads[name] = Upload(name, filename, part.get_content_type(), data)
    return fields, uploads


def _part_bytes(part: EmailMessage) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def decode_params(fields: dict[str, Any]) -> Params:
    """Fields with their Bot API types: Integer, Boolean and JSON-serialized objects parsed
    (a value that does not parse stays the string sent)."""
    return {name: _decode_value(name, value) for name, value in fields.items()}


def _decode_value(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in _INT_FIELDS and _INTEGER.fullmatch(value):
        return int(value)
    if name in _BOOL_FIELDS and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    if name in {"latitude", "longitude"}:
        try:
            return float(value)
        except ValueError:
            return value
    return value


def files_by_param(params: Params, uploads: dict[str, Upload]) -> dict[str, Upload]:
    """Uploads keyed by the parameter that refers to them: a field "photo" with
    "attach://<name>" (aiogram's way) or the part named "photo" itself."""
    found: dict[str, Upload] = {}
    referenced: set[str] = set()
    for name, value in params.items():
        if isinstance(value, str) and value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if part in uploads:
                found[name] = uploads[part]
                referenced.add(part)
    for name, upload in uploads.items():
        if name not in referenced:
            found.setdefault(name, upload)
    return found


# Formatting: parse_mode to plain text and entities ---------------------------------------------


@dataclass
class _OpenEntity:
    marker: str
    type_: str | None
    offset: int
    byte_offset: int
    extra: JsonDict = field(default_factory=dict)


_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}


class _HtmlParser(HTMLParser):
    """Telegram's HTML style: the documented tags only, properly nested."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._source = source
        self._line_starts = [0]
        for line in source.splitlines(keepends=True):
            self._line_starts.append(self._line_starts[-1] + len(line))
        self._parts: list[str] = []
        self._offset = 0
        self._open: list[_OpenEntity] = []
        self._entities: list[JsonDict] = []

    def parse(self) -> tuple[str, list[JsonDict]]:
        self.feed(self._source)
        self.close()
        if self._open:
            tag = self._open[-1].marker
            raise _ParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        return "".join(self._parts), self._entities

    def _byte_offset(self) -> int:
        line, column = self.getpos()
        return len(self._source[: self._line_starts[line - 1] + column].encode())

    def handle_data(self, data: str) -> None:
        self._parts.append(data)
        self._offset += tg.utf16_len(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        type_, extra = self._entity_of(tag, values)
        self._open.append(_OpenEntity(tag, type_, self._offset, self._byte_offset(), extra))

    def _entity_of(self, tag: str, attrs: dict[str, str]) -> tuple[str | None, JsonDict]:
        if tag == "a":
            return "text_link", {"url": attrs.get("href", "")}
        if tag == "span" and attrs.get("class") == "tg-spoiler":
            return "spoiler", {}
        if tag == "blockquote":
            return ("expandable_blockquote" if "expandable" in attrs else "blockquote"), {}
        if tag == "tg-emoji":
            return "custom_emoji", {"custom_emoji_id": attrs.get("emoji-id", "")}
        if tag == "code" and self._open and self._open[-1].marker == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-"):
                self._open[-1].extra["language"] = language.removeprefix("language-")
            return None, {}
        if tag in _HTML_ENTITY_TYPES:
            return _HTML_ENTITY_TYPES[tag], {}
        raise _ParseError(f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')

    def handle_endtag(self, tag: str) -> None:
        if not self._open:
            raise _ParseError(f"Unexpected end tag at byte offset {self._byte_offset()}")
        opened = self._open.pop()
        if opened.marker != tag:
            raise _ParseError(
                f"Unmatched end tag at byte offset {self._byte_offset()}, "
                f'expected "</{opened.marker}>", found "</{tag}>"'
            )
        length = self._offset - opened.offset
        if opened.type_ and length > 0:
            self._entities.append(
                {"offset": opened.offset, "length": length, "type": opened.type_, **opened.extra}
            )


_MARKDOWN_V2_MARKERS = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}
_MARKDOWN_V2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_ENTITY_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


class _MarkdownV2Parser:
    """Telegram's MarkdownV2 style: markers, links, code, blockquotes, and every other
    reserved character escaped with a backslash."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._index = 0
        self._parts: list[str] = []
        self._offset = 0
        self._open: list[_OpenEntity] = []
        self._entities: list[JsonDict] = []
        self._quote: int | None = None

    def parse(self) -> tuple[str, list[JsonDict]]:
        while self._index < len(self._source):
            self._step()
        self._close_quote()
        if self._open:
            opened = self._open[-1]
            name = _ENTITY_NAMES.get(opened.type_ or "", "TextUrl")
            raise _ParseError(
                f"Can't find end of {name} entity at byte offset {opened.byte_offset}"
            )
        return "".join(self._parts), self._entities

    def _byte_offset(self) -> int:
        return len(self._source[: self._index].encode())

    def _emit(self, text: str) -> None:
        self._parts.append(text)
        self._offset += tg.utf16_len(text)

    def _add(self, type_: str, start: int, **extra: Any) -> None:
        if self._offset > start:
            self._entities.append(
                {"offset": start, "length": self._offset - start, "type": type_, **extra}
            )

    def _step(self) -> None:
        source, index = self._source, self._index
        char = source[index]
        at_line_start = index == 0 or source[index - 1] == "\n"
        if char == "\\" and index + 1 < len(source):
            self._emit(source[index + 1])
            self._index += 2
        elif source.startswith("```", index):
            self._pre()
        elif char == "`":
            self._code()
        elif source[index : index + 2] in _MARKDOWN_V2_MARKERS:
            self._toggle(source[index : index + 2])
        elif char in _MARKDOWN_V2_MARKERS:
            self._toggle(char)
        elif char == "[":
            self._open.append(_OpenEntity("[", "text_link", self._offset, self._byte_offset()))
            self._index += 1
        elif char == "]" and self._open and self._open[-1].marker == "[":
            self._link_end()
        elif char == ">" and at_line_start:
            if self._quote is None:
                self._quote = self._offset
            self._index += 1
        elif char == "\n":
            if not source.startswith(">", index + 1):
                self._close_quote()
            self._emit(char)
            self._index += 1
        elif char in _MARKDOWN_V2_RESERVED:
            raise _ParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            self._emit(char)
            self._index += 1

    def _toggle(self, marker: str) -> None:
        for position in range(len(self._open) - 1, -1, -1):
            if self._open[position].marker == marker:
                opened = self._open.pop(position)
                self._add(opened.type_ or "", opened.offset)
                break
        else:
            type_ = _MARKDOWN_V2_MARKERS[marker]
            self._open.append(_OpenEntity(marker, type_, self._offset, self._byte_offset()))
        self._index += len(marker)

    def _literal_until(self, closing: str) -> str:
        """Text up to `closing` (escapes of ` and \\ resolved), moving past `closing`."""
        source, index, literal = self._source, self._index, []
        while index < len(source) and not source.startswith(closing, index):
            if source[index] == "\\" and index + 1 < len(source):
                index += 1
            literal.append(source[index])
            index += 1
        if index >= len(source):
            raise _ParseError(self._unclosed(closing))
        self._index = index + len(closing)
        return "".join(literal)

    def _unclosed(self, closing: str) -> str:
        name = {"```": "Pre", "`": "Code", ")": "TextUrl"}[closing]
        return f"Can't find end of {name} entity at byte offset {self._byte_offset()}"

    def _code(self) -> None:
        self._index += 1
        start = self._offset
        self._emit(self._literal_until("`"))
        self._add("code", start)

    def _pre(self) -> None:
        self._index += 3
        text, language = _pre_body(self._literal_until("```"))
        start = self._offset
        self._emit(text)
        self._add("pre", start, **({"language": language} if language else {}))

    def _link_end(self) -> None:
        opened = self._open.pop()
        if not self._source.startswith("(", self._index + 1):
            raise _ParseError(
                "Character ']' is reserved and must be escaped with the preceding '\\'"
            )
        self._index += 2
        url = self._literal_until(")")
        self._add("text_link", opened.offset, url=url)

    def _close_quote(self) -> None:
        if self._quote is not None:
            self._add("blockquote", self._quote)
            self._quote = None


_MARKDOWN_MARKERS = (
    ("```", "pre"),
    ("*", "bold"),
    ("_", "italic"),
    ("`", "code"),
    ("[", "text_link"),
)


def _parse_markdown(source: str) -> tuple[str, list[JsonDict]]:
    """Telegram's legacy Markdown style: *bold*, _italic_, `code`, ```pre```, [text](url);
    entities do not nest; \\ escapes _ * ` [ outside them."""
    parts: list[str] = []
    entities: list[JsonDict] = []
    offset, index = 0, 0
    while index < len(source):
        if source[index] == "\\" and source[index + 1 : index + 2] in {"_", "*", "`", "["}:
            literal, index = source[index + 1], index + 2
        elif (found := _markdown_entity(source, index)) is not None:
            literal, fields, index = found
            if literal:
                entities.append({"offset": offset, "length": tg.utf16_len(literal), **fields})
        else:
            literal, index = source[index], index + 1
        parts.append(literal)
        offset += tg.utf16_len(literal)
    return "".join(parts), entities


def _markdown_entity(source: str, index: int) -> tuple[str, JsonDict, int] | None:
    """The legacy Markdown entity opening at `index`: its text, its fields (type first) and
    the index after it; None when no marker opens there."""
    marker, type_ = next(
        ((m, t) for m, t in _MARKDOWN_MARKERS if source.startswith(m, index)), ("", "")
    )
    if not marker:
        return None
    start = index + len(marker)
    closing = "](" if marker == "[" else marker
    end = source.find(closing, start)
    url_end = source.find(")", end + 2) if marker == "[" and end >= 0 else end
    if end < 0 or url_end < 0:
        byte_offset = len(source[:index].encode())
        raise _ParseError(f"Can't find end of the entity starting at byte offset {byte_offset}")
    inner = source[start:end]
    if marker == "[":
        return inner, {"type": type_, "url": source[end + 2 : url_end]}, url_end + 1
    if marker == "```":
        body, language = _pre_body(inner)
        return body, {"type": type_, **({"language": language} if language else {})}, end + 3
    return inner, {"type": type_}, end + len(marker)


def _pre_body(body: str) -> tuple[str, str | None]:
    """A pre block's text and language: "```python\\ncode```" names its language on the first
    line."""
    first_line, newline, rest = body.partition("\n")
    if newline and first_line and " " not in first_line:
        return rest, first_line
    return body.removeprefix("\n"), None


def format_text(
    text: str, parse_mode: str | None, entities: list[JsonDict] | None
) -> tuple[str, list[JsonDict]]:
    """Plain text and entities of a message as Telegram stores it: formatting parsed, the
    entities Telegram detects on its own added, surrounding whitespace trimmed."""
    if parse_mode and entities:
        entities = None  # Telegram ignores parse_mode's markup when entities are given
        parse_mode = None
    try:
        plain, found = _parse(text, parse_mode, entities)
    except _ParseError as error:
        raise bad_request(f"can't parse entities: {error}") from None
    detected = [
        item
        for item in tg.detect_entities(plain)
        if not any(_overlaps(item, explicit) for explicit in found)
    ]
    return _trim(plain, sorted(found + detected, key=lambda e: (e["offset"], -e["length"])))


def _parse(
    text: str, parse_mode: str | None, entities: list[JsonDict] | None
) -> tuple[str, list[JsonDict]]:
    mode = (parse_mode or "").lower()
    if not mode:
        return text, list(entities or [])
    if mode == "html":
        return _HtmlParser(text).parse()
    if mode == "markdownv2":
        return _MarkdownV2Parser(text).parse()
    if mode == "markdown":
        return _parse_markdown(text)
    raise bad_request("unsupported parse_mode")


def _overlaps(one: JsonDict, other: JsonDict) -> bool:
    return bool(
        one["offset"] < other["offset"] + other["length"]
        and other["offset"] < one["offset"] + one["length"]
    )


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Telegram strips whitespace around a message's text; entities move with it."""
    stripped = text.strip()
    if not stripped:
        return "", []
    shift = tg.utf16_len(text[: len(text) - len(text.lstrip())])
    end = tg.utf16_len(stripped)
    kept: list[JsonDict] = []
    for item in entities:
        start = max(0, item["offset"] - shift)
        stop = min(end, item["offset"] + item["length"] - shift)
        if stop > start:
            kept.append({**item, "offset": start, "length": stop - start})
    return stripped, kept


# Reply markup ----------------------------------------------------------------------------------

_INLINE_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_KEYBOARD_KINDS = ("inline_keyboard", "keyboard", "remove_keyboard", "force_reply")


def check_reply_markup(markup: Any) -> JsonDict | None:
    """The markup to keep on the message (inline keyboards only), after Telegram's checks."""
    if markup is None:
        return None
    if not isinstance(markup, dict) or not any(kind in markup for kind in _KEYBOARD_KINDS):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            _check_inline_button(button)
    return {"inline_keyboard": rows}


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [name for name in _INLINE_BUTTON_ACTIONS if name in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not re.match(r"(https?|tg)://\S+$", str(url)):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


# The fake --------------------------------------------------------------------------------------

_API_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?$")
_FILE_PATH = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


class FakeTelegram:
    """Telegram's Bot API servers on loopback: start it (it is a context manager), add bots,
    point aiogram at `base_url`, then read what was called from `calls`."""

    def __init__(self, *, strict_chats: bool = True) -> None:
        self.strict_chats = strict_chats
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._bots: dict[str, BotAccount] = {}
        self._chats: dict[int, JsonDict] = {}
        self._chat_info: dict[int, JsonDict] = {}
        self._users: dict[int, JsonDict] = {}
        self._members: dict[tuple[int, int], JsonDict] = {}
        self._messages: dict[tuple[int, int], StoredMessage] = {}
        self._last_message_id: dict[int, int] = {}
        self._files: dict[str, StoredFile] = {}
        self._file_numbers = count(1)
        self._calls: list[Call] = []
        self._downloads: list[str] = []
        self._failures: list[ScriptedFailure] = []
        self._blocked: set[int] = set()
        self._delays: dict[str | None, float] = {}
        self._internal_errors: list[Exception] = []
        self._profile_photos: dict[int, list[list[JsonDict]]] = {}
        self._handlers: dict[str, Callable[[BotAccount, Params, dict[str, Upload]], Any]] = {
            "getMe": self._get_me,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getUserProfilePhotos": self._get_user_profile_photos,
        }
        self._method_names = {name.lower(): name for name in self._handlers}

    # Lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Self:
        """Listen on a free port of 127.0.0.1, serving from a background thread."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-telegram",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`: give it to `TelegramAPIServer.from_base`."""
        if self._server is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    # Bots, chats, users, files ----------------------------------------------------------------

    def add_bot(
        self,
        token: str,
        *,
        id: int,
        username: str,
        first_name: str = "Helpdesk bot",
        can_read_all_group_messages: bool = False,
    ) -> None:
        """Make `token` valid: a bot with this identity (privacy mode on by default)."""
        with self._lock:
            account = BotAccount(token, id, username, first_name, can_read_all_group_messages)
            self._bots[token] = account
            self._users[id] = account.user()

    def bot_user(self, token: str) -> JsonDict:
        """The `User` of the bot with `token`, as it appears in messages and members."""
        with self._lock:
            return self._bots[token].user()

    def add_chat(self, chat: JsonDict, **full_info: Any) -> None:
        """Make a `Chat` known (as `tg.private_chat`, `group_chat`, `channel_chat` build it);
        `full_info` adds getChat's fields (`linked_chat_id`, `description`, ...)."""
        with self._lock:
            self._chats[chat["id"]] = copy.deepcopy(chat)
            self._chat_info.setdefault(chat["id"], {}).update(full_info)
            if chat["type"] == "private":
                self._users.setdefault(chat["id"], _user_of_private_chat(chat))

    def set_chat_member(self, chat_id: int, user: JsonDict, status: str, **fields: Any) -> None:
        """What getChatMember answers for `user` in `chat_id` (see `tg.chat_member`), e.g. the
        bot as an administrator of a channel with `can_post_messages=True`."""
        with self._lock:
            self._users.setdefault(user["id"], copy.deepcopy(user))
            self._members[(chat_id, user["id"])] = tg.chat_member(user, status, **fields)

    def learn(self, update: JsonDict) -> None:
        """Know what `update` showed Telegram: its chats, users and messages (message_ids
        then continue after them); a `my_chat_member` "kicked" in a private chat blocks."""
        with self._lock:
            for found in _walk(update):
                self._learn_object(found)
            changed = update.get("my_chat_member")
            if changed and changed["chat"]["type"] == "private":
                status = changed["new_chat_member"]["status"]
                if status == "kicked":
                    self._blocked.add(changed["chat"]["id"])
                elif status == "member":
                    self._blocked.discard(changed["chat"]["id"])

    def _learn_object(self, found: JsonDict) -> None:
        if {"id", "is_bot", "first_name"} <= found.keys():
            self._users.setdefault(found["id"], copy.deepcopy(found))
        if {"chat", "from", "date", "new_chat_member"} <= found.keys():
            self._learn_chat(found["chat"])
        if {"message_id", "chat", "date"} <= found.keys():
            chat = found["chat"]
            self._learn_chat(chat)
            key = (chat["id"], found["message_id"])
            self._messages.setdefault(key, StoredMessage(_without_reply(found), None))
            last = self._last_message_id.get(chat["id"], 0)
            self._last_message_id[chat["id"]] = max(last, found["message_id"])

    def _learn_chat(self, chat: JsonDict) -> None:
        self._chats.setdefault(chat["id"], copy.deepcopy(chat))
        self._chat_info.setdefault(chat["id"], {})

    def add_file(
        self,
        file_id: str,
        content: bytes,
        *,
        file_unique_id: str | None = None,
        file_path: str | None = None,
    ) -> JsonDict:
        """Host `content` as the file `file_id` (as if a user had sent it); answers the `File`
        getFile will answer. A file_path under photos/ makes it a photo."""
        number = next(self._file_numbers)
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=file_unique_id or tg.file_unique_id_for(file_id),
            content=content,
            file_path=file_path or f"documents/file_{number}",
            kind="photo" if (file_path or "").startswith("photos/") else "document",
        )
        with self._lock:
            self._files[file_id] = stored
        return stored.as_file()

    def set_profile_photo(
        self, user_id: int, file_id: str, content: bytes, size: int = 640
    ) -> None:
        """Give a user a profile photo (getUserProfilePhotos answers it, newest first; its
        largest size downloads as `content`)."""
        self.add_file(file_id, content, file_path=f"photos/{file_id}.jpg")
        with self._lock:
            self._profile_photos.setdefault(user_id, []).insert(
                0, tg.photo_sizes(file_id, size, size, file_size=len(content))
            )

    def file_content(self, file_id: str) -> bytes:
        """The bytes of a hosted or uploaded file."""
        with self._lock:
            return self._files[file_id].content

    def message(self, chat_id: int, message_id: int) -> JsonDict | None:
        """A message as it now is (after edits), None if deleted or never known."""
        with self._lock:
            stored = self._messages.get((chat_id, message_id))
            return copy.deepcopy(stored.message) if stored else None

    def webhook(self, token: str) -> Webhook:
        """The webhook as setWebhook last set it for the bot with `token`."""
        with self._lock:
            return copy.deepcopy(self._bots[token].webhook)

    # Scripting ---------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: ChatKey | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` (only those to `chat_id`, if given) with
        this error. A 429's description defaults to Telegram's "Too Many Requests: retry after
        N" and carries `parameters.retry_after`."""
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else _DEFAULT_DESCRIPTIONS.get(error_code, "Error")
            )
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        error = ApiError(error_code, description, parameters)
        with self._lock:
            self._failures.append(ScriptedFailure(method.lower(), error, chat_id, times))

    def block_user(self, chat_id: int) -> None:
        """Every send to `chat_id` answers 403 "Forbidden: bot was blocked by the user"."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def delay(self, seconds: float, *, method: str | None = None) -> None:
        """Answer every call (or only `method`'s) `seconds` late; the call is recorded and
        takes effect on arrival, as a slow answer from Telegram does. 0 removes the delay."""
        with self._lock:
            key = method.lower() if method else None
            if seconds > 0:
                self._delays[key] = seconds
            else:
                self._delays.pop(key, None)

    def reset(self) -> None:
        """Forget recorded calls and downloads, scripted failures, blocks and delays (bots,
        chats, messages and files stay)."""
        with self._lock:
            self._calls.clear()
            self._downloads.clear()
            self._failures.clear()
            self._blocked.clear()
            self._delays.clear()

    # Recording ---------------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call so far, oldest first (a copy: safe to read while the server runs)."""
        with self._lock:
            return list(self._calls)

    @property
    def downloads(self) -> list[str]:
        """The file_paths downloaded so far."""
        with self._lock:
            return list(self._downloads)

    @property
    def internal_errors(self) -> list[Exception]:
        """Exceptions the fake itself raised while answering (answered as 500s): its bugs."""
        with self._lock:
            return list(self._internal_errors)

    def calls_of(self, method: str) -> list[Call]:
        """The calls of `method` (case-insensitive, as Telegram's method names are)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def sent_messages(self, chat_id: ChatKey | None = None) -> list[Call]:
        """Successful sendMessage/sendPhoto/sendDocument calls (to `chat_id`, if given: its
        numeric id or @username); each call's `message` is the Message answered."""
        return [
            call
            for call in self.calls
            if call.method in SEND_METHODS
            and call.ok
            and (chat_id is None or _is_chat(call.message or {}, chat_id))
        ]

    def wait_for(
        self, predicate_or_method: str | Callable[[Call], bool], timeout: float = 10.0
    ) -> Call:
        """The first call that matches (a method name, or a predicate of a Call), waiting up to
        `timeout` seconds for it. Blocks the thread: in async tests use `wait_for_async`."""
        matches = _matcher(predicate_or_method)
        deadline = time.monotonic() + timeout
        while True:
            found = next((call for call in self.calls if matches(call)), None)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(predicate_or_method, timeout))
            time.sleep(0.01)

    async def wait_for_async(
        self, predicate_or_method: str | Callable[[Call], bool], timeout: float = 10.0
    ) -> Call:
        """`wait_for` that lets the event loop run (the code under test may share it)."""
        matches = _matcher(predicate_or_method)
        deadline = time.monotonic() + timeout
        while True:
            found = next((call for call in self.calls if matches(call)), None)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(predicate_or_method, timeout))
            await asyncio.sleep(0.01)

    def _timeout_message(self, wanted: str | Callable[[Call], bool], timeout: float) -> str:
        seen = [f"{call.method}->{call.answered_with}" for call in self.calls]
        return f"no call matching {wanted!r} within {timeout}s; calls: {seen}"

    # HTTP --------------------------------------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        try:
            self._route(handler)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a delayed answer): Telegram does not mind either
        except Exception as error:  # a bug of the fake, not an answer of Telegram's
            with self._lock:
                self._internal_errors.append(error)
            problem = ApiError(500, f"Internal Server Error: the fake failed: {error!r}")
            handler.send_json(500, problem.answer())

    def _route(self, handler: _Handler) -> None:
        url = urlsplit(handler.path)
        path = unquote(url.path)
        if file_match := _FILE_PATH.match(path):
            self._serve_file(handler, file_match["token"], file_match["path"])
            return
        api_match = _API_PATH.match(path)
        if api_match is None:
            handler.send_json(404, ApiError(404, "Not Found").answer())
            return
        arrived = time.monotonic()
        try:
            fields, uploads = parse_fields(
                handler.headers.get("Content-Type", ""), read_body(handler), url.query
            )
        except (ApiError, ValueError, UnicodeDecodeError) as error:
            problem = error if isinstance(error, ApiError) else bad_request(str(error))
            handler.send_json(problem.error_code, problem.answer())
            return
        call = self._call(api_match["token"], api_match["method"], fields, uploads, arrived)
        delay = self._delay_for(call.method)
        if delay:
            time.sleep(delay)
        handler.send_json(call.answered_with, call.answer)

    def _delay_for(self, method: str) -> float:
        with self._lock:
            return self._delays.get(method.lower(), self._delays.get(None, 0.0))

    def _serve_file(self, handler: _Handler, token: str, file_path: str) -> None:
        with self._lock:
            if token not in self._bots:
                handler.send_json(401, ApiError(401, "Unauthorized").answer())
                return
            found = next((f for f in self._files.values() if f.file_path == file_path), None)
            if found is not None:
                self._downloads.append(file_path)
        if found is None:
            handler.send_json(404, ApiError(404, "Not Found").answer())
            return
        content_type = mimetypes.guess_type(file_path)[0] or "application/octet-stream"
        handler.send_bytes(200, found.content, content_type)

    def _call(
        self,
        token: str,
        method: str,
        fields: dict[str, Any],
        uploads: dict[str, Upload],
        arrived: float,
    ) -> Call:
        params = decode_params(fields)
        files = files_by_param(params, uploads)
        with self._lock:
            name = self._method_names.get(method.lower(), method)
            status, answer = self._dispatch(token, name, params, files)
            call = Call(
                method=name,
                token=token,
                params=params,
                files={key: upload.data for key, upload in files.items()},
                at=arrived,
                answered_with=status,
                answer=answer,
                file_names={key: upload.filename for key, upload in files.items()},
            )
            self._calls.append(call)
        return call

    def _dispatch(
        self, token: str, method: str, params: Params, files: dict[str, Upload]
    ) -> tuple[int, JsonDict]:
        bot = self._bots.get(token)
        try:
            if bot is None:
                raise ApiError(401, "Unauthorized")
            self._raise_scripted(method, params)
            handler = self._handlers.get(method)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if method in SEND_METHODS and params.get("chat_id") in self._blocked:
                raise ApiError(403, BLOCKED)
            result = handler(bot, params, files)
        except ApiError as error:
            return error.error_code, error.answer()
        if isinstance(result, _Answer):
            return 200, {"ok": True, "result": result.result, "description": result.description}
        return 200, {"ok": True, "result": result}

    def _raise_scripted(self, method: str, params: Params) -> None:
        for failure in self._failures:
            if failure.method != method.lower():
                continue
            if failure.chat_id is not None and params.get("chat_id") != failure.chat_id:
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
            raise failure.error

    # Chats -------------------------------------------------------------------------------------

    def _chat(self, chat_id: Any) -> JsonDict:
        """The Chat `chat_id` (a number or "@username") names, as Telegram would find it."""
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            return self._chat_by_username(chat_id[1:])
        if not isinstance(chat_id, int):
            raise bad_request("chat not found")
        known = self._chats.get(chat_id)
        if known is not None:
            return known
        if self.strict_chats:
            if chat_id in self._users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        return self._made_up_chat(chat_id)

    def _chat_by_username(self, username: str) -> JsonDict:
        for chat in self._chats.values():
            if str(chat.get("username", "")).lower() == username.lower():
                return chat
        raise bad_request("chat not found")

    def _made_up_chat(self, chat_id: int) -> JsonDict:
        if chat_id > 0:
            user = self._users.get(chat_id) or tg.user(chat_id, f"User {chat_id}")
            chat = tg.private_chat(user)
        elif str(chat_id).startswith("-100"):
            chat = tg.group_chat(chat_id, f"Chat {chat_id}")
        else:
            chat = tg.group_chat(chat_id, f"Chat {chat_id}", type="group")
        self._chats[chat_id] = chat
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    # Methods: bot and webhook ------------------------------------------------------------------

    def _get_me(self, bot: BotAccount, params: Params, files: dict[str, Upload]) -> JsonDict:
        return bot.me()

    def _set_webhook(self, bot: BotAccount, params: Params, files: dict[str, Upload]) -> _Answer:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(bot, params, files)
        _check_webhook_url(url)
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed updates JSON object")
        was = bot.webhook
        bot.webhook = Webhook(
            url=url,
            secret_token=secret,
            allowed_updates=allowed if allowed is not None else was.allowed_updates,
            drop_pending_updates=bool(params.get("drop_pending_updates", False)),
            max_connections=int(params.get("max_connections") or 40),
            ip_address=params.get("ip_address"),
        )
        same = was.url == url and was.secret_token == secret
        return _Answer(True, "Webhook is already set" if same else "Webhook was set")

    def _delete_webhook(self, bot: BotAccount, params: Params, files: dict[str, Upload]) -> _Answer:
        was_set = bool(bot.webhook.url)
        bot.webhook = Webhook(
            allowed_updates=bot.webhook.allowed_updates,
            drop_pending_updates=bool(params.get("drop_pending_updates", False)),
        )
        return _Answer(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    def _get_webhook_info(
        self, bot: BotAccount, params: Params, files: dict[str, Upload]
    ) -> JsonDict:
        return bot.webhook.info()

    def _get_updates(self, bot: BotAccount, params: Params, files: dict[str, Upload]) -> list[Any]:
        if bot.webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        return []  # the fake queues no updates

    # Methods: sending --------------------------------------------------------------------------

    def _new_message(self, bot: BotAccount, params: Params, **content: Any) -> JsonDict:
        """A Message from `bot` in params' chat, stored, with the next message_id there."""
        chat = self._chat(params.get("chat_id"))
        reply_to = self._replied_message(chat, params)
        is_channel = chat["type"] == "channel"
        markup = check_reply_markup(params.get("reply_markup"))
        sent = tg.message(
            chat=chat,
            message_id=self._next_message_id(chat["id"]),
            from_=None if is_channel else bot.user(),
            sender_chat=chat if is_channel else None,
            message_thread_id=params.get("message_thread_id"),
            reply_to_message=reply_to,
            **content,
            reply_markup=markup,
        )
        self._messages[(chat["id"], sent["message_id"])] = StoredMessage(
            _without_reply(sent), bot.id
        )
        return copy.deepcopy(sent)

    def _replied_message(self, chat: JsonDict, params: Params) -> JsonDict | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply"))
            chat_id = self._chat(reply["chat_id"])["id"] if "chat_id" in reply else chat["id"]
        elif params.get("reply_to_message_id") is not None:
            message_id = params["reply_to_message_id"]
            allow_missing = bool(params.get("allow_sending_without_reply"))
            chat_id = chat["id"]
        else:
            return None
        if not isinstance(message_id, int):
            raise bad_request("message to be replied not found")
        stored = self._messages.get((chat_id, message_id))
        if stored is None:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return copy.deepcopy(stored.message)

    def _send_message(self, bot: BotAccount, params: Params, files: dict[str, Upload]) -> JsonDict:
        self._chat(params.get("chat_id"))
        text, entities = format_text(
            str(params.get("text") or ""), params.get("parse_mode"), params.get("entities")
        )
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return self._new_message(
            bot,
            params,
            text=text,
            entities=entities or None,
            link_preview_options=_link_preview_options(params),
        )

    def _send_photo(self, bot: BotAccount, params: Params, files: dict[str, Upload]) -> JsonDict:
        self._chat(params.get("chat_id"))
        caption = self._caption(params)
        upload = files.get("photo")
        if upload is not None:
            photo = self._store_photo(upload)
        else:
            photo = self._known_file(params.get("photo"), "photo").photo or []
        return self._new_message(bot, params, photo=photo, **caption)

    def _send_document(self, bot: BotAccount, params: Params, files: dict[str, Upload]) -> JsonDict:
        self._chat(params.get("chat_id"))
        caption = self._caption(params)
        upload = files.get("document")
        if upload is not None:
            document = self._store_document(upload)
        else:
            document = self._known_file(params.get("document"), "document").document or {}
        return self._new_message(bot, params, document=document, **caption)

    def _send_chat_action(self, bot: BotAccount, params: Params, files: dict[str, Upload]) -> bool:
        self._chat(params.get("chat_id"))
        if not params.get("action"):
            raise bad_request("action is empty")
        return True

    def _caption(self, params: Params) -> JsonDict:
        caption, entities = format_text(
            str(params.get("caption") or ""),
            params.get("parse_mode"),
            params.get("caption_entities"),
        )
        if len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return {"caption": caption or None, "caption_entities": entities or None}

    # Files -------------------------------------------------------------------------------------

    def _known_file(self, reference: Any, kind: str) -> StoredFile:
        """A file re-sent by file_id; `kind` is what it is sent as ("photo", "document")."""
        if not reference:
            raise bad_request(f"there is no {kind} in the request")
        reference = str(reference)
        if reference.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        if reference.startswith("attach://"):
            raise bad_request(f"there is no {kind} in the request")
        stored = self._files.get(reference)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request("type of file mismatch")
        return self._described(stored)

    def _described(self, stored: StoredFile) -> StoredFile:
        """`stored` with the PhotoSize list or Document it is sent as (for hosted files)."""
        if stored.kind == "photo" and stored.photo is None:
            width, height = _image_size(stored.content) or (0, 0)
            stored.photo = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(stored.content),
                    "width": width,
                    "height": height,
                }
            ]
        if stored.kind == "document" and stored.document is None:
            stored.document = _document(stored, stored.file_path.rsplit("/", 1)[-1])
        return stored

    def _store_photo(self, upload: Upload) -> list[JsonDict]:
        """Telegram's sizes of an uploaded photo, each re-encoded as JPEG and hosted."""
        if not upload.data:
            raise bad_request("file must be non-empty")
        if len(upload.data) > MAX_PHOTO_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        image = _open_image(upload.data)
        if image is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        if image.width + image.height > 10_000:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        sizes = tg.photo_sizes(_new_file_id("photo"), image.width, image.height)
        for size in sizes:
            content = _jpeg(image, size["width"], size["height"])
            size["file_size"] = len(content)
            self._files[size["file_id"]] = StoredFile(
                file_id=size["file_id"],
                file_unique_id=size["file_unique_id"],
                content=content,
                file_path=f"photos/file_{next(self._file_numbers)}.jpg",
                kind="photo",
                photo=sizes,
            )
        return sizes

    def _store_document(self, upload: Upload) -> JsonDict:
        if not upload.data:
            raise bad_request("file must be non-empty")
        if len(upload.data) > MAX_FILE_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        file_name = upload.filename or "file"
        suffix = "." + file_name.rsplit(".", 1)[-1] if "." in file_name else ""
        file_id = _new_file_id("document")
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=_new_unique_id("document"),
            content=upload.data,
            file_path=f"documents/file_{next(self._file_numbers)}{suffix}",
            kind="document",
        )
        stored.document = _document(stored, file_name)
        self._files[file_id] = stored
        return stored.document

    def _get_file(self, bot: BotAccount, params: Params, files: dict[str, Upload]) -> JsonDict:
        file_id = params.get("file_id")
        if not file_id:
            raise bad_request("file_id is empty")
        stored = self._files.get(str(file_id))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return stored.as_file()

    # Methods: editing and deleting -------------------------------------------------------------

    def _editable(self, bot: BotAccount, params: Params) -> StoredMessage:
        chat = self._chat(params.get("chat_id"))
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad_request("message identifier is not specified")
        stored = self._messages.get((chat["id"], message_id))
        if stored is None:
            raise bad_request("message to edit not found")
        if stored.sent_by != bot.id:
            raise bad_request("message can't be edited")
        return stored

    def _apply_edit(self, stored: StoredMessage, changes: JsonDict) -> JsonDict:
        before = {key: stored.message.get(key) for key in changes}
        if before == changes:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        for key, value in changes.items():
            if value is None:
                stored.message.pop(key, None)
            else:
                stored.message[key] = value
        stored.message["edit_date"] = int(time.time())
        return copy.deepcopy(stored.message)

    def _edit_message_text(
        self, bot: BotAccount, params: Params, files: dict[str, Upload]
    ) -> JsonDict | bool:
        text, entities = format_text(
            str(params.get("text") or ""), params.get("parse_mode"), params.get("entities")
        )
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        markup = check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        stored = self._editable(bot, params)
        if "text" not in stored.message:
            raise bad_request("there is no text in the message to edit")
        changes = {"text": text, "entities": entities or None, "reply_markup": markup}
        return self._apply_edit(stored, changes)

    def _edit_message_caption(
        self, bot: BotAccount, params: Params, files: dict[str, Upload]
    ) -> JsonDict | bool:
        caption = self._caption(params)
        markup = check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        stored = self._editable(bot, params)
        if "text" in stored.message:
            raise bad_request("there is no caption in the message to edit")
        return self._apply_edit(stored, {**caption, "reply_markup": markup})

    def _edit_message_reply_markup(
        self, bot: BotAccount, params: Params, files: dict[str, Upload]
    ) -> JsonDict | bool:
        markup = check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        stored = self._editable(bot, params)
        return self._apply_edit(stored, {"reply_markup": markup})

    def _delete_message(self, bot: BotAccount, params: Params, files: dict[str, Upload]) -> bool:
        chat = self._chat(params.get("chat_id"))
        if params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        if self._messages.pop((chat["id"], params["message_id"]), None) is None:
            raise bad_request("message to delete not found")
        return True

    def _answer_callback_query(
        self, bot: BotAccount, params: Params, files: dict[str, Upload]
    ) -> bool:
        if not params.get("callback_query_id"):
            raise bad_request("query_id is empty")  # unknown ids are accepted: none are tracked
        return True

    # Methods: chats ----------------------------------------------------------------------------

    def _get_chat(self, bot: BotAccount, params: Params, files: dict[str, Upload]) -> JsonDict:
        chat = self._chat(params.get("chat_id"))
        info = self._chat_info.get(chat["id"], {})
        return {
            **chat,
            "accent_color_id": abs(chat["id"]) % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
            **info,
        }

    def _get_user_profile_photos(
        self, bot: BotAccount, params: Params, files: dict[str, Upload]
    ) -> JsonDict:
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise bad_request(
                "user_id is empty" if user_id is None else "invalid user_id specified"
            )
        photos = self._profile_photos.get(user_id, [])
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        return {
            "total_count": len(photos),
            "photos": copy.deepcopy(photos[offset : offset + limit]),
        }

    def _get_chat_member(
        self, bot: BotAccount, params: Params, files: dict[str, Upload]
    ) -> JsonDict:
        chat = self._chat(params.get("chat_id"))
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise bad_request(
                "user_id is empty" if user_id is None else "invalid user_id specified"
            )
        member = self._members.get((chat["id"], user_id))
        if member is not None:
            return copy.deepcopy(member)
        user = self._users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat["type"] == "private" and user_id in {chat["id"], bot.id}:
            return tg.chat_member(user, "member")
        return tg.chat_member(user, "left")


# Helpers of the fake ---------------------------------------------------------------------------


def _walk(value: Any) -> Iterator[JsonDict]:
    """Every dict inside `value` (itself included), depth first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _without_reply(message: JsonDict) -> JsonDict:
    """A message as Telegram puts it in `reply_to_message`: without a reply of its own."""
    copied = copy.deepcopy(message)
    copied.pop("reply_to_message", None)
    return copied


def _user_of_private_chat(chat: JsonDict) -> JsonDict:
    return tg.user(
        chat["id"], chat.get("first_name", ""), chat.get("last_name"), chat.get("username")
    )


def _is_chat(message: JsonDict, chat_id: ChatKey) -> bool:
    chat = message.get("chat", {})
    if isinstance(chat_id, str):
        return str(chat.get("username", "")).lower() == chat_id.removeprefix("@").lower()
    return chat.get("id") == chat_id


def _matcher(wanted: str | Callable[[Call], bool]) -> Callable[[Call], bool]:
    if isinstance(wanted, str):
        return lambda call: call.method.lower() == wanted.lower()
    return wanted


def _check_webhook_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if (parts.port or 443) not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def _link_preview_options(params: Params) -> JsonDict | None:
    options = params.get("link_preview_options")
    if isinstance(options, dict) and options:
        return options
    if params.get("disable_web_page_preview") is True:
        return {"is_disabled": True}
    return None


def _document(stored: StoredFile, file_name: str) -> JsonDict:
    document: JsonDict = {"file_name": file_name}
    mime_type = mimetypes.guess_type(file_name)[0]
    if mime_type:
        document["mime_type"] = mime_type
    document.update(
        file_id=stored.file_id,
        file_unique_id=stored.file_unique_id,
        file_size=len(stored.content),
    )
    return document


_FILE_ID_PREFIXES = {"photo": "AgACAgIAAxkDAAI", "document": "BQACAgIAAxkDAAI"}
_UNIQUE_ID_PREFIXES = {"photo": "AQAD", "document": "AgAD"}


def _new_file_id(kind: str) -> str:
    return _FILE_ID_PREFIXES[kind] + secrets.token_urlsafe(48)


def _new_unique_id(kind: str) -> str:
    return _UNIQUE_ID_PREFIXES[kind] + secrets.token_urlsafe(9)


def _open_image(data: bytes) -> Any:
    """The decoded image (Pillow), None when `data` is no image Telegram would take."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return image


def _image_size(data: bytes) -> tuple[int, int] | None:
    image = _open_image(data)
    return None if image is None else (image.width, image.height)


def _jpeg(image: Any, width: int, height: int) -> bytes:
    output = io.BytesIO()
    image.convert("RGB").resize((width, height)).save(output, format="JPEG", quality=85)
    return output.getvalue()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent sends connect at once
    fake: FakeTelegram


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 30
    server_version = "nginx"
    sys_version = ""

    def do_POST(self) -> None:
        self.server.fake._serve(self)

    do_GET = do_POST

    def send_json(self, status: int, body: JsonDict) -> None:
        self.send_bytes(status, json.dumps(body, ensure_ascii=False).encode(), "application/json")

    def send_bytes(self, status: int, content: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the calls are recorded instead."""


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A started FakeTelegram (no bots yet: `add_bot` first), stopped after the test.

    Register it with `pytest_plugins = ["tests.fakes.telegram_api"]` in a conftest, or import
    it into the test module."""
    with FakeTelegram() as fake:
        yield fake
    assert not fake.internal_errors, f"the Telegram fake failed: {fake.internal_errors!r}"
