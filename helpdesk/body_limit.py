"""ASGI middleware that refuses a request body over `API_MAX_BODY_BYTES` (1 MiB; an upload's
path: the attachment limit) before reading it.

Django's ASGI handler reads the whole body before any middleware runs (into a temporary file
past 2.5 MB), so a check in Django comes after a 20 GB upload has filled the disk. Here a
`Content-Length` over the limit is answered 413 at once, without reading a byte of the body,
and a body without one (chunked) is counted as its `http.request` chunks arrive: the chunk that
crosses the limit ends the request with 413, and nothing more is read. The response closes the
connection, so the server does not go on reading (and discarding) the rest of the upload.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

from helpdesk.api_errors import error_body
from helpdesk.cors import WIDGET_PREFIX

Scope = dict[str, Any]
Message = dict[str, Any]


class _BodyTooLarge(Exception):
    """Raised into the application from `receive`: it stops reading the body there."""


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value)
    return None


def content_length(scope: Scope) -> int | None:
    """The declared body size, or None when there is none (chunked) or it is not a number."""
    raw = _header(scope, b"content-length")
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw)


def _language(scope: Scope) -> str:
    accept = (_header(scope, b"accept-language") or b"").decode("latin-1")
    for code, _quality in parse_accept_lang_header(accept):
        if code == "*":
            break
        try:
            return str(get_supported_language_variant(code))
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


# Paths that take a file (multipart): their limit is the file's, with room for the form around it.
UPLOAD_PATHS = frozenset({"/api/v1/attachments", "/api/widget/v1/attachments"})
FORM_OVERHEAD_BYTES = 64 * 1024


def body_limit(path: str) -> int:
    """The largest request body `path` takes."""
    if path in UPLOAD_PATHS:
        return int(settings.ATTACHMENT_MAX_BYTES) + FORM_OVERHEAD_BYTES
    return int(settings.API_MAX_BODY_BYTES)


def too_large_message(path: str) -> str:
    if path in UPLOAD_PATHS:
        return _("The file is larger than %(size)s MiB.") % {
            "size": f"{round(settings.ATTACHMENT_MAX_BYTES / 1024 / 1024, 1):g}"
        }
    return _("The request body is larger than 1 MiB.")


def too_large_code(path: str) -> str:
    return "attachment_too_large" if path in UPLOAD_PATHS else "too_large"


async def _answer_too_large(scope: Scope, send: Any) -> None:
    path = scope.get("path", "")
    with translation.override(_language(scope)):
        body = error_body(too_large_code(path), too_large_message(path))
    payload = json.dumps(body, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close"),
    ]
    origin = _header(scope, b"origin")
    if origin and path.startswith(WIDGET_PREFIX):  # the widget on another site reads why
        headers += [(b"access-control-allow-origin", origin), (b"vary", b"Origin")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class BodySizeLimit:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = body_limit(scope.get("path", ""))
        declared = content_length(scope)
        if declared is not None and declared > limit:
            await _answer_too_large(scope, send)
            return None
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message: Message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            return await self.app(scope, counting_receive, watching_send)
        except _BodyTooLarge:
            if started:
                raise  # too late for a 413: the server drops the connection
            await _answer_too_large(scope, send)
            return None
