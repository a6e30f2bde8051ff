"""The rest of the code asks routing for work here, and only here: each entry point enqueues
a task and returns. With the broker unreachable a request is lost, never the commit it
follows: the worker drains every waiting queue whenever it (re)connects
(`helpdesk.celery_worker`), and the beat sweeps catch a lost ownership return or release."""

from __future__ import annotations

import logging

from django.conf import settings
from kombu.exceptions import OperationalError as BrokerUnreachable

from chats.assignment import tasks
from chats.models import Conversation
from operators.models import Team

logger = logging.getLogger(__name__)


def request_team_drain(team_id: int) -> None:
    """Ask the worker to route the team's queue."""
    try:
        tasks.drain_team_queue.delay(team_id)
    except BrokerUnreachable:
        logger.warning("routing of team %s not requested: the broker is unreachable", team_id)


def request_operator_drain(operator_id: int) -> None:
    """Capacity freed at an operator (or they came online): drain the queues of their teams,
    and of any team where one of their key accounts waits (a manager takes those first,
    whatever the team)."""
    team_ids = set(Team.objects.filter(operators=operator_id).values_list("id", flat=True))
    team_ids.update(
        Conversation.objects.filter(
            queued_at__isnull=False, assignee__isnull=True, contact__account_manager=operator_id
        )
        .exclude(team_id__isnull=True)
        .values_list("team_id", flat=True)
    )
    for team_id in sorted(team_ids):
        request_team_drain(team_id)


def request_ownership_return(operator_id: int) -> None:
    """The watchdog looks at an operator who went offline once the grace period is over."""
    try:
        tasks.ownership_return.apply_async(
            (operator_id,), countdown=settings.OWNERSHIP_RETURN_GRACE_SECONDS
        )
    except BrokerUnreachable:
        logger.warning("ownership return of operator %s not scheduled: no broker", operator_id)


def request_release(operator_id: int) -> None:
    """A deactivated operator's conversations go back to their queues."""
    try:
        tasks.release_deactivated.delay(operator_id)
    except BrokerUnreachable:
        logger.warning("release of operator %s not requested: no broker", operator_id)
