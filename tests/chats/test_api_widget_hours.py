"""The widget's session outside business hours: `inbox.open`, `inbox.next_open_at`, and
`online` false while closed; the visitor can still write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from chats.models import Conversation
from tests.factories import InboxFactory

pytestmark = pytest.mark.django_db

SESSIONS = "/api/widget/v1/sessions"
MONDAY_0800_MOSCOW = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
WEEKDAYS = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def monday_morning(monkeypatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_0800_MOSCOW)


def session(inbox) -> dict:
    response = APIClient().post(
        SESSIONS, {"inbox_key": inbox.inbox_key, "locale": "ru"}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_closed_inbox_says_when_the_team_is_back_and_is_not_online(monday_morning, team, agent):
    inbox = InboxFactory(team=team, timezone="Europe/Moscow", business_hours=WEEKDAYS)

    widget_inbox = session(inbox)["inbox"]

    assert widget_inbox["open"] is False
    assert widget_inbox["next_open_at"] == "2026-12-07T06:00:00Z"  # 09:00 in Moscow
    assert widget_inbox["online"] is False  # the agent is online, but it is closed


def test_an_open_inbox_has_no_next_opening_and_is_online_with_an_operator(
    monday_morning, team, agent
):
    inbox = InboxFactory(team=team, timezone="Asia/Tokyo", business_hours=WEEKDAYS)  # 14:00

    widget_inbox = session(inbox)["inbox"]

    assert (widget_inbox["open"], widget_inbox["next_open_at"], widget_inbox["online"]) == (
        True,
        None,
        True,
    )


def test_an_inbox_without_hours_is_open(team):
    widget_inbox = session(InboxFactory(team=team))["inbox"]

    assert (widget_inbox["open"], widget_inbox["next_open_at"]) == (True, None)


def test_an_inbox_that_never_opens_has_no_next_opening(team, agent):
    widget_inbox = session(InboxFactory(team=team, business_hours={"mon": []}))["inbox"]

    assert (widget_inbox["open"], widget_inbox["next_open_at"], widget_inbox["online"]) == (
        False,
        None,
        False,
    )


def test_the_visitor_still_writes_while_closed_and_waits_first_in_the_queue(
    monday_morning, team, agent
):
    inbox = InboxFactory(
        team=team, routing="least_busy", timezone="Europe/Moscow", business_hours=WEEKDAYS
    )
    token = session(inbox)["visitor_token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = client.post(
        "/api/widget/v1/messages", {"body": "Are you there?", "client_id": "c1"}, format="json"
    )

    assert response.status_code == 201
    conversation = Conversation.objects.get(pk=response.json()["conversation"])
    assert conversation.assignee_id is None and conversation.queued_at is not None
    again = APIClient().post(
        SESSIONS, {"inbox_key": inbox.inbox_key, "visitor_token": token}, format="json"
    )
    assert again.json()["conversation"]["queue_position"] == 1
