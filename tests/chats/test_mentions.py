"""@mentions in private notes: who is notified, the `notification` frame on the mentioned
operator's console socket, and `/api/v1/notifications`."""

from __future__ import annotations

import pytest

from chats.models import Conversation
from chats.services import conversations
from operators.models import Notification, Role
from tests.factories import ContactFactory, InboxFactory, operator_says
from tests.helpers import assert_error
from tests.ws_helpers import assert_no_frame, on_db, receive_until

SLOW = 15.0  # seconds: the suite shares two busy cores with others
NOTIFICATION_FIELDS = {"id", "kind", "conversation", "message", "by", "created_at", "read"}


def write(conversation: Conversation, operator, body: str, *, private: bool = True, **kwargs):
    return operator_says(conversation, operator, body, private=private, **kwargs)


@pytest.fixture
def colleague(make_operator, team):
    return make_operator(Role.AGENT, [team], username="olga", name="Olga Operatorova")


@pytest.fixture
def outsider(make_operator, other_team):
    """An agent of another team: may not see the conversation."""
    return make_operator(Role.AGENT, [other_team], username="otto")


# --- who is notified --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_private_note_mentioning_a_colleague_notifies_them(
    agent, colleague, conversation, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = write(conversation, agent, "@olga please check the refund")

    notification = Notification.objects.get()
    assert notification.operator_id == colleague.pk
    assert notification.kind == "mention"
    assert notification.conversation_id == conversation.pk
    assert notification.message_id == message.pk
    assert notification.by_id == agent.pk
    assert notification.read_at is None
    events = published.to(f"operator.{colleague.pk}")
    assert len(events) == 1
    assert events[0]["type"] == "relay"
    assert "audiences" not in events[0]


@pytest.mark.django_db(transaction=True)
def test_the_notification_event_is_published_after_the_commit_with_the_documented_frame(
    agent, colleague, conversation, published
):
    import json

    write(conversation, agent, "Hand-off: @olga, VIP customer")

    notification = Notification.objects.get()
    (event,) = published.to(f"operator.{colleague.pk}")
    frame = json.loads(event["frame"])
    assert frame["type"] == "notification"
    assert set(frame["notification"]) == NOTIFICATION_FIELDS
    assert frame["notification"]["id"] == notification.pk
    assert frame["notification"]["kind"] == "mention"
    assert frame["notification"]["conversation"] == conversation.pk
    assert frame["notification"]["message"] == notification.message_id
    assert frame["notification"]["by"] == {"id": agent.pk, "name": agent.display_name}
    assert frame["notification"]["read"] is False
    assert frame["notification"]["created_at"].endswith("Z")
    # the note itself goes to consoles only, never to the visitor
    assert not published.to(f"visitor.{conversation.contact_id}.{conversation.inbox_id}")


@pytest.mark.django_db
def test_a_mention_in_a_public_reply_does_not_notify(agent, colleague, conversation, published):
    write(conversation, agent, "@olga will call you back", private=False)

    assert not Notification.objects.exists()
    assert not published.to(f"operator.{colleague.pk}")


@pytest.mark.django_db
def test_an_operator_who_may_not_see_the_conversation_is_not_notified(
    agent, outsider, conversation, published
):
    write(conversation, agent, "@otto can you look?")

    assert not Notification.objects.exists()
    assert not published.to(f"operator.{outsider.pk}")


@pytest.mark.django_db
def test_an_operator_who_sees_it_as_assignee_or_supervisor_is_notified(
    agent, make_operator, other_team, conversation
):
    assignee = make_operator(Role.AGENT, [other_team], username="anna")
    boss = make_operator(Role.SUPERVISOR, username="boss")
    Conversation.objects.filter(pk=conversation.pk).update(assignee=assignee)

    write(conversation, agent, "@anna @boss look")

    assert set(Notification.objects.values_list("operator_id", flat=True)) == {
        assignee.pk,
        boss.pk,
    }


@pytest.mark.django_db
def test_a_member_of_the_conversations_team_is_notified_even_from_another_inbox(
    agent, make_operator, team, other_team
):
    inbox = InboxFactory(team=other_team)
    conversation = conversations.conversation_open(inbox=inbox, contact=ContactFactory())
    Conversation.objects.filter(pk=conversation.pk).update(team=team)
    member = make_operator(Role.AGENT, [team], username="member")
    admin = make_operator(Role.ADMIN, username="root")

    write(conversation, admin, "@member")

    assert Notification.objects.get().operator_id == member.pk


@pytest.mark.django_db
def test_inactive_operators_unknown_names_emails_and_the_author_are_not_notified(
    agent, make_operator, team, conversation
):
    make_operator(Role.AGENT, [team], username="gone", is_active=False)
    agent.username = "me"
    agent.save(update_fields=["username"])

    write(conversation, agent, "@gone @nobody write to olga@example.com, says @me")

    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_mentions_ignore_case_and_trailing_punctuation_and_count_once(
    agent, colleague, conversation
):
    write(conversation, agent, "@Olga, @OLGA. (@olga) and again @olga!")

    assert Notification.objects.filter(operator=colleague).count() == 1


@pytest.mark.django_db
def test_a_resent_note_does_not_notify_twice(agent, colleague, conversation):
    first = write(conversation, agent, "@olga look", client_id="note-1")
    again = write(conversation, agent, "@olga look", client_id="note-1")

    assert again.pk == first.pk
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_a_hand_off_note_mentioning_someone_notifies_them(
    client_for, agent, colleague, conversation
):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/assign",
        {"team": conversation.team_id, "note": "@olga this one is yours"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert Notification.objects.get(kind="mention").operator_id == colleague.pk
    # a transfer to the team also tells its members (tests/operators/test_transfers.py)
    assert Notification.objects.get(kind="team_transfer").operator_id == colleague.pk


@pytest.mark.django_db
def test_a_private_note_over_rest_notifies(client_for, agent, colleague, conversation):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"body": "cc @olga", "private": True},
        format="json",
    )

    assert response.status_code == 201
    assert Notification.objects.get().message_id == response.json()["id"]


# --- the console socket -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_frame_reaches_the_mentioned_operators_console_only(
    ws, agent, colleague, make_operator, team, conversation
):
    from operators.services import token_issue

    bystander = await on_db(make_operator, Role.AGENT, [team], username="bystander")
    colleague_token = (await on_db(token_issue, operator=colleague))[1]
    bystander_token = (await on_db(token_issue, operator=bystander))[1]
    mentioned = await ws.connect_console(colleague_token)
    other = await ws.connect_console(bystander_token)

    message = await on_db(write, conversation, agent, "@olga please take over")

    frame = await receive_until(mentioned, "notification", timeout=SLOW)
    notification = await on_db(Notification.objects.get)
    assert frame == {
        "type": "notification",
        "notification": {
            "id": notification.pk,
            "kind": "mention",
            "conversation": conversation.pk,
            "message": message.pk,
            "by": {"id": agent.pk, "name": agent.display_name},
            "created_at": frame["notification"]["created_at"],
            "read": False,
        },
    }
    # the bystander sees the note itself (same team) but no notification
    assert (await receive_until(other, "message", timeout=SLOW))["message"]["id"] == message.pk
    await assert_no_frame(other, timeout=0.5)


# --- REST -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_is_the_callers_newest_first_and_pages(
    client_for, agent, colleague, admin, conversation
):
    for index in range(3):
        write(conversation, agent, f"@olga {index}")
    write(conversation, colleague, "@root is nobody; this mentions nobody")
    mine = list(Notification.objects.filter(operator=colleague).order_by("-id"))
    client = client_for(colleague)

    first = client.get("/api/v1/notifications", {"limit": 2})
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"results", "next"}
    assert [row["id"] for row in body["results"]] == [n.pk for n in mine[:2]]
    assert all(set(row) == NOTIFICATION_FIELDS for row in body["results"])
    rest = client.get(body["next"]).json()
    assert [row["id"] for row in rest["results"]] == [mine[2].pk]
    assert rest["next"] is None
    assert client_for(agent).get("/api/v1/notifications").json()["results"] == []


@pytest.mark.django_db
def test_marking_read_answers_the_notification_and_is_idempotent(
    client_for, agent, colleague, conversation
):
    write(conversation, agent, "@olga")
    notification = Notification.objects.get()
    client = client_for(colleague)
    url = f"/api/v1/notifications/{notification.pk}/read"

    first = client.post(url)
    notification.refresh_from_db()
    read_at = notification.read_at
    second = client.post(url, {}, format="json")

    assert first.status_code == 200
    assert first.json()["read"] is True
    assert first.json()["id"] == notification.pk
    assert second.status_code == 200
    assert second.json() == first.json()
    notification.refresh_from_db()
    assert notification.read_at == read_at is not None
    assert client.get("/api/v1/notifications").json()["results"][0]["read"] is True


@pytest.mark.django_db
def test_another_operators_notification_answers_404(client_for, agent, colleague, conversation):
    write(conversation, agent, "@olga")
    notification = Notification.objects.get()

    response = client_for(agent).post(f"/api/v1/notifications/{notification.pk}/read")

    assert_error(response, 404, "not_found")
    notification.refresh_from_db()
    assert notification.read_at is None
    assert_error(client_for(agent).post("/api/v1/notifications/999999/read"), 404, "not_found")


@pytest.mark.django_db
def test_notifications_need_authentication(api_client):
    assert_error(api_client.get("/api/v1/notifications"), 401, "not_authenticated")
    assert_error(api_client.post("/api/v1/notifications/1/read"), 401, "not_authenticated")


@pytest.mark.django_db
def test_malformed_and_oversized_requests(client_for, agent, colleague, conversation):
    write(conversation, colleague, "@" + agent.username)
    notification = Notification.objects.get(operator=agent)
    url = f"/api/v1/notifications/{notification.pk}/read"
    client = client_for(agent)

    assert_error(client.get("/api/v1/notifications", {"cursor": "!!"}), 400, "invalid_cursor")
    assert_error(client.get("/api/v1/notifications", {"limit": "0"}), 400, "invalid")
    assert_error(client.get("/api/v1/notifications", {"limit": "x"}), 400, "invalid")
    assert_error(client.post(url, "{", content_type="application/json"), 400, "malformed_json")
    assert_error(client.post(url, ["x"], format="json"), 400, "invalid")
    assert_error(client.post(url, {"x": "y" * (1024 * 1024)}, format="json"), 413, "too_large")
    assert_error(client.get(url), 405, "method_not_allowed")
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_many_rows(
    client_for, agent, colleague, make_operator, team, conversation, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(colleague)
    write(conversation, agent, "@olga")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/notifications").json()["results"]) == 1
    authors = [make_operator(Role.AGENT, [team]) for _ in range(3)]
    for index in range(30):
        write(conversation, authors[index % 3], f"@olga {index}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/notifications").json()["results"]) == 31
