"""Writes of the operators domain: accounts, tokens, teams, status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from chats.events.dispatch import record
from chats.events.domain import CredentialsEnded, OperatorStatusChanged, OperatorUpdated
from helpdesk.errors import Conflict, ServiceError
from helpdesk.tokens import new_secret_token, token_hash
from operators.models import ApiToken, Operator, Role, Status, Team
from operators.selectors import operator_scope

# --- tokens -----------------------------------------------------------------------------------


def token_issue(*, operator: Operator) -> tuple[ApiToken, str]:
    """A new token, bound to the operator's current password. Tokens of a former password,
    which no longer authenticate (a change outside `operator_update`), are deleted."""
    token = new_secret_token()
    fingerprint = operator.password_fingerprint()
    with transaction.atomic():
        operator.api_tokens.exclude(password_fingerprint=fingerprint).delete()
        api_token = ApiToken.objects.create(
            operator=operator, key_hash=token_hash(token), password_fingerprint=fingerprint
        )
    return api_token, token


def token_is_current(api_token: ApiToken, operator: Operator) -> bool:
    """The token was issued under the operator's password as it is stored now."""
    return constant_time_compare(api_token.password_fingerprint, operator.password_fingerprint())


def token_authenticate(*, token: str | None) -> tuple[Operator, ApiToken] | None:
    if not token or len(token) > 200:
        return None
    api_token = (
        ApiToken.objects.select_related("operator").filter(key_hash=token_hash(token)).first()
    )
    if api_token is None or not api_token.operator.is_active:
        return None
    if not token_is_current(api_token, api_token.operator):
        return None
    return api_token.operator, api_token


def token_revoke(*, api_token: ApiToken) -> None:
    operator_id, token_id = api_token.operator_id, api_token.pk
    with transaction.atomic():
        api_token.delete()
        record(CredentialsEnded(operator_id=operator_id, token_id=token_id))


# --- login sessions ---------------------------------------------------------------------------


def session_digest(session_key: str) -> str:
    """How an event names a login session: the session key is a credential, never published."""
    return token_hash(session_key)


def session_sockets_revoke(*, operator_id: int, session_key: str) -> None:
    """The login session ended (a logout): close the console sockets opened with its cookie.
    An expired or flushed session is caught by the sockets' periodic re-check."""
    record(CredentialsEnded(operator_id=operator_id, session=session_digest(session_key)))


# --- operators --------------------------------------------------------------------------------


def _password_checked(password: Any, operator: Operator | None = None) -> str:
    if not isinstance(password, str) or not password:
        raise ServiceError("invalid_password", _("A password is required."))
    try:
        validate_password(password, user=operator)
    except DjangoValidationError as error:
        raise ServiceError("invalid_password", " ".join(error.messages)) from error
    return password


def operator_create(
    *,
    username: str,
    password: str,
    name: str = "",
    role: str = Role.AGENT,
    teams: Iterable[Team] = (),
    max_chats: int = 5,
    email: str = "",
) -> Operator:
    operator = Operator(username=username, name=name, role=role, max_chats=max_chats, email=email)
    _admin_rights_follow_role(operator)
    operator.set_password(_password_checked(password, operator))
    try:
        with transaction.atomic():
            operator.save()
            operator.teams.set(list(teams))
    except IntegrityError as error:
        raise Conflict("username_taken", _("This username is already taken.")) from error
    return operator


def operator_update(*, operator: Operator, changes: dict[str, Any]) -> Operator:
    """Change an operator; access changes reach their open sockets at once."""
    teams = changes.pop("teams", None)
    password = changes.pop("password", None)
    was_active = operator.is_active
    old_max = operator.max_chats
    for field, value in changes.items():
        setattr(operator, field, value)
    revoke = False
    if password is not None:
        operator.set_password(_password_checked(password, operator))
        revoke = True
    if was_active and not operator.is_active:
        revoke = True
    _admin_rights_follow_role(operator)
    if revoke:
        operator.credentials_version += 1
    with transaction.atomic():
        operator.save()
        if password is not None:
            operator.api_tokens.all().delete()  # a new password: every old token stops working
        if teams is not None:
            operator.teams.set(list(teams))
        record(
            OperatorUpdated(
                operator_id=operator.pk,
                revoked=revoke,
                deactivated=was_active and not operator.is_active,
                scope=None if revoke else operator_scope(operator=operator),
                may_take_more=operator.max_chats > old_max or teams is not None,
            )
        )
    return operator


def _admin_rights_follow_role(operator: Operator) -> None:
    """The role is the one source of truth: an admin may use Django admin (and, there, do
    anything), nobody else may. Demoting an admin takes those rights away too."""
    is_admin = operator.role == Role.ADMIN
    operator.is_staff = is_admin
    operator.is_superuser = is_admin


def operator_frame(operator: Operator) -> dict[str, Any]:
    return {
        "id": operator.pk,
        "name": operator.display_name,
        "status": operator.status,
        "role": operator.role,
    }


def operator_language_set(*, operator: Operator, language: str) -> Operator:
    """The language the helpdesk writes to the operator in ("" for the server's default)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ServiceError("invalid_language", _("Unknown language."))
    if operator.language != language:
        operator.language = language
        operator.save(update_fields=["language"])
    return operator


def operator_status_set(*, operator: Operator, status: str, automatic: bool = False) -> Operator:
    """Set online / away / offline. The operator's own choice (not `automatic`) is remembered
    in `chosen_status`, which presence follows and never changes. `automatic` changes
    (presence) keep the time of the operator's own last choice, from which the presence grace
    periods count; any change to `offline` records its moment, from which the ownership
    watchdog's grace counts (and an offline operator has no presence grace left to count)."""
    if status not in Status.values:
        raise ServiceError("invalid_status", _("Status is one of online, away, offline."))
    chosen = operator.chosen_status if automatic else status
    if (
        operator.status == status
        and operator.chosen_status == chosen
        and not (status == Status.ONLINE and not automatic)
    ):
        return operator
    operator.status = status
    operator.chosen_status = chosen
    if not automatic or status == Status.OFFLINE:
        operator.status_changed_at = timezone.now()
    with transaction.atomic():
        operator.save(update_fields=["status", "chosen_status", "status_changed_at"])
        record(
            OperatorStatusChanged(
                operator_id=operator.pk,
                status=status,
                automatic=automatic,
                frame=operator_frame(operator),
            )
        )
    return operator


# --- teams ------------------------------------------------------------------------------------


def team_create(*, name: str) -> Team:
    try:
        with transaction.atomic():
            return Team.objects.create(name=name)
    except IntegrityError as error:
        raise Conflict("team_exists", _("A team with this name already exists.")) from error
