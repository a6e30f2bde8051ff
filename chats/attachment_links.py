"""Signed, expiring links to attachments: `/files/<token>/<name>`.

Whoever may see a message gets links to its files with it (REST answers and frames alike); the
link itself is the permission, so an `<img>` can load it without a token, and it stops working
after `ATTACHMENT_URL_TTL`. Links expire at the end of an hour, so a message read twice within
the hour gets the same link and the browser's cache keeps the file.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core import signing

SALT = "chats.attachment-link"
BUCKET_SECONDS = 3600


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def link_expiry(now: float | None = None) -> int:
    """The moment (Unix seconds) a link made now stops working: at least the TTL from now,
    rounded up to the hour."""
    moment = time.time() if now is None else now
    latest = int(moment) + settings.ATTACHMENT_URL_TTL
    return latest + (-latest % BUCKET_SECONDS)


def file_path(attachment_id: int, name: str, *, now: float | None = None) -> str:
    token = _signer().sign(f"{attachment_id}.{link_expiry(now)}")
    return f"/files/{token}/{quote(name, safe='')}"


def attachment_id_of(token: str, *, now: float | None = None) -> int | None:
    """The attachment a link's token names, or None when it is forged or has expired."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    attachment_id, _dot, expires = value.partition(".")
    if not attachment_id.isdigit() or not expires.isdigit():
        return None
    if int(expires) <= (time.time() if now is None else now):
        return None
    return int(attachment_id)


def attachments_data(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A message's attachments as clients get them: what was stored with it, and a link each."""
    if not stored:
        return []
    now = time.time()
    return [{**item, "url": file_path(item["id"], item["name"], now=now)} for item in stored]
