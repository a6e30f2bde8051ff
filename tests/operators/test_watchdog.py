"""The ownership watchdog (`operators/watchdog.py`): an offline operator's unanswered
conversations go back to the queue after a grace period, and an inbox's
`reassign_unanswered_after` moves a conversation its assignee leaves unanswered."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chats.assignment import presence, tasks
from chats.assignment.watchdog import (
    ownership_return,
    ownership_sweep,
    unanswered_reassign,
)
from chats.models import Conversation, ConversationStatus, Inbox
from chats.services import assigning, conversations
from operators.models import Notification, Operator, Role, Status, Team
from operators.services import operator_status_set
from tests.factories import ContactFactory, InboxFactory, operator_says, visitor_says

GRACE = 60
REASSIGN_AFTER = 120


@pytest.fixture(autouse=True)
def _grace(settings) -> None:
    settings.OWNERSHIP_RETURN_GRACE_SECONDS = GRACE


@pytest.fixture
def drains(monkeypatch) -> list[int]:
    """The routing requests made after commits (not run: the tests drain when they mean to)."""
    asked: list[int] = []
    monkeypatch.setattr(tasks.drain_team_queue, "delay", asked.append)
    return asked


@pytest.fixture
def routed(team: Team) -> Inbox:
    return InboxFactory(team=team, routing="least_busy", reassign_unanswered_after=REASSIGN_AFTER)


def held_by(operator: Operator, inbox: Inbox) -> Conversation:
    conversation = conversations.conversation_open(inbox=inbox, contact=ContactFactory())
    Conversation.objects.filter(pk=conversation.pk).update(
        assignee=operator, queued_at=None, assigned_at=timezone.now()
    )
    return Conversation.objects.get(pk=conversation.pk)


def fresh(conversation: Conversation) -> Conversation:
    return Conversation.objects.get(pk=conversation.pk)


def reassigned_notes(operator: Operator) -> list[int]:
    rows = Notification.objects.filter(operator=operator, kind="reassigned").order_by("id")
    return [n.conversation_id for n in rows]


def go_offline(operator: Operator) -> datetime:
    operator_status_set(operator=operator, status=Status.OFFLINE)
    moment = Operator.objects.get(pk=operator.pk).status_changed_at
    assert moment is not None
    return moment


# --- (a) an operator who went offline --------------------------------------------------------


@pytest.mark.django_db
def test_going_offline_by_hand_or_by_presence_schedules_the_return_after_the_grace(
    agent, monkeypatch, django_capture_on_commit_callbacks
):
    scheduled: list[tuple[tuple[int, ...], dict]] = []
    monkeypatch.setattr(
        tasks.ownership_return,
        "apply_async",
        lambda args, **options: scheduled.append((args, options)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        operator_status_set(operator=agent, status=Status.OFFLINE)
    assert scheduled == [((agent.pk,), {"countdown": GRACE})]

    scheduled.clear()
    with django_capture_on_commit_callbacks(execute=True):
        operator_status_set(operator=agent, status=Status.ONLINE)
    assert scheduled == []

    left = timezone.now() - timedelta(hours=1)
    Operator.objects.filter(pk=agent.pk).update(console_left_at=left, status_changed_at=left)
    with django_capture_on_commit_callbacks(execute=True):
        assert presence.presence_settle(operator_id=agent.pk) == Status.OFFLINE
    assert scheduled == [((agent.pk,), {"countdown": GRACE})]
    offline_since = Operator.objects.get(pk=agent.pk).status_changed_at
    assert offline_since is not None and offline_since > left  # the moment it went offline


@pytest.mark.django_db
def test_after_the_grace_an_offline_operators_unanswered_conversations_return_to_the_queue(
    agent, routed, drains, published, django_capture_on_commit_callbacks
):
    waiting = held_by(agent, routed)
    first_question = visitor_says(waiting, "Where is my order?")
    visitor_says(waiting, "Hello??")
    answered = held_by(agent, routed)
    visitor_says(answered)
    operator_says(answered, agent)
    followed_up = held_by(agent, routed)
    visitor_says(followed_up)
    operator_says(followed_up, agent)
    follow_up = visitor_says(followed_up, "One more thing")
    noted = held_by(agent, routed)
    note_question = visitor_says(noted)
    operator_says(noted, agent, "checking with billing", private=True)
    silent = held_by(agent, routed)  # the visitor has said nothing: nothing to answer
    offline_since = go_offline(agent)

    assert ownership_return(operator_id=agent.pk, now=offline_since + timedelta(seconds=59)) == []
    with django_capture_on_commit_callbacks(execute=True):
        returned = ownership_return(
            operator_id=agent.pk, now=offline_since + timedelta(seconds=GRACE)
        )

    assert sorted(returned) == sorted([waiting.pk, followed_up.pk, noted.pk])
    for conversation, since in (
        (waiting, first_question),
        (followed_up, follow_up),
        (noted, note_question),
    ):
        row = fresh(conversation)
        assert (row.assignee_id, row.assigned_at, row.team_id) == (None, None, routed.team_id)
        assert row.queued_at == since.created_at  # its place: since the visitor has waited
    assert fresh(answered).assignee_id == agent.pk
    assert fresh(silent).assignee_id == agent.pk
    assert sorted(reassigned_notes(agent)) == sorted(returned)
    assert drains == [routed.team_id]
    changed = [
        json.loads(e["frame"])["conversation"]["id"]
        for e in published.to(f"assigned.{agent.pk}")
        if json.loads(e["frame"])["type"] == "conversation"
    ]
    assert set(returned) <= set(changed)  # the operator's console sees them go


@pytest.mark.django_db
def test_returned_conversations_keep_their_place_and_go_to_a_free_colleague(
    agent, make_operator, team, routed, drains
):
    from chats.assignment.drain import team_queue_drain

    returned = held_by(agent, routed)
    visitor_says(returned)
    newcomer = conversations.conversation_open(inbox=routed, contact=ContactFactory())
    # the newcomer arrived after the returned conversation's visitor began to wait
    Conversation.objects.filter(pk=newcomer.pk).update(queued_at=timezone.now())
    offline_since = go_offline(agent)
    ownership_return(operator_id=agent.pk, now=offline_since + timedelta(seconds=GRACE))
    colleague = make_operator(Role.AGENT, [team], max_chats=1)

    team_queue_drain(team_id=team.pk)

    assert fresh(returned).assignee_id == colleague.pk
    assert fresh(newcomer).assignee_id is None


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.ONLINE, Status.AWAY])
def test_an_operator_back_within_the_grace_keeps_their_conversations(agent, routed, status):
    conversation = held_by(agent, routed)
    visitor_says(conversation)
    offline_since = go_offline(agent)
    operator_status_set(operator=agent, status=status)

    assert ownership_return(operator_id=agent.pk, now=offline_since + timedelta(hours=1)) == []
    assert fresh(conversation).assignee_id == agent.pk


@pytest.mark.django_db
def test_conversations_given_to_an_offline_operator_afterwards_stay_theirs(
    agent, supervisor, routed
):
    offline_since = go_offline(agent)
    conversation = conversations.conversation_open(inbox=routed, contact=ContactFactory())
    assigning.conversation_assign(conversation=conversation, actor=supervisor, operator=agent)
    visitor_says(conversation)

    assert ownership_return(operator_id=agent.pk, now=offline_since + timedelta(hours=1)) == []
    assert fresh(conversation).assignee_id == agent.pk


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ConversationStatus.PENDING, ConversationStatus.RESOLVED])
def test_pending_and_resolved_conversations_stay(agent, routed, status):
    conversation = held_by(agent, routed)
    visitor_says(conversation)
    Conversation.objects.filter(pk=conversation.pk).update(status=status)
    offline_since = go_offline(agent)

    assert ownership_return(operator_id=agent.pk, now=offline_since + timedelta(hours=1)) == []


@pytest.mark.django_db
def test_the_sweep_returns_what_a_lost_task_did_not_and_only_once(
    agent, make_operator, team, routed, drains
):
    online = make_operator(Role.AGENT, [team])
    kept = held_by(online, routed)
    visitor_says(kept)
    conversation = held_by(agent, routed)
    visitor_says(conversation)
    offline_since = go_offline(agent)

    assert ownership_sweep(now=offline_since + timedelta(seconds=30)) == []
    assert ownership_sweep(now=offline_since + timedelta(seconds=GRACE)) == [conversation.pk]
    assert ownership_sweep(now=offline_since + timedelta(seconds=GRACE + 30)) == []
    assert fresh(kept).assignee_id == online.pk
    assert reassigned_notes(agent) == [conversation.pk]


@pytest.mark.django_db
def test_the_return_task_is_acked_late_and_harmless_twice(agent, routed, drains):
    assert tasks.ownership_return.acks_late is True
    assert tasks.ownership_sweep.acks_late is True
    conversation = held_by(agent, routed)
    visitor_says(conversation)
    offline_since = go_offline(agent)
    Operator.objects.filter(pk=agent.pk).update(
        status_changed_at=offline_since - timedelta(seconds=GRACE)
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        assigned_at=offline_since - timedelta(seconds=2 * GRACE)
    )

    assert tasks.ownership_return(agent.pk) == [conversation.pk]
    assert tasks.ownership_return(agent.pk) == []
    assert tasks.ownership_sweep() == []


# --- (b) unanswered for the inbox's reassign_unanswered_after ------------------------------------


@pytest.fixture
def pair(make_operator, team):
    """The first assignee and one colleague, both online and free."""
    return make_operator(Role.AGENT, [team], name="First"), make_operator(
        Role.AGENT, [team], name="Second"
    )


@pytest.mark.django_db
def test_an_unanswered_conversation_goes_to_another_free_operator_after_the_delay(
    pair, routed, drains, published, django_capture_on_commit_callbacks
):
    first, second = pair
    conversation = held_by(first, routed)
    visitor_says(conversation)
    assigned_at = fresh(conversation).assigned_at
    assert assigned_at is not None

    assert unanswered_reassign(now=assigned_at + timedelta(seconds=REASSIGN_AFTER - 1)) == []
    moment = assigned_at + timedelta(seconds=REASSIGN_AFTER)
    with django_capture_on_commit_callbacks(execute=True):
        assert unanswered_reassign(now=moment) == [conversation.pk]

    row = fresh(conversation)
    assert (row.assignee_id, row.assigned_at, row.queued_at) == (second.pk, moment, None)
    assert reassigned_notes(first) == [conversation.pk]
    assert not reassigned_notes(second)
    frames = [json.loads(e["frame"]) for e in published.to(f"operator.{first.pk}")]
    assert [f["notification"]["kind"] for f in frames if f["type"] == "notification"] == [
        "reassigned"
    ]
    # its console sees the conversation go (the frame reaches the group of its former assignee)
    assert any(
        f["type"] == "conversation" and f["conversation"]["assignee"]["id"] == second.pk
        for f in (json.loads(e["frame"]) for e in published.to(f"assigned.{first.pk}"))
    )
    assert routed.team_id in drains  # the first operator's freed capacity is routed


@pytest.mark.django_db
def test_a_public_reply_by_the_assignee_keeps_the_conversation(pair, routed):
    first, _second = pair
    conversation = held_by(first, routed)
    visitor_says(conversation)
    operator_says(conversation, first)
    visitor_says(conversation, "thanks, and one more question")

    later = timezone.now() + timedelta(seconds=REASSIGN_AFTER * 10)
    assert unanswered_reassign(now=later) == []
    assert fresh(conversation).assignee_id == first.pk


@pytest.mark.django_db
def test_a_private_note_or_a_reply_before_the_assignment_is_no_answer(pair, make_operator, routed):
    first, second = pair
    before = make_operator(Role.SUPERVISOR)
    conversation = conversations.conversation_open(inbox=routed, contact=ContactFactory())
    visitor_says(conversation)
    operator_says(conversation, before, "Passing you to a colleague")
    visitor_says(conversation, "ok?")
    assigning.conversation_assign(conversation=conversation, actor=before, operator=first)
    operator_says(conversation, first, "@someone help", private=True)

    later = timezone.now() + timedelta(seconds=REASSIGN_AFTER)
    assert unanswered_reassign(now=later) == [conversation.pk]
    assert fresh(conversation).assignee_id == second.pk


@pytest.mark.django_db
def test_a_conversation_whose_visitor_waits_for_nothing_stays(pair, routed):
    first, _second = pair
    held_by(first, routed)  # assigned, but the visitor has not written

    later = timezone.now() + timedelta(seconds=REASSIGN_AFTER * 10)
    assert unanswered_reassign(now=later) == []


@pytest.mark.django_db
def test_with_nobody_else_free_it_stays_and_moves_at_a_later_pass(
    make_operator, team, routed, drains
):
    first = make_operator(Role.AGENT, [team])
    second = make_operator(Role.AGENT, [team], max_chats=1)
    busy = held_by(second, routed)
    make_operator(Role.AGENT, [team], status=Status.AWAY)
    conversation = held_by(first, routed)
    visitor_says(conversation)
    later = timezone.now() + timedelta(seconds=REASSIGN_AFTER)

    assert unanswered_reassign(now=later) == []  # never back to the same one, nor over max_chats
    assert fresh(conversation).assignee_id == first.pk
    assert not Notification.objects.exists()

    conversations.conversation_status_set(
        conversation=busy, actor=None, status=ConversationStatus.RESOLVED
    )
    assert unanswered_reassign(now=later + timedelta(seconds=10)) == [conversation.pk]
    assert fresh(conversation).assignee_id == second.pk


@pytest.mark.django_db
def test_operators_losing_an_unanswered_conversation_take_none_in_the_same_pass(
    make_operator, team, routed, drains
):
    slow = make_operator(Role.AGENT, [team], max_chats=1)
    slower = make_operator(Role.AGENT, [team], max_chats=1)
    helper = make_operator(Role.AGENT, [team], max_chats=1)
    older = held_by(slower, routed)
    newer = held_by(slow, routed)
    for conversation in (older, newer):
        visitor_says(conversation)
    Conversation.objects.filter(pk=older.pk).update(
        assigned_at=timezone.now() - timedelta(seconds=REASSIGN_AFTER + 5)
    )

    moved = unanswered_reassign(now=timezone.now() + timedelta(seconds=REASSIGN_AFTER))

    # the longest-waiting one goes to the one free operator; the capacity it frees is not
    # handed the other unanswered conversation (that would only shuffle them)
    assert moved == [older.pk]
    assert fresh(older).assignee_id == helper.pk
    assert fresh(newer).assignee_id == slow.pk


@pytest.mark.django_db
def test_the_new_operator_is_picked_by_the_inbox_strategy_and_capacity(
    make_operator, team, routed, drains
):
    first = make_operator(Role.AGENT, [team])
    full = make_operator(Role.AGENT, [team], max_chats=1)
    held_by(full, routed)
    busier = make_operator(Role.AGENT, [team])
    held_by(busier, routed)
    idle = make_operator(Role.AGENT, [team])
    conversation = held_by(first, routed)
    visitor_says(conversation)

    unanswered_reassign(now=timezone.now() + timedelta(seconds=REASSIGN_AFTER))

    assert fresh(conversation).assignee_id == idle.pk


@pytest.mark.django_db
def test_the_account_manager_gets_it_first(pair, make_operator, team, routed, drains):
    first, _second = pair
    manager = make_operator(Role.AGENT, [team])
    held_by(manager, routed)
    conversation = held_by(first, routed)
    conversation.contact.account_manager = manager
    conversation.contact.save(update_fields=["account_manager"])
    visitor_says(conversation)

    unanswered_reassign(now=timezone.now() + timedelta(seconds=REASSIGN_AFTER))

    assert fresh(conversation).assignee_id == manager.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    "inbox_change", [{"reassign_unanswered_after": None}, {"routing": "manual"}]
)
def test_inboxes_without_the_setting_or_routed_by_hand_are_left_alone(pair, routed, inbox_change):
    first, _second = pair
    Inbox.objects.filter(pk=routed.pk).update(**inbox_change)
    conversation = held_by(first, routed)
    visitor_says(conversation)

    assert unanswered_reassign(now=timezone.now() + timedelta(days=1)) == []
    assert fresh(conversation).assignee_id == first.pk


@pytest.mark.django_db
def test_the_reassignment_task_is_acked_late(pair, routed, drains):
    assert tasks.unanswered_reassign.acks_late is True
    first, second = pair
    conversation = held_by(first, routed)
    visitor_says(conversation)
    Conversation.objects.filter(pk=conversation.pk).update(
        assigned_at=timezone.now() - timedelta(seconds=REASSIGN_AFTER)
    )

    assert tasks.unanswered_reassign() == [conversation.pk]
    assert tasks.unanswered_reassign() == []
    assert fresh(conversation).assignee_id == second.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_passes_move_a_conversation_once(make_operator, team, routed, drains):
    first = make_operator(Role.AGENT, [team])
    make_operator(Role.AGENT, [team], max_chats=1)
    make_operator(Role.AGENT, [team], max_chats=1)
    conversations = []
    for _ in range(3):
        conversation = held_by(first, routed)
        visitor_says(conversation)
        conversations.append(conversation)
    later = timezone.now() + timedelta(seconds=REASSIGN_AFTER)
    barrier = threading.Barrier(4)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(unanswered_reassign(now=later))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    moved = [pk for result in results for pk in result]
    assert len(moved) == len(set(moved)) == 2  # two colleagues with room for one each
    loads = {
        operator.pk: Conversation.objects.filter(assignee=operator).count()
        for operator in Operator.objects.all()
    }
    assert sorted(loads.values()) == [1, 1, 1]
    assert len(reassigned_notes(first)) == 2


# --- a deactivated operator ------------------------------------------------------------------


@pytest.mark.django_db
def test_deactivating_an_operator_returns_all_their_conversations_to_the_queue(
    client_for,
    admin,
    team,
    routed,
    make_operator,
    drains,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    # the release is the worker's task: run it inline, as the worker would
    monkeypatch.setattr(tasks.release_deactivated, "delay", tasks.release_deactivated)
    leaver = make_operator(Role.AGENT, [team], status=Status.ONLINE)
    waiting = held_by(leaver, routed)
    visitor_says(waiting, "Hello?")
    answered = held_by(leaver, routed)
    visitor_says(answered, "Hi")
    operator_says(answered, leaver, "Hello, how can I help?")
    pending = held_by(leaver, routed)
    Conversation.objects.filter(pk=pending.pk).update(status=ConversationStatus.PENDING)
    done = held_by(leaver, routed)
    Conversation.objects.filter(pk=done.pk).update(status=ConversationStatus.RESOLVED)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).patch(
            f"/api/v1/operators/{leaver.pk}", {"is_active": False}, format="json"
        )
    assert response.status_code == 200, response.content

    for conversation in (waiting, answered, pending):
        released = fresh(conversation)
        assert released.assignee_id is None
        assert released.queued_at is not None
    assert fresh(done).assignee_id == leaver.pk  # history stays as it was
    assert team.pk in drains
    assert not reassigned_notes(leaver)  # nobody to tell


@pytest.mark.django_db
def test_the_sweep_releases_what_a_deactivated_operator_still_holds(
    team, routed, make_operator, drains
):
    leaver = make_operator(Role.AGENT, [team], status=Status.ONLINE)
    conversation = held_by(leaver, routed)
    Operator.objects.filter(pk=leaver.pk).update(is_active=False)  # no service: nothing ran

    assert ownership_sweep() == [conversation.pk]
    assert fresh(conversation).assignee_id is None
    assert ownership_sweep() == []  # idempotent
