"""Canned responses: an operator's own, and the team's, managed by its supervisors."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chats.models import CannedResponse
from helpdesk.errors import Conflict, Forbidden, ServiceError
from operators.models import Operator, Role, Team

CANNED_SHORTCUT = re.compile(r"[a-z0-9_-]{1,32}\Z")
CANNED_TITLE_MAX_CHARS = 200
CANNED_BODY_MAX_CHARS = 5000
CANNED_FIELDS = ("shortcut", "title", "body")


def _canned_shortcut(value: Any) -> str:
    if not isinstance(value, str) or not CANNED_SHORTCUT.match(value):
        raise ServiceError(
            "invalid_shortcut",
            _("A shortcut is 1 to 32 characters: lowercase letters, digits, _ and -."),
        )
    return value


def _canned_title(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        raise ServiceError("invalid_title", _("The title must be text."))
    if len(value) > CANNED_TITLE_MAX_CHARS:
        raise ServiceError(
            "title_too_long",
            _("The title is longer than %(n)s characters.") % {"n": CANNED_TITLE_MAX_CHARS},
        )
    return value


def _canned_body(value: Any) -> str:
    """Stored exactly as typed, like a message body, within 1 to 5,000 characters."""
    if not isinstance(value, str) or "\x00" in value:
        raise ServiceError("invalid_body", _("The body must be text."))
    if not value.strip():
        raise ServiceError("empty_body", _("The body is empty."))
    if len(value) > CANNED_BODY_MAX_CHARS:
        raise ServiceError(
            "body_too_long",
            _("The body is longer than %(n)s characters.") % {"n": CANNED_BODY_MAX_CHARS},
        )
    return value


def canned_team_manageable_by(*, operator: Operator, team_id: int) -> bool:
    """Team responses are managed by admins, and by the team's own supervisors."""
    if operator.role == Role.ADMIN:
        return True
    return operator.role == Role.SUPERVISOR and operator.teams.filter(pk=team_id).exists()


def _check_may_manage(*, actor: Operator, canned_response: CannedResponse) -> None:
    if canned_response.team_id is None:
        allowed = canned_response.owner_id == actor.pk
    else:
        allowed = canned_team_manageable_by(operator=actor, team_id=canned_response.team_id)
    if not allowed:
        raise Forbidden(
            "forbidden", _("Only the team's supervisors and admins may change its responses.")
        )


def _shortcut_taken() -> Conflict:
    return Conflict("shortcut_taken", _("This shortcut is already in use here."))


def canned_response_create(
    *, actor: Operator, shortcut: Any, body: Any, title: Any = "", team: Team | None = None
) -> CannedResponse:
    """A personal response of `actor`, or, with `team`, one shared by the team."""
    canned = CannedResponse(
        shortcut=_canned_shortcut(shortcut),
        title=_canned_title(title),
        body=_canned_body(body),
        owner=None if team is not None else actor,
        team=team,
    )
    if team is not None and not canned_team_manageable_by(operator=actor, team_id=team.pk):
        raise Forbidden(
            "forbidden", _("Only the team's supervisors and admins may add team responses.")
        )
    try:
        with transaction.atomic():
            canned.save()
    except IntegrityError as error:
        raise _shortcut_taken() from error
    return canned


def canned_response_update(
    *, actor: Operator, canned_response: CannedResponse, changes: dict[str, Any]
) -> CannedResponse:
    _check_may_manage(actor=actor, canned_response=canned_response)
    cleaners = {"shortcut": _canned_shortcut, "title": _canned_title, "body": _canned_body}
    for name, value in changes.items():
        if name not in cleaners:
            raise ServiceError("invalid", _("Unknown field: %(field)s") % {"field": name})
        setattr(canned_response, name, cleaners[name](value))
    try:
        with transaction.atomic():
            canned_response.save(update_fields=[*changes, "updated_at"])
    except IntegrityError as error:
        raise _shortcut_taken() from error
    return canned_response


def canned_response_delete(*, actor: Operator, canned_response: CannedResponse) -> None:
    _check_may_manage(actor=actor, canned_response=canned_response)
    canned_response.delete()
