"""The backstop behind revoke and access events: every few seconds, one batch of queries per
server process re-checks the credentials and the scope of all its console sockets: the token
(not revoked, issued under the current password), the login session (not ended by a logout, an
expiry or a flush, and of the current password), the operator (still active) and their access.

Events close a revoked socket at once; this catches the case where an event was lost, so a
revoked token or a deactivated operator is closed within `WS_REVALIDATE_SECONDS` anyway, at a
cost that does not grow with the number of sockets (five queries a tick per process).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from chats.audience import Scope
from chats.models import Inbox
from helpdesk.db import db_call
from operators.models import ApiToken, Operator
from operators.selectors import sessions_alive
from operators.services import session_digest, token_is_current

if TYPE_CHECKING:
    from chats.consumers.console import ConsoleConsumer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credentials:
    """What a console socket was opened with."""

    operator_id: int
    token_id: int | None
    credentials_version: int
    session_hash: str | None
    session_key: str | None = None

    def revoked_by(self, *, token_id: int | None, session: str | None) -> bool:
        """Whether a `revoke` event is for this socket: one naming neither a token nor a session
        is for all of the operator's sockets."""
        if token_id is None and session is None:
            return True
        if token_id is not None and token_id == self.token_id:
            return True
        return (
            session is not None
            and self.session_key is not None
            and (session == session_digest(self.session_key))
        )


def still_valid_many(credentials: list[Credentials]) -> list[Scope | None]:
    """For each socket's credentials: the operator's scope now, or None if no longer valid."""
    operator_ids = {c.operator_id for c in credentials}
    operators = {
        operator.pk: operator
        for operator in Operator.objects.filter(pk__in=operator_ids, is_active=True)
    }
    token_ids = {c.token_id for c in credentials if c.token_id is not None}
    tokens = ApiToken.objects.filter(pk__in=token_ids).only("pk", "password_fingerprint")
    live_tokens = {token.pk: token for token in tokens}
    live_sessions = sessions_alive(
        session_keys={c.session_key for c in credentials if c.session_key is not None}
    )
    teams_of: dict[int, set[int]] = defaultdict(set)
    memberships = Operator.teams.through.objects.filter(operator_id__in=operators)
    for operator_id, team_id in memberships.values_list("operator_id", "team_id"):
        teams_of[operator_id].add(team_id)
    all_teams = set().union(*teams_of.values()) if teams_of else set()
    inboxes_of_team: dict[int, set[int]] = defaultdict(set)
    for inbox_id, team_id in Inbox.objects.filter(team_id__in=all_teams).values_list(
        "id", "team_id"
    ):
        inboxes_of_team[team_id].add(inbox_id)

    verdicts: list[Scope | None] = []
    for c in credentials:
        operator = operators.get(c.operator_id)
        if (
            operator is None
            or operator.credentials_version != c.credentials_version
            or (c.token_id is not None and not _token_current(live_tokens, c.token_id, operator))
            or (c.session_hash is not None and c.session_hash != operator.get_session_auth_hash())
            or (c.session_key is not None and c.session_key not in live_sessions)
        ):
            verdicts.append(None)
            continue
        team_ids = frozenset(teams_of[operator.pk])
        inbox_ids = frozenset(i for t in team_ids for i in inboxes_of_team[t])
        verdicts.append(
            Scope(
                operator_id=operator.pk,
                sees_everything=operator.sees_everything,
                inbox_ids=inbox_ids,
                team_ids=team_ids,
            )
        )
    return verdicts


def _token_current(live_tokens: dict[int, ApiToken], token_id: int, operator: Operator) -> bool:
    """Not revoked, and issued under the password the operator has now (however it changed)."""
    api_token = live_tokens.get(token_id)
    return api_token is not None and token_is_current(api_token, operator)


_watched: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, set[ConsoleConsumer]] = (
    weakref.WeakKeyDictionary()
)


def watch(consumer: ConsoleConsumer) -> None:
    loop = asyncio.get_running_loop()
    consumers = _watched.get(loop)
    if consumers is None:
        consumers = _watched[loop] = set()
        task = loop.create_task(_run(consumers))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)
    consumers.add(consumer)


def forget(consumer: ConsoleConsumer) -> None:
    for consumers in _watched.values():
        consumers.discard(consumer)


_tasks: set[asyncio.Task[None]] = set()


async def _run(consumers: set[ConsoleConsumer]) -> None:
    while True:
        await asyncio.sleep(settings.WS_REVALIDATE_SECONDS)
        batch = [c for c in consumers if not c.closed]
        if not batch:
            continue
        changes_before = [c.access_changes for c in batch]
        try:
            verdicts = await db_call(still_valid_many, [c.credentials for c in batch])
        except Exception:
            logger.warning("console revalidation failed; retrying next tick", exc_info=True)
            continue
        for consumer, scope, before in zip(batch, verdicts, changes_before, strict=True):
            try:
                await consumer.revalidated(scope, before)
            except Exception:
                logger.warning("console revalidation of one socket failed", exc_info=True)
