"""Wrong JSON types are refused with a clear 400, never guessed at (5 is not "5")."""

from __future__ import annotations

import pytest

from chats.models import Label, Message
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("labels", {"labels": [1, 2]}),
        ("labels", {"labels": "delivery"}),
        ("messages", {"body": "hi", "private": "yes"}),
        ("messages", {"body": "hi", "private": 1}),
        ("assign", {"operator": "7"}),
        ("assign", {"team": True}),
        ("status", {"status": 1}),
        ("priority", {"priority": ["high"]}),
    ],
)
def test_an_operator_call_with_a_wrong_type_is_refused(
    client_for, agent, conversation, path, payload
):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/{path}", payload, format="json"
    )
    assert_error(response, 400, "invalid")
    assert not Label.objects.exists()
    assert not Message.objects.exists()


def test_a_handoff_note_of_the_wrong_type_is_refused_before_the_team_is_looked_up(
    client_for, agent, conversation
):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/assign",
        {"team": 999_999, "note": 5},
        format="json",
    )
    assert_error(response, 400, "invalid_body")
    assert not Message.objects.exists()


def test_a_widget_session_with_a_numeric_inbox_key_is_refused(api_client, inbox):
    response = api_client.post("/api/widget/v1/sessions", {"inbox_key": 5}, format="json")
    assert_error(response, 400, "invalid")


def test_a_rating_given_as_text_is_refused(widget_client_for, visitor, conversation):
    client = widget_client_for(visitor[1])
    response = client.post("/api/widget/v1/csat", {"rating": "5"}, format="json")
    assert_error(response, 400, "invalid")


def test_the_error_names_the_field_and_the_type(client_for, agent, conversation):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/labels", {"labels": [1]}, format="json"
    )
    assert response.json()["error"]["message"] == "labels: Wrong type: expected array."


def test_right_types_still_pass(client_for, agent, conversation):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/labels", {"labels": ["delivery"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["labels"] == ["delivery"]
