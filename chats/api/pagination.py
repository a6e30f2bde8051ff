"""The contract's list shape `{"results": [...], "next": url | null}` with keyset cursors, so a
page costs the same at the millionth row as at the first."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from chats import selectors
from chats.serializers import message_data
from helpdesk.api_errors import ApiError

# The highest `after_seq` a client may send (a conversation never gets near it).
MAX_SEQ = 2**31


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


def page_by_activity(
    request: Request, queryset: QuerySet[Any], *, default_limit: int = 25, max_limit: int = 100
) -> tuple[list[Any], str | None]:
    """Newest activity first; the cursor is the last row's (last_activity_at, id)."""
    limit = int_param(request, "limit", default=default_limit, minimum=1, maximum=max_limit)
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


def page_by_keys(
    request: Request,
    queryset: QuerySet[Any],
    *,
    keys: tuple[str, ...],
    default_limit: int = 50,
    max_limit: int = 200,
) -> tuple[list[Any], str | None]:
    """Keyset pagination on `keys` (model field names, `-` for descending, the last one
    unique), the order the queryset is given in; the cursor carries the last row's keys."""
    limit = int_param(request, "limit", default=default_limit, minimum=1, maximum=max_limit)
    names = [key.lstrip("-") for key in keys]
    queryset = queryset.order_by(*keys)
    cursor = request.query_params.get("cursor")
    if cursor:
        try:
            values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
            if not isinstance(values, list) or len(values) != len(keys):
                raise ValueError("wrong cursor length")
            if not all(_cursor_value(v) for v in values):
                raise ValueError("wrong cursor value")
        except (ValueError, UnicodeDecodeError):
            raise ApiError("invalid_cursor", _("The cursor is not valid.")) from None
        after = Q()
        for index, key in enumerate(keys):
            lookup = "lt" if key.startswith("-") else "gt"
            equal = {names[i]: values[i] for i in range(index)}
            after |= Q(**equal, **{f"{names[index]}__{lookup}": values[index]})
        try:
            queryset = queryset.filter(after)
        except (ValueError, TypeError):
            raise ApiError("invalid_cursor", _("The cursor is not valid.")) from None
    rows = list(queryset[: limit + 1])
    next_url = None
    if len(rows) > limit:
        rows = rows[:limit]
        token = json.dumps([getattr(rows[-1], name) for name in names], ensure_ascii=False)
        next_url = replace_query_param(
            request.build_absolute_uri(),
            "cursor",
            base64.urlsafe_b64encode(token.encode()).decode(),
        )
    return rows, next_url


def _cursor_value(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and len(value) <= 500 and "\x00" not in value


MAX_SEARCH_CHARS = 200


def search_text(request: Request) -> str | None:
    """The `q` parameter of a list: up to 200 characters, no NUL (PostgreSQL refuses it)."""
    q = request.query_params.get("q") or None
    if q is not None and len(q) > MAX_SEARCH_CHARS:
        raise ApiError(
            "invalid",
            _("The search text is longer than %(n)s characters.") % {"n": MAX_SEARCH_CHARS},
        )
    if q is not None and "\x00" in q:
        raise ApiError("invalid", _("A filter contains a NUL character."))
    return q


# --- pagination classes: each enforces its query parameters and declares them, with the
# list's shape, to the OpenAPI document (drf-spectacular asks `get_paginated_response_schema`
# and `get_schema_operation_parameters` of a list view's `pagination_class`).


def _query_parameter(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


class ListPagination(BasePagination):
    """The whole list in one page (`next` is null): for lists that stay short (teams,
    operators, inboxes)."""

    next_url: str | None = None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.next_url = None
        return list(queryset)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"results": data, "next": self.next_url})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "the URL of the next page; null on the last one",
                },
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return []


class LimitedPagination(ListPagination):
    """Pages of at most `limit` rows (1 to `max_limit`)."""

    default_limit = 50
    max_limit = 200

    def limit(self, request: Request) -> int:
        return int_param(
            request, "limit", default=self.default_limit, minimum=1, maximum=self.max_limit
        )

    def limit_parameter(self) -> dict[str, Any]:
        return _query_parameter(
            "limit",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": self.max_limit,
                "default": self.default_limit,
            },
            "rows per page",
        )


class KeysetPagination(LimitedPagination):
    """Pages in the order of `keys` (see `page_by_keys`), `next` carrying an opaque
    `cursor`."""

    keys: tuple[str, ...] = ("-id",)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        rows, self.next_url = page_by_keys(
            request,
            queryset,
            keys=self.keys,
            default_limit=self.default_limit,
            max_limit=self.max_limit,
        )
        return rows

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            self.limit_parameter(),
            _query_parameter(
                "cursor", {"type": "string"}, "opaque; from the previous page's `next`"
            ),
        ]


class ActivityPagination(KeysetPagination):
    """Conversations, newest activity first."""

    default_limit = 25
    max_limit = 100

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        rows, self.next_url = page_by_activity(
            request, queryset, default_limit=self.default_limit, max_limit=self.max_limit
        )
        return rows


class SeqPagination(LimitedPagination):
    """A conversation's messages in `seq` order after `after_seq`; `next` asks for those after
    the page's last (null when the page is not full)."""

    default_limit = 100
    max_limit = 500

    def paginate_messages(
        self, request: Request, fetch: Callable[[int, int], Sequence[Any]]
    ) -> list[Any]:
        """`fetch(after_seq, limit)` reads the rows."""
        after_seq = int_param(request, "after_seq", default=0, minimum=0, maximum=MAX_SEQ)
        limit = self.limit(request)
        rows = list(fetch(after_seq, limit))
        self.next_url = next_after_seq(request, rows, limit)
        return rows

    def messages_response(
        self, request: Request, *, conversation_id: int, include_private: bool
    ) -> Response:
        """A page of the conversation's messages as message objects (private notes only
        for operators)."""
        rows = self.paginate_messages(
            request,
            lambda after_seq, limit: selectors.message_list_after(
                conversation_id=conversation_id,
                after_seq=after_seq,
                include_private=include_private,
                limit=limit,
            ),
        )
        return self.get_paginated_response([message_data(row) for row in rows])

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            _query_parameter(
                "after_seq",
                {"type": "integer", "minimum": 0, "maximum": MAX_SEQ, "default": 0},
                "only messages with a greater `seq`",
            ),
            self.limit_parameter(),
        ]
