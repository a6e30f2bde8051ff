"""Hand transfers (`POST /api/v1/conversations/{id}/assign`): the receiving operator, or the
receiving team's present members, are notified live; an escalation to another inbox's team keeps
the whole history in the same conversation, and the hand-off note never reaches the visitor."""

from __future__ import annotations

import json

import pytest

from chats.models import Conversation, Inbox, Message
from chats.services import assigning
from operators.models import Notification, Role, Status
from tests.factories import InboxFactory, operator_says, visitor_says

pytestmark = pytest.mark.django_db

NOTIFICATION_FIELDS = {"id", "kind", "conversation", "message", "by", "created_at", "read"}


def assign(client, conversation: Conversation, **payload):
    return client.post(f"/api/v1/conversations/{conversation.pk}/assign", payload, format="json")


def notification_frames(published, operator) -> list[dict]:
    frames = [json.loads(event["frame"]) for event in published.to(f"operator.{operator.pk}")]
    return [frame for frame in frames if frame["type"] == "notification"]


@pytest.fixture
def teammate(make_operator, team):
    return make_operator(Role.AGENT, [team], status=Status.ONLINE, name="Tina Teammate")


# --- to an operator ----------------------------------------------------------------------------


def test_the_operator_a_conversation_is_handed_to_is_notified_live_with_the_note(
    client_for, agent, teammate, conversation, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = assign(
            client_for(agent), conversation, operator=teammate.pk, note="Refund, order #123"
        )

    assert response.status_code == 200, response.content
    notification = Notification.objects.get()
    note = Message.objects.get(conversation=conversation, private=True)
    assert (notification.operator_id, notification.kind) == (teammate.pk, "assigned")
    assert (notification.conversation_id, notification.message_id) == (conversation.pk, note.pk)
    assert notification.by_id == agent.pk
    (frame,) = notification_frames(published, teammate)
    assert frame["type"] == "notification"
    assert set(frame["notification"]) == NOTIFICATION_FIELDS
    assert frame["notification"]["kind"] == "assigned"
    assert frame["notification"]["conversation"] == conversation.pk
    assert frame["notification"]["message"] == note.pk
    assert frame["notification"]["by"] == {"id": agent.pk, "name": agent.display_name}
    assert not notification_frames(published, agent)


def test_a_hand_over_without_a_note_notifies_with_no_message(
    client_for, agent, teammate, conversation
):
    assert assign(client_for(agent), conversation, operator=teammate.pk).status_code == 200

    notification = Notification.objects.get()
    assert (notification.kind, notification.message_id) == ("assigned", None)


def test_taking_a_conversation_oneself_notifies_no_one(client_for, agent, teammate, conversation):
    assert assign(client_for(agent), conversation, operator=agent.pk).status_code == 200

    assert not Notification.objects.exists()


def test_assigning_again_to_the_same_operator_notifies_once(
    client_for, supervisor, teammate, conversation
):
    client = client_for(supervisor)
    assert assign(client, conversation, operator=teammate.pk).status_code == 200
    assert assign(client, conversation, operator=teammate.pk).status_code == 200

    assert Notification.objects.filter(operator=teammate, kind="assigned").count() == 1


def test_a_refused_hand_over_notifies_no_one(client_for, agent, make_operator, team, conversation):
    offline = make_operator(Role.AGENT, [team], status=Status.OFFLINE)

    assert assign(client_for(agent), conversation, operator=offline.pk).status_code == 400

    assert not Notification.objects.exists()


# --- to a team ---------------------------------------------------------------------------------


def test_a_transfer_to_a_team_notifies_its_online_and_away_members_but_not_the_actor(
    client_for,
    make_operator,
    other_team,
    conversation,
    published,
    django_capture_on_commit_callbacks,
):
    online = make_operator(Role.AGENT, [other_team], status=Status.ONLINE)
    away = make_operator(Role.AGENT, [other_team], status=Status.AWAY)
    offline = make_operator(Role.AGENT, [other_team], status=Status.OFFLINE)
    inactive = make_operator(Role.AGENT, [other_team], status=Status.ONLINE, is_active=False)
    actor = make_operator(Role.SUPERVISOR, [other_team], status=Status.ONLINE)

    with django_capture_on_commit_callbacks(execute=True):
        response = assign(client_for(actor), conversation, team=other_team.pk, note="Billing")

    assert response.status_code == 200, response.content
    rows = Notification.objects.order_by("operator_id")
    assert [(n.operator_id, n.kind) for n in rows] == [
        (online.pk, "team_transfer"),
        (away.pk, "team_transfer"),
    ]
    assert {n.message_id for n in rows} == {Message.objects.get(private=True).pk}
    for member in (online, away):
        (frame,) = notification_frames(published, member)
        assert frame["notification"]["kind"] == "team_transfer"
        assert frame["notification"]["by"]["id"] == actor.pk
    for silent in (offline, inactive, actor):
        assert not notification_frames(published, silent)


def test_a_transfer_to_a_team_is_routed_to_its_free_member(
    client_for,
    agent,
    make_operator,
    other_team,
    conversation,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from chats.assignment.tasks import drain_team_queue

    member = make_operator(Role.AGENT, [other_team], status=Status.ONLINE)
    monkeypatch.setattr(drain_team_queue, "delay", drain_team_queue)  # the worker, inline
    Inbox.objects.filter(pk=conversation.inbox_id).update(routing="least_busy")
    Conversation.objects.filter(pk=conversation.pk).update(assignee=agent)

    with django_capture_on_commit_callbacks(execute=True):
        assert assign(client_for(agent), conversation, team=other_team.pk).status_code == 200

    conversation.refresh_from_db()
    assert (conversation.team_id, conversation.assignee_id) == (other_team.pk, member.pk)
    assert conversation.assigned_at is not None


# --- escalation to another inbox's department ----------------------------------------------------


def test_an_escalation_to_another_inboxs_team_keeps_the_history_for_its_agents_and_hides_the_note(
    client_for,
    agent,
    make_operator,
    other_team,
    conversation,
    visitor,
    widget_client_for,
    published,
    django_capture_on_commit_callbacks,
):
    InboxFactory(team=other_team)  # the department has an inbox of its own
    specialist = make_operator(Role.AGENT, [other_team], status=Status.ONLINE)
    specialist_client = client_for(specialist)
    visitor_says(conversation, "My invoice is wrong")
    operator_says(conversation, agent, "Let me ask billing")
    assert specialist_client.get(f"/api/v1/conversations/{conversation.pk}").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = assign(
            client_for(agent), conversation, team=other_team.pk, note="SECRET: VIP, be kind"
        )

    assert response.status_code == 200, response.content
    detail = specialist_client.get(f"/api/v1/conversations/{conversation.pk}")
    assert detail.status_code == 200
    assert (detail.json()["id"], detail.json()["team"]) == (conversation.pk, other_team.pk)
    messages = specialist_client.get(f"/api/v1/conversations/{conversation.pk}/messages")
    assert [(m["seq"], m["body"], m["private"]) for m in messages.json()["results"]] == [
        (1, "My invoice is wrong", False),
        (2, "Let me ask billing", False),
        (3, "SECRET: VIP, be kind", True),
    ]
    assert Conversation.objects.filter(contact=conversation.contact).count() == 1
    assert Notification.objects.get(operator=specialist).kind == "team_transfer"
    # the visitor: not over REST, not on their socket's group, not in the conversation frame
    widget = widget_client_for(visitor[1]).get("/api/widget/v1/messages").json()["results"]
    assert [m["body"] for m in widget] == ["My invoice is wrong", "Let me ask billing"]
    to_visitor = published.to(f"visitor.{conversation.contact_id}.{conversation.inbox_id}")
    assert to_visitor, "the visitor hears of the change of the conversation"
    assert all("SECRET" not in event["frame"] for event in to_visitor)


# --- on the console socket -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_assigned_notification_reaches_the_receivers_console(
    ws, agent, teammate, conversation
):
    from operators.services import token_issue
    from tests.ws_helpers import on_db, receive_until

    token = (await on_db(token_issue, operator=teammate))[1]
    console = await ws.connect_console(token)

    await on_db(
        assigning.conversation_assign,
        conversation=conversation,
        actor=agent,
        operator=teammate,
        note="yours now",
    )

    frame = await receive_until(console, "notification", timeout=15.0)
    notification = await on_db(Notification.objects.get)
    note = await on_db(Message.objects.get, private=True)
    assert frame == {
        "type": "notification",
        "notification": {
            "id": notification.pk,
            "kind": "assigned",
            "conversation": conversation.pk,
            "message": note.pk,
            "by": {"id": agent.pk, "name": agent.display_name},
            "created_at": frame["notification"]["created_at"],
            "read": False,
        },
    }
