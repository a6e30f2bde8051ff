"""Routing rules found wanting by the property tests (tests/operators/test_routing_properties.py),
each pinned by a test of its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection

from chats.assignment.candidates import Candidate
from chats.assignment.drain import team_queue_drain
from chats.models import ConversationStatus, RoutingStrategy
from chats.services.assigning import conversation_assign
from chats.services.conversations import conversation_open, conversation_status_set
from operators.models import Role, Status
from tests.factories import ContactFactory, InboxFactory, OperatorFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_a_key_account_waiting_in_another_team_goes_to_its_manager_once_they_free_up(
    monkeypatch, django_capture_on_commit_callbacks, published
):
    requested: list[int] = []
    monkeypatch.setattr("chats.assignment.requests.request_team_drain", requested.append)
    sales, support = TeamFactory(), TeamFactory()
    sales_inbox = InboxFactory(team=sales, routing=RoutingStrategy.LEAST_BUSY)
    support_inbox = InboxFactory(team=support, routing=RoutingStrategy.LEAST_BUSY)
    manager = OperatorFactory(teams=[support], max_chats=1, status=Status.ONLINE)
    OperatorFactory(teams=[sales], max_chats=0, status=Status.ONLINE)
    supervisor = OperatorFactory(role=Role.SUPERVISOR)
    busy = conversation_open(inbox=support_inbox, contact=ContactFactory())
    team_queue_drain(team_id=support.pk)
    key_account = conversation_open(
        inbox=sales_inbox, contact=ContactFactory(account_manager=manager)
    )
    team_queue_drain(team_id=sales.pk)  # the manager is full, sales has no room: it waits
    key_account.refresh_from_db()
    assert key_account.queued_at is not None
    requested.clear()

    with django_capture_on_commit_callbacks(execute=True):
        conversation_status_set(
            conversation=busy, actor=supervisor, status=ConversationStatus.RESOLVED
        )
    for team_id in requested:
        team_queue_drain(team_id=team_id)

    key_account.refresh_from_db()
    assert key_account.assignee_id == manager.pk


@pytest.mark.django_db(transaction=True)
def test_a_hand_assignment_while_a_drain_holds_the_queue_neither_deadlocks_nor_fails(
    monkeypatch, published
):
    """A drain locks its queued conversations, then its candidates' rows. A hand assignment
    of one of those conversations used to lock the operator first, then the conversation: the
    two waited on each other until PostgreSQL killed one (a 500 for the operator's request)."""
    from chats.assignment import drain as assignment

    monkeypatch.setattr("chats.assignment.requests.request_team_drain", lambda team_id: None)
    team = TeamFactory()
    inbox = InboxFactory(team=team, routing=RoutingStrategy.LEAST_BUSY)
    operator = OperatorFactory(teams=[team], status=Status.ONLINE, max_chats=5)
    supervisor = OperatorFactory(role=Role.SUPERVISOR)
    conversation = conversation_open(inbox=inbox, contact=ContactFactory())

    queue_locked, go_on = threading.Event(), threading.Event()
    candidates = assignment.team_candidates

    def candidates_after_a_pause(*, team_id: int, others: set[int]) -> dict[int, Candidate]:
        if threading.current_thread().name == "drain":
            queue_locked.set()  # the queued conversations are locked by now
            go_on.wait(10)
        return candidates(team_id=team_id, others=others)

    monkeypatch.setattr(assignment, "team_candidates", candidates_after_a_pause)
    errors: list[BaseException] = []

    def run(work: Callable[[], object]) -> Callable[[], None]:
        def target() -> None:
            try:
                work()
            except BaseException as error:  # reported by the test
                errors.append(error)
            finally:
                connection.close()

        return target

    drain = threading.Thread(target=run(lambda: team_queue_drain(team_id=team.pk)), name="drain")
    assign = threading.Thread(
        target=run(
            lambda: conversation_assign(
                conversation=conversation, actor=supervisor, operator=operator
            )
        )
    )
    drain.start()
    assert queue_locked.wait(10)
    assign.start()
    time.sleep(0.5)  # the assignment takes what locks it can, then waits for the drain's
    go_on.set()
    drain.join(30)
    assign.join(30)

    assert errors == []
    conversation.refresh_from_db()
    assert conversation.assignee_id == operator.pk
    assert conversation.queued_at is None
