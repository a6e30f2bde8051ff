"""The contract's list shape `{"results": [...], "next": url | null}` with keyset cursors, so a
page costs the same at the millionth row as at the first."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from helpdesk.api_errors import ApiError


def int_param(request: Request, name: str, *, default: int, minimum: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError("invalid", _("%(name)s must be an integer.") % {"name": name}) from None
    if not minimum <= value <= maximum:
        raise ApiError(
            "invalid",
            _("%(name)s must be between %(lo)s and %(hi)s.")
            % {"name": name, "lo": minimum, "hi": maximum},
        )
    return value


def page_by_activity(request: Request, queryset: QuerySet[Any]) -> tuple[list[Any], str | None]:
    """Newest activity first; the cursor is the last row's (last_activity_at, id)."""
    limit = int_param(request, "limit", default=25, minimum=1, maximum=100)
    cursor = request.query_params.get("cursor")
    if cursor:
        try:
            stamp, _sep, last_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
            moment, pk = datetime.fromisoformat(stamp), int(last_id)
        except (ValueError, UnicodeDecodeError):
            raise ApiError("invalid_cursor", _("The cursor is not valid.")) from None
        queryset = queryset.filter(
            Q(last_activity_at__lt=moment) | Q(last_activity_at=moment, id__lt=pk)
        )
    rows = list(queryset[: limit + 1])
    next_url = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        token = f"{last.last_activity_at.isoformat()}|{last.pk}"
        next_url = replace_query_param(
            request.build_absolute_uri(),
            "cursor",
            base64.urlsafe_b64encode(token.encode()).decode(),
        )
    return rows, next_url


def next_after_seq(request: Request, rows: list[Any], limit: int) -> str | None:
    if len(rows) < limit:
        return None
    return replace_query_param(request.build_absolute_uri(), "after_seq", rows[-1].seq)
