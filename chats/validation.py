"""Input rules shared by every entry point (REST, widget, websockets, connectors)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from helpdesk.errors import ServiceError


def _is_unicode_text(text: str) -> bool:
    """False for text holding lone surrogates (JSON allows "\\ud800"; no database stores it)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class CleanBody(str):
    """A body `clean_body` accepted: checked once, however many services it passes through."""

    __slots__ = ()


def clean_body(body: Any) -> CleanBody:
    """A message body: text of 1 to 10,000 code points, not only whitespace, kept verbatim."""
    if isinstance(body, CleanBody):
        return body
    if not isinstance(body, str):
        raise ServiceError("invalid_body", _("The message body must be a string."))
    if not body.strip():
        raise ServiceError("empty_body", _("The message body is empty."))
    if len(body) > settings.MESSAGE_MAX_CHARS:
        raise ServiceError(
            "body_too_long",
            _("The message body is longer than %(limit)s characters.")
            % {"limit": settings.MESSAGE_MAX_CHARS},
        )
    if "\x00" in body:
        raise ServiceError("invalid_body", _("The message body contains a NUL character."))
    if not _is_unicode_text(body):
        raise ServiceError("invalid_body", _("The message body is not valid Unicode text."))
    return CleanBody(body)


def clean_client_id(client_id: Any) -> str | None:
    if client_id is None:
        return None
    if not isinstance(client_id, str) or not client_id or "\x00" in client_id:
        raise ServiceError("invalid_client_id", _("client_id must be a non-empty string."))
    if not _is_unicode_text(client_id):
        raise ServiceError("invalid_client_id", _("client_id must be a non-empty string."))
    if len(client_id) > settings.CLIENT_ID_MAX_CHARS:
        raise ServiceError(
            "invalid_client_id",
            _("client_id is longer than %(limit)s characters.")
            % {"limit": settings.CLIENT_ID_MAX_CHARS},
        )
    return client_id
