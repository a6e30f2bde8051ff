"""Inboxes: an admin creates and edits them; the widget's origin check."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from chats.business_hours import clean_business_hours, clean_holidays, clean_timezone
from chats.events.dispatch import record
from chats.events.domain import InboxUpdated
from chats.models import Inbox, RoutingStrategy
from helpdesk.errors import ServiceError
from operators.models import Team


def inbox_create(
    *,
    name: str,
    channel: str,
    team: Team,
    allowed_origins: list[str] | None = None,
    greeting: str = "",
    routing: str = RoutingStrategy.LEAST_BUSY,
    settings: dict[str, Any] | None = None,
    timezone: str = "UTC",
    business_hours: dict[str, Any] | None = None,
    holidays: list[str] | None = None,
    auto_resolve_after: int | None = None,
    reassign_unanswered_after: int | None = None,
    route_to_last_operator: bool = False,
) -> Inbox:
    hours = _inbox_hours_cleaned(
        {
            "timezone": timezone,
            "business_hours": {} if business_hours is None else business_hours,
            "holidays": [] if holidays is None else holidays,
            "auto_resolve_after": auto_resolve_after,
        }
    )
    return Inbox.objects.create(
        reassign_unanswered_after=reassign_unanswered_after,
        route_to_last_operator=route_to_last_operator,
        name=name,
        channel=channel,
        team=team,
        inbox_key=secrets.token_urlsafe(18),
        identity_secret=secrets.token_hex(32),
        allowed_origins=_origins_cleaned(allowed_origins or []),
        greeting=greeting,
        routing=routing,
        settings=settings or {},
        **hours,
    )


INBOX_EDITABLE_FIELDS = (
    "name",
    "team",
    "allowed_origins",
    "greeting",
    "routing",
    "settings",
    "timezone",
    "business_hours",
    "holidays",
    "auto_resolve_after",
    "reassign_unanswered_after",
    "route_to_last_operator",
)
INBOX_HOURS_FIELDS = ("timezone", "business_hours", "holidays", "auto_resolve_after")
AUTO_RESOLVE_MIN_SECONDS = 60
AUTO_RESOLVE_MAX_SECONDS = 365 * 24 * 3600


def _origins_cleaned(origins: list[str]) -> list[str]:
    return [origin.rstrip("/") for origin in origins]


def _inbox_hours_cleaned(values: dict[str, Any]) -> dict[str, Any]:
    """The hours settings checked together (a table is read in its zone); raises
    `ScheduleError` or `ServiceError` with a clear message on any bad part."""
    cleaned: dict[str, Any] = {
        "timezone": clean_timezone(values["timezone"]),
        "business_hours": clean_business_hours(values["business_hours"]),
        "holidays": clean_holidays(values["holidays"]),
    }
    seconds = values["auto_resolve_after"]
    if seconds is not None and (
        not isinstance(seconds, int)
        or isinstance(seconds, bool)
        or not AUTO_RESOLVE_MIN_SECONDS <= seconds <= AUTO_RESOLVE_MAX_SECONDS
    ):
        raise ServiceError(
            "invalid_auto_resolve_after",
            _("auto_resolve_after is a number of seconds from %(min)s to %(max)s, or null.")
            % {"min": AUTO_RESOLVE_MIN_SECONDS, "max": AUTO_RESOLVE_MAX_SECONDS},
        )
    cleaned["auto_resolve_after"] = seconds
    return cleaned


def inbox_update(*, inbox: Inbox, changes: dict[str, Any]) -> Inbox:
    """An admin edits an inbox. A change of hours, routing or team may release a held queue
    (`InboxUpdated.may_release_queue`: routing drains the team's queue)."""
    for field in changes:
        if field not in INBOX_EDITABLE_FIELDS:
            raise ServiceError("invalid", _("Unknown field: %(field)s") % {"field": field})
    values = dict(changes)
    if "allowed_origins" in values:
        values["allowed_origins"] = _origins_cleaned(values["allowed_origins"])
    if any(field in values for field in INBOX_HOURS_FIELDS):
        current = {field: getattr(inbox, field) for field in INBOX_HOURS_FIELDS}
        values.update(_inbox_hours_cleaned({**current, **values}))
    if not values:
        return inbox
    with transaction.atomic():
        for field, value in values.items():
            setattr(inbox, field, value)
        inbox.save(update_fields=list(values))
        record(InboxUpdated(inbox_id=inbox.pk, team_id=inbox.team_id, fields=tuple(values)))
    return inbox


def inbox_allows_origin(*, inbox: Inbox, origin: str | None) -> bool:
    if not inbox.allowed_origins:
        return True
    return origin is not None and origin.rstrip("/") in inbox.allowed_origins
