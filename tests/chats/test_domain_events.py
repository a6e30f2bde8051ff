"""Each service records its fact as a typed domain event, heard after the commit by the
listeners registered in `chats.events.subscriptions`; a private note never reaches a listener
that speaks to the visitor; a listener that fails neither stops the others nor undoes the fact."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from chats import groups
from chats.assignment import requests
from chats.assignment.drain import team_queue_drain
from chats.audience import Audience
from chats.events.dispatch import Listener, registry
from chats.events.domain import (
    AssignCause,
    ContactUpdated,
    ConversationAssigned,
    ConversationOpened,
    ConversationStatusChanged,
    CsatCreated,
    DomainEvent,
    MessageCreated,
    OperatorStatusChanged,
)
from chats.models import Conversation, ConversationStatus, Message, RoutingStrategy
from chats.services import assigning, contacts, conversations, feedback
from chats.services.message_batch import VisitorSend, visitor_messages_send
from operators.models import Status
from operators.services import operator_status_set
from reports.models import ReportEvent, ReportEventKind
from tests.factories import InboxFactory, operator_says, visitor_for, visitor_says

pytestmark = pytest.mark.django_db


def of_type(events: list[DomainEvent], kind: type[DomainEvent]) -> list[Any]:
    return [event for event in events if isinstance(event, kind)]


@pytest.fixture
def routed(team):
    return InboxFactory(team=team, routing=RoutingStrategy.LEAST_BUSY)


@pytest.fixture
def asked(monkeypatch) -> dict[str, list[int]]:
    """What routing asks the worker for (not run)."""
    calls: dict[str, list[int]] = {"teams": [], "operators": [], "returns": [], "releases": []}
    monkeypatch.setattr(requests, "request_team_drain", calls["teams"].append)
    monkeypatch.setattr(requests, "request_operator_drain", calls["operators"].append)
    monkeypatch.setattr(requests, "request_ownership_return", calls["returns"].append)
    monkeypatch.setattr(requests, "request_release", calls["releases"].append)
    return calls


def test_opening_a_conversation_is_heard_once_after_the_commit_with_its_queue(
    routed, heard, asked, django_capture_on_commit_callbacks
):
    visitor, _token = visitor_for(routed)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversations.conversation_open(inbox=routed, contact=visitor.contact)
        assert heard == []  # nothing before the commit

    [opened] = of_type(heard, ConversationOpened)
    assert opened.conversation_id == conversation.pk
    assert opened.audience == Audience(inbox=routed.pk, team=routed.team_id, assignee=None)
    assert opened.contact_id == visitor.contact_id
    assert opened.queued is True
    assert opened.name == "conversation.created"
    assert asked["teams"] == [routed.team_id]  # routing asks the worker, and routes nothing here


def test_a_message_is_heard_with_its_conversations_audience(
    conversation, agent, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = visitor_says(conversation, "Where is my order?")

    [created] = of_type(heard, MessageCreated)
    assert created.message.pk == message.pk
    assert created.message.body == "Where is my order?"
    assert created.message.seq == 1
    assert created.audience == Audience(
        inbox=conversation.inbox_id, team=conversation.team_id, assignee=None
    )
    assert created.conversation.contact_id == conversation.contact_id
    assert created.reaches_visitor and not created.is_operator_reply


def test_a_private_note_never_reaches_a_listener_that_speaks_to_the_visitor(
    conversation, agent, heard, published, monkeypatch, django_capture_on_commit_callbacks
):
    to_visitor: list[DomainEvent] = []
    widget_side = Listener(
        name="test-widget-side",
        event_types=(MessageCreated,),
        handle=to_visitor.extend,
        speaks_to_visitor=True,
    )
    monkeypatch.setattr(registry, "listeners", [*registry.listeners, widget_side])
    with django_capture_on_commit_callbacks(execute=True):
        note = operator_says(conversation, agent, "internal: refund approved", private=True)
        reply = operator_says(conversation, agent, "Your refund is on its way")

    assert [e.message.pk for e in of_type(heard, MessageCreated)] == [note.pk, reply.pk]
    assert [e.message.pk for e in to_visitor] == [reply.pk]
    visitor_group = groups.visitor(conversation.contact_id, conversation.inbox_id)
    frames = " ".join(event["frame"] for event in published.to(visitor_group))
    assert "refund is on its way" in frames
    assert "internal" not in frames


def test_a_hand_transfer_is_heard_with_where_it_was_and_where_it_went(
    routed, agent, admin, other_team, heard, asked, django_capture_on_commit_callbacks
):
    visitor, _token = visitor_for(routed)
    conversation = conversations.conversation_open(inbox=routed, contact=visitor.contact)
    with django_capture_on_commit_callbacks(execute=True):
        assigning.conversation_assign(
            conversation=conversation, actor=admin, operator=agent, note="VIP, be quick"
        )
    [assigned] = of_type(heard, ConversationAssigned)
    note = Message.objects.get(conversation=conversation, private=True)
    assert assigned.previous == Audience(inbox=routed.pk, team=routed.team_id, assignee=None)
    assert assigned.current == Audience(inbox=routed.pk, team=routed.team_id, assignee=agent.pk)
    assert (assigned.cause, assigned.actor_id, assigned.note_id) == (
        AssignCause.HAND,
        admin.pk,
        note.pk,
    )
    assert assigned.left_queue_of == routed.team_id  # it waited there: the others move up

    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assigning.conversation_assign(conversation=conversation, actor=admin, team=other_team)
    [transferred] = of_type(heard, ConversationAssigned)
    assert transferred.current == Audience(inbox=routed.pk, team=other_team.pk, assignee=None)
    assert transferred.released_operator == agent.pk
    assert other_team.pk in asked["teams"] and agent.pk in asked["operators"]


def test_resolve_and_reopen_are_heard_as_status_changes(
    conversation, agent, admin, heard, asked, django_capture_on_commit_callbacks
):
    assigning.conversation_assign(conversation=conversation, actor=admin, operator=agent)
    with django_capture_on_commit_callbacks(execute=True):
        conversations.conversation_status_set(
            conversation=conversation, actor=agent, status=ConversationStatus.RESOLVED
        )
        conversations.conversation_status_set(
            conversation=conversation, actor=agent, status=ConversationStatus.OPEN
        )
    resolved, reopened = of_type(heard, ConversationStatusChanged)
    assert (resolved.previous, resolved.status, resolved.actor_id) == ("open", "resolved", agent.pk)
    assert resolved.resolved and not resolved.reopened
    assert (reopened.previous, reopened.status) == ("resolved", "open")
    assert reopened.reopened
    assert asked["operators"] == [agent.pk]  # the resolve freed a place at the agent


def test_a_drain_is_heard_as_one_batch_of_routing_assignments(
    routed, make_operator, team, heard, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(requests, "request_team_drain", lambda team_id: None)
    make_operator(teams=[team], status=Status.ONLINE, max_chats=5)
    opened = [
        conversations.conversation_open(inbox=routed, contact=visitor_for(routed)[0].contact)
        for _ in range(3)
    ]
    batches: list[list[DomainEvent]] = []
    batch_listener = Listener(
        name="test-batches", event_types=(ConversationAssigned,), handle=batches.append
    )
    monkeypatch.setattr(registry, "listeners", [*registry.listeners, batch_listener])
    with django_capture_on_commit_callbacks(execute=True):
        team_queue_drain(team_id=team.pk)

    [batch] = batches
    assert [event.conversation_id for event in batch] == [c.pk for c in opened]
    assert {event.cause for event in batch} == {AssignCause.ROUTING}
    assert {event.left_queue_of for event in batch} == {team.pk}


def test_rating_contact_changes_and_presence_are_heard(
    inbox, agent, heard, django_capture_on_commit_callbacks
):
    visitor, _token = visitor_for(inbox)
    conversation = conversations.conversation_open(inbox=inbox, contact=visitor.contact)
    visitor_says(conversation)
    conversations.conversation_status_set(
        conversation=conversation, actor=agent, status=ConversationStatus.RESOLVED
    )
    with django_capture_on_commit_callbacks(execute=True):
        feedback.csat_submit(visitor=visitor, rating=5, comment="Thanks!")
        feedback.csat_submit(visitor=visitor, rating=4, comment="Thanks")
        contacts.contact_update(contact=visitor.contact, changes={"name": "Olga"}, actor=agent)
        operator_status_set(operator=agent, status=Status.AWAY)

    first, second = of_type(heard, CsatCreated)
    assert (first.rating, first.comment, first.replaced) == (5, "Thanks!", False)
    assert (second.rating, second.replaced) == (4, True)
    [changed] = of_type(heard, ContactUpdated)
    assert changed.fields == ("name",) and changed.conversation_ids == (conversation.pk,)
    [status] = of_type(heard, OperatorStatusChanged)
    assert (status.operator_id, status.status, status.automatic) == (agent.pk, "away", False)
    assert status.frame["status"] == "away"


def test_the_group_commit_dispatches_the_same_events_in_one_batch(
    inbox, monkeypatch, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        pytest.skip("the group commit's statement is PostgreSQL's")
    people = [visitor_for(inbox)[0] for _ in range(3)]
    for person in people:  # each first message opens a conversation on its own
        visitor_messages_send([VisitorSend(visitor=person, body="first", client_id=None)])
    batches: list[list[DomainEvent]] = []
    listener = Listener(name="test-batches", event_types=(MessageCreated,), handle=batches.append)
    monkeypatch.setattr(registry, "listeners", [*registry.listeners, listener])

    with django_capture_on_commit_callbacks(execute=True):
        outcomes = visitor_messages_send(
            [VisitorSend(visitor=p, body=f"from {p.pk}", client_id=f"c{p.pk}") for p in people]
        )
    [batch] = batches
    assert [event.message.pk for event in batch] == [outcome[0].pk for outcome in outcomes]
    assert [event.message.body for event in batch] == [f"from {p.pk}" for p in people]


class Boom(Exception):
    pass


def test_a_listener_that_raises_neither_stops_the_others_nor_undoes_the_fact(
    conversation, agent, monkeypatch, published, django_capture_on_commit_callbacks, caplog
):
    heard_after: list[DomainEvent] = []

    def fail(events: Any) -> None:
        raise Boom("a listener's bug")

    def write_then_fail(events: Any) -> None:
        ReportEvent.objects.create(
            kind=ReportEventKind.RATED,
            occurred_at=conversation.created_at,
            conversation_id=conversation.pk,
            inbox_id=conversation.inbox_id,
            channel="web",
            value=-1,
        )
        raise Boom("an in-transaction listener's bug")

    broken = [
        Listener(
            name="test-broken-in-tx",
            event_types=(MessageCreated,),
            handle=write_then_fail,
            in_transaction=True,
        ),
        Listener(name="test-broken", event_types=(MessageCreated,), handle=fail),
    ]
    after = Listener(name="test-after", event_types=(MessageCreated,), handle=heard_after.extend)
    # the broken ones first, so that everything else comes after them
    monkeypatch.setattr(registry, "listeners", [*broken, *registry.listeners, after])

    with django_capture_on_commit_callbacks(execute=True):
        reply = operator_says(conversation, agent, "Hello, how can I help?")

    assert Message.objects.filter(pk=reply.pk, body="Hello, how can I help?").exists()
    assert [event.message.pk for event in heard_after] == [reply.pk]
    assert any("Hello, how can I help?" in event["frame"] for _group, event in published)
    # the failing in-transaction listener's own write is undone, the others' stays
    assert not ReportEvent.objects.filter(value=-1).exists()
    assert ReportEvent.objects.filter(conversation_id=conversation.pk, kind="reply").exists()
    assert Conversation.objects.get(pk=conversation.pk).last_seq == 1
    failures = [r for r in caplog.records if r.exc_info and r.exc_info[0] is Boom]
    assert {r.args[0] for r in failures} == {"test-broken-in-tx", "test-broken"}


@pytest.mark.django_db(transaction=True)
def test_a_listener_that_hears_visitors_messages_in_their_transaction_gets_one(
    inbox, monkeypatch, caplog
):
    """A visitor's message is one statement and its own commit only while no in-transaction
    listener takes it; one that does is run inside the message's transaction, also from the
    group commit."""
    inside: list[bool] = []

    def note_the_transaction(events: Any) -> None:
        inside.extend(connection.in_atomic_block for _event in events)

    hears_visitors = Listener(
        name="test-in-tx-visitors",
        event_types=(MessageCreated,),
        handle=note_the_transaction,
        in_transaction=True,
        wants=lambda event: event.message.author_kind == "visitor",
    )
    monkeypatch.setattr(registry, "listeners", [*registry.listeners, hears_visitors])
    person = visitor_for(inbox)[0]
    visitor_messages_send([VisitorSend(visitor=person, body="opens it", client_id="a")])
    visitor_messages_send([VisitorSend(visitor=person, body="batched", client_id="b")])
    assert inside == [True, True]
    assert not [r for r in caplog.records if "recorded outside a transaction" in r.getMessage()]


def test_a_listener_whose_filter_raises_takes_nothing_and_the_others_go_on(
    conversation, agent, heard, monkeypatch, django_capture_on_commit_callbacks
):
    def broken_filter(event: Any) -> bool:
        raise Boom("a filter's bug")

    picky = Listener(
        name="test-picky",
        event_types=(MessageCreated,),
        handle=lambda events: None,
        in_transaction=True,
        wants=broken_filter,
    )
    monkeypatch.setattr(registry, "listeners", [picky, *registry.listeners])
    with django_capture_on_commit_callbacks(execute=True):
        reply = operator_says(conversation, agent, "Still here")
    assert [event.message.pk for event in of_type(heard, MessageCreated)] == [reply.pk]
