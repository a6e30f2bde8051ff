"""Every fact the reports count is recorded once, in its own transaction, with the
conversation's inbox, channel, team and operator as they were at that moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from chats.assignment import requests
from chats.assignment.drain import team_queue_drain
from chats.events.dispatch import record
from chats.events.domain import AssignCause, ConversationAssigned, audience_of
from chats.models import Conversation, ConversationStatus, RoutingStrategy
from chats.services import assigning, conversations, feedback
from operators.models import Status
from reports.models import ReportEvent, ReportEventKind
from tests.factories import InboxFactory, operator_says, visitor_for, visitor_says

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_routing_requests(monkeypatch) -> None:
    monkeypatch.setattr(requests, "request_team_drain", lambda team_id: None)
    monkeypatch.setattr(requests, "request_operator_drain", lambda operator_id: None)


def events_of(conversation: Conversation, kind: str | None = None) -> list[ReportEvent]:
    rows = ReportEvent.objects.filter(conversation_id=conversation.pk).order_by("id")
    return list(rows.filter(kind=kind) if kind else rows)


def kinds(conversation: Conversation) -> list[str]:
    return [row.kind for row in events_of(conversation)]


def opened_in(inbox) -> Conversation:
    return conversations.conversation_open(inbox=inbox, contact=visitor_for(inbox)[0].contact)


def test_opening_records_opened_with_inbox_channel_and_team(inbox):
    conversation = opened_in(inbox)
    [row] = events_of(conversation)
    assert row.kind == ReportEventKind.OPENED
    assert (row.inbox_id, row.channel, row.team_id, row.operator_id) == (
        inbox.pk,
        inbox.channel,
        inbox.team_id,
        None,
    )
    assert row.occurred_at == conversation.created_at


def test_the_first_reply_after_the_contacts_first_message_is_the_first_response(
    inbox, agent, admin
):
    conversation = opened_in(inbox)
    assigning.conversation_assign(conversation=conversation, actor=admin, operator=agent)
    first = visitor_says(conversation, "Hello?")
    visitor_says(conversation, "Anyone?")
    answer = operator_says(conversation, agent, "Hi! How can I help?")
    operator_says(conversation, agent, "A second reply")

    [response] = events_of(conversation, ReportEventKind.FIRST_RESPONSE)
    assert response.value == pytest.approx((answer.created_at - first.created_at).total_seconds())
    assert (response.operator_id, response.actor_id) == (agent.pk, agent.pk)
    assert len(events_of(conversation, ReportEventKind.REPLY)) == 2


def test_an_operator_who_writes_first_has_not_responded_yet(inbox, agent, admin):
    conversation = opened_in(inbox)
    assigning.conversation_assign(conversation=conversation, actor=admin, operator=agent)
    operator_says(conversation, agent, "Can I help you choose?")
    assert events_of(conversation, ReportEventKind.FIRST_RESPONSE) == []
    visitor_says(conversation, "Yes, please")
    operator_says(conversation, agent, "Sure")
    assert len(events_of(conversation, ReportEventKind.FIRST_RESPONSE)) == 1


def test_notes_visitors_and_system_messages_are_no_replies(conversation, agent):
    visitor_says(conversation, "Hello?")
    operator_says(conversation, agent, "@olga can you take this?", private=True)
    assert ReportEventKind.REPLY not in kinds(conversation)
    assert ReportEventKind.FIRST_RESPONSE not in kinds(conversation)


def test_a_reply_that_takes_a_conversation_counts_for_its_new_operator(inbox, agent):
    conversation = opened_in(inbox)
    visitor_says(conversation)
    assigning.operator_message_send(
        operator=agent, conversation=conversation, body="Hi", client_id=None, private=False
    )
    [assigned] = events_of(conversation, ReportEventKind.ASSIGNED)
    [reply] = events_of(conversation, ReportEventKind.REPLY)
    assert assigned.operator_id == reply.operator_id == agent.pk


def test_routing_and_hand_assignments_and_transfers_are_recorded(
    team, other_team, make_operator, admin
):
    inbox = InboxFactory(team=team, routing=RoutingStrategy.LEAST_BUSY)
    online = make_operator(teams=[team], status=Status.ONLINE)
    conversation = opened_in(inbox)
    team_queue_drain(team_id=team.pk)
    [routed] = events_of(conversation, ReportEventKind.ASSIGNED)
    assert (routed.operator_id, routed.team_id, routed.actor_id) == (online.pk, team.pk, None)

    assigning.conversation_assign(conversation=conversation, actor=admin, team=other_team)
    [transferred] = events_of(conversation, ReportEventKind.TRANSFERRED)
    assert (transferred.team_id, transferred.operator_id, transferred.actor_id) == (
        other_team.pk,
        None,
        admin.pk,
    )
    assigning.conversation_assign(conversation=conversation, actor=admin, operator=admin)
    assert len(events_of(conversation, ReportEventKind.ASSIGNED)) == 2
    # handed again to the one who has it: nothing happened, nothing is counted
    assigning.conversation_assign(conversation=conversation, actor=admin, operator=admin)
    assert len(events_of(conversation, ReportEventKind.ASSIGNED)) == 2


def test_each_resolve_and_reopen_is_recorded_with_the_time_to_resolve(inbox, agent, admin):
    conversation = opened_in(inbox)
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    assigning.conversation_assign(conversation=conversation, actor=admin, operator=agent)
    for status in ("resolved", "open", "resolved"):
        conversations.conversation_status_set(conversation=conversation, actor=agent, status=status)

    resolves = events_of(conversation, ReportEventKind.RESOLVED)
    assert len(resolves) == 2  # resolved, reopened, resolved again: two resolves
    assert all(row.value is not None and row.value >= 7200 for row in resolves)
    assert {(row.operator_id, row.actor_id) for row in resolves} == {(agent.pk, agent.pk)}
    assert len(events_of(conversation, ReportEventKind.REOPENED)) == 1
    # a pending conversation the visitor writes in again is no reopen
    conversations.conversation_status_set(conversation=conversation, actor=agent, status="open")
    conversations.conversation_status_set(
        conversation=conversation, actor=agent, status=ConversationStatus.PENDING
    )
    visitor_says(conversation, "One more thing")
    assert len(events_of(conversation, ReportEventKind.REOPENED)) == 2


def test_a_rating_is_recorded_and_a_second_one_replaces_it(inbox, agent):
    visitor, _token = visitor_for(inbox)
    conversation = conversations.conversation_open(inbox=inbox, contact=visitor.contact)
    visitor_says(conversation)
    conversations.conversation_status_set(
        conversation=conversation, actor=agent, status=ConversationStatus.RESOLVED
    )
    feedback.csat_submit(visitor=visitor, rating=2, comment="slow")
    [first] = events_of(conversation, ReportEventKind.RATED)
    assert first.value == 2.0
    feedback.csat_submit(visitor=visitor, rating=5, comment="sorted out in the end")
    [replaced] = events_of(conversation, ReportEventKind.RATED)
    assert (replaced.pk, replaced.value) == (first.pk, 5.0)
    assert replaced.occurred_at >= first.occurred_at


def test_a_fact_rolled_back_leaves_no_report_event(inbox, agent):
    conversation = opened_in(inbox)
    visitor_says(conversation)

    def reply_then_fail() -> None:
        with transaction.atomic():
            operator_says(conversation, agent, "Hello")
            raise RuntimeError("the request failed after the reply")

    with pytest.raises(RuntimeError):
        reply_then_fail()
    assert kinds(conversation) == [ReportEventKind.OPENED]


def test_the_watchdog_giving_a_conversation_its_first_team_is_no_transfer(inbox, agent):
    conversation = opened_in(inbox)
    Conversation.objects.filter(pk=conversation.pk).update(team=None, assignee=agent)
    from_nowhere = Conversation.objects.get(pk=conversation.pk)
    previous = audience_of(from_nowhere)
    from_nowhere.assignee, from_nowhere.team_id = None, inbox.team_id
    from_nowhere.save(update_fields=["assignee", "team"])
    record(
        ConversationAssigned(
            conversation_id=conversation.pk,
            previous=previous,
            current=audience_of(from_nowhere),
            cause=AssignCause.RELEASED,
            at=timezone.now(),
        )
    )
    assert ReportEventKind.TRANSFERRED not in kinds(conversation)


def test_another_teams_report_events_carry_their_own_team(inbox, other_team, agent):
    """What a report of one team will count is told apart from the start: each row names the
    team it happened in, and nothing of it names another."""
    theirs = opened_in(InboxFactory(team=other_team))
    ours = opened_in(inbox)
    visitor_says(theirs)
    assert {row.team_id for row in events_of(theirs)} == {other_team.pk}
    assert {row.team_id for row in events_of(ours)} == {inbox.team_id}
