"""Inbox business hours and auto-resolve over the admin REST API: `POST /api/v1/inboxes`
takes them, `GET`/`PATCH /api/v1/inboxes/{id}` read and change them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chats.assignment import tasks
from chats.models import Inbox
from chats.services.conversations import conversation_open
from chats.services.inboxes import AUTO_RESOLVE_MAX_SECONDS
from tests.factories import ContactFactory, InboxFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

HOURS = {"mon": [["09:00", "13:00"], ["14:00", "18:00"]], "sat": [["10:00", "24:00"]]}
NEVER = {"mon": []}  # listed days, no intervals: never open


def create(client, team, **fields):
    payload = {"name": "Shop", "channel": "web", "team": team.pk, **fields}
    return client.post("/api/v1/inboxes", payload, format="json")


def test_an_admin_creates_an_inbox_with_business_hours_and_auto_resolve(client_for, admin, team):
    response = create(
        client_for(admin),
        team,
        timezone="Europe/Moscow",
        business_hours=HOURS,
        holidays=["2027-01-07", "2027-01-01"],
        auto_resolve_after=3600,
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["timezone"] == "Europe/Moscow"
    assert body["business_hours"] == HOURS
    assert body["holidays"] == ["2027-01-01", "2027-01-07"]
    assert body["auto_resolve_after"] == 3600
    assert isinstance(body["open_now"], bool)
    inbox = Inbox.objects.get(pk=body["id"])
    assert (inbox.timezone, inbox.business_hours, inbox.auto_resolve_after) == (
        "Europe/Moscow",
        HOURS,
        3600,
    )


def test_an_inbox_without_hours_is_always_open_and_never_auto_resolves(client_for, admin, team):
    body = create(client_for(admin), team).json()

    assert body["timezone"] == "UTC"
    assert body["business_hours"] == {}
    assert body["holidays"] == []
    assert body["auto_resolve_after"] is None
    assert body["open_now"] is True
    assert body["next_open_at"] is None


def test_a_closed_inbox_says_when_it_opens_next(client_for, admin, team):
    today = datetime.now(UTC).date().isoformat()
    body = create(client_for(admin), team, business_hours={}, holidays=[today]).json()

    assert body["open_now"] is False
    assert body["next_open_at"].endswith("T00:00:00Z")
    assert body["next_open_at"] > today


def test_an_inbox_that_never_opens_has_no_next_opening(client_for, admin, team):
    body = create(client_for(admin), team, business_hours=NEVER).json()

    assert (body["open_now"], body["next_open_at"]) == (False, None)


BAD_HOURS_INPUT = [
    ({"timezone": "Mars/Olympus"}, "invalid_timezone"),
    ({"timezone": "europe/moscow"}, "invalid_timezone"),
    ({"timezone": ""}, "invalid"),
    ({"timezone": 3}, "invalid"),
    ({"timezone": None}, "invalid"),
    ({"timezone": "x" * 65}, "invalid"),
    ({"business_hours": []}, "invalid_business_hours"),
    ({"business_hours": "mon 9-18"}, "invalid_business_hours"),
    ({"business_hours": {"monday": [["09:00", "18:00"]]}}, "invalid_business_hours"),
    ({"business_hours": {"mon": [["18:00", "09:00"]]}}, "invalid_business_hours"),
    (
        {"business_hours": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}},
        "invalid_business_hours",
    ),
    ({"business_hours": {"mon": [["9", "18"]]}}, "invalid_business_hours"),
    ({"business_hours": {"mon": [[9, 18]]}}, "invalid_business_hours"),
    ({"holidays": "2027-01-01"}, "invalid_holidays"),
    ({"holidays": ["2027-02-30"]}, "invalid_holidays"),
    ({"holidays": ["2027-01-01", "2027-01-01"]}, "invalid_holidays"),
    ({"holidays": [{"date": "2027-01-01"}]}, "invalid_holidays"),
    ({"auto_resolve_after": -1}, "invalid"),
    ({"auto_resolve_after": 0}, "invalid"),
    ({"auto_resolve_after": 59}, "invalid"),
    ({"auto_resolve_after": AUTO_RESOLVE_MAX_SECONDS + 1}, "invalid"),
    ({"auto_resolve_after": 10**30}, "invalid"),
    ({"auto_resolve_after": "3600"}, "invalid"),
    ({"auto_resolve_after": 3600.5}, "invalid"),
    ({"auto_resolve_after": True}, "invalid"),
    ({"auto_resolve_after": [3600]}, "invalid"),
]


@pytest.mark.parametrize(("fields", "code"), BAD_HOURS_INPUT)
def test_bad_hours_are_refused_when_creating(client_for, admin, team, fields, code):
    response = create(client_for(admin), team, **fields)

    assert_error(response, 400, code)
    assert not Inbox.objects.exists()


@pytest.mark.parametrize(("fields", "code"), BAD_HOURS_INPUT)
def test_bad_hours_are_refused_when_changing(client_for, admin, inbox, fields, code):
    response = client_for(admin).patch(f"/api/v1/inboxes/{inbox.pk}", fields, format="json")

    assert_error(response, 400, code)
    inbox.refresh_from_db()
    assert (inbox.timezone, inbox.business_hours, inbox.holidays, inbox.auto_resolve_after) == (
        "UTC",
        {},
        [],
        None,
    )


def test_an_admin_changes_the_hours_of_an_inbox(client_for, admin, inbox):
    client = client_for(admin)

    response = client.patch(
        f"/api/v1/inboxes/{inbox.pk}",
        {"timezone": "Asia/Tokyo", "business_hours": HOURS, "auto_resolve_after": 86_400},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["timezone"], body["business_hours"], body["auto_resolve_after"]) == (
        "Asia/Tokyo",
        HOURS,
        86_400,
    )
    assert body["identity_secret"] == inbox.identity_secret
    # repeated: the same answer, nothing else changes
    again = client.patch(
        f"/api/v1/inboxes/{inbox.pk}",
        {"timezone": "Asia/Tokyo", "business_hours": HOURS, "auto_resolve_after": 86_400},
        format="json",
    )
    assert again.status_code == 200
    assert {k: v for k, v in again.json().items() if k not in ("open_now", "next_open_at")} == {
        k: v for k, v in body.items() if k not in ("open_now", "next_open_at")
    }


def test_a_partial_change_keeps_the_rest_and_null_turns_auto_resolve_off(client_for, admin, inbox):
    inbox.timezone, inbox.business_hours, inbox.auto_resolve_after = "Europe/Moscow", HOURS, 600
    inbox.save()

    response = client_for(admin).patch(
        f"/api/v1/inboxes/{inbox.pk}", {"auto_resolve_after": None}, format="json"
    )

    assert response.status_code == 200
    inbox.refresh_from_db()
    assert (inbox.timezone, inbox.business_hours, inbox.auto_resolve_after) == (
        "Europe/Moscow",
        HOURS,
        None,
    )


def test_a_table_is_checked_against_the_zone_already_stored(client_for, admin, inbox):
    """A change of holidays alone is checked with the stored hours, and stored sorted."""
    response = client_for(admin).patch(
        f"/api/v1/inboxes/{inbox.pk}", {"holidays": ["2027-05-09", "2027-05-01"]}, format="json"
    )

    assert response.json()["holidays"] == ["2027-05-01", "2027-05-09"]


def test_an_admin_changes_the_other_editable_fields(client_for, admin, inbox, other_team):
    response = client_for(admin).patch(
        f"/api/v1/inboxes/{inbox.pk}",
        {
            "name": "Support",
            "team": other_team.pk,
            "allowed_origins": ["https://shop.example.com/"],
            "greeting": "Привет!",
            "routing": "round_robin",
            "settings": {"color": "#112233"},
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    inbox.refresh_from_db()
    assert (inbox.name, inbox.team_id, inbox.allowed_origins, inbox.greeting, inbox.routing) == (
        "Support",
        other_team.pk,
        ["https://shop.example.com"],
        "Привет!",
        "round_robin",
    )
    assert inbox.settings == {"color": "#112233"}


def test_an_empty_change_changes_nothing(client_for, admin, inbox):
    response = client_for(admin).patch(f"/api/v1/inboxes/{inbox.pk}", {}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == inbox.name


@pytest.mark.parametrize(
    "fields",
    [
        {"channel": "telegram"},
        {"inbox_key": "mine"},
        {"identity_secret": "known"},
        {"id": 5},
        {"name": ""},
        {"name": 5},
        {"team": None},
        {"routing": "random"},
        {"allowed_origins": "https://x.example"},
        {"greeting": "x" * 2001},
        {"settings": ["color"]},
    ],
)
def test_bad_or_unchangeable_inbox_fields_are_refused(client_for, admin, inbox, fields):
    response = client_for(admin).patch(f"/api/v1/inboxes/{inbox.pk}", fields, format="json")

    assert_error(response, 400, "invalid")
    before = Inbox.objects.get(pk=inbox.pk)
    assert (before.name, before.channel, before.inbox_key) == (
        inbox.name,
        inbox.channel,
        inbox.inbox_key,
    )


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_only_an_admin_changes_an_inbox(client_for, make_operator, team, inbox, role):
    response = client_for(make_operator(role, [team])).patch(
        f"/api/v1/inboxes/{inbox.pk}", {"timezone": "Europe/Moscow"}, format="json"
    )

    assert_error(response, 403, "forbidden")
    inbox.refresh_from_db()
    assert inbox.timezone == "UTC"


def test_changing_without_a_token_answers_401(api_client, inbox):
    response = api_client.patch(f"/api/v1/inboxes/{inbox.pk}", {"name": "x"}, format="json")

    assert_error(response, 401, "not_authenticated")


def test_changing_a_missing_inbox_answers_404(client_for, admin):
    response = client_for(admin).patch("/api/v1/inboxes/999999", {"name": "x"}, format="json")

    assert_error(response, 404, "not_found")


def test_an_agent_reads_its_teams_inbox_without_its_secret(client_for, agent, inbox):
    response = client_for(agent).get(f"/api/v1/inboxes/{inbox.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == inbox.pk and "identity_secret" not in body
    assert {"timezone", "business_hours", "holidays", "auto_resolve_after"} <= set(body)
    assert {"open_now", "next_open_at"} <= set(body)


def test_an_agent_gets_404_for_another_teams_inbox(client_for, agent, other_team):
    foreign = InboxFactory(team=other_team)

    assert_error(client_for(agent).get(f"/api/v1/inboxes/{foreign.pk}"), 404, "not_found")


def test_the_inbox_list_shows_the_hours(client_for, agent, inbox):
    row = client_for(agent).get("/api/v1/inboxes").json()["results"][0]

    assert (row["timezone"], row["business_hours"], row["open_now"]) == ("UTC", {}, True)


def test_opening_an_inbox_by_changing_its_hours_drains_its_queue(
    client_for, admin, team, monkeypatch, django_capture_on_commit_callbacks
):
    inbox = InboxFactory(team=team, routing="least_busy", business_hours=NEVER)
    asked: list[int] = []
    monkeypatch.setattr(tasks.drain_team_queue, "delay", asked.append)
    with django_capture_on_commit_callbacks(execute=True):
        conversation_open(inbox=inbox, contact=ContactFactory())
    asked.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).patch(
            f"/api/v1/inboxes/{inbox.pk}", {"business_hours": {}}, format="json"
        )

    assert response.status_code == 200
    assert asked == [team.pk]


def test_the_inbox_list_with_hours_costs_the_same_queries_for_many_inboxes(client_for, admin, team):
    client = client_for(admin)
    InboxFactory(team=team, timezone="Europe/Moscow", business_hours=HOURS)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/inboxes").status_code == 200
    for _ in range(10):
        InboxFactory(
            team=team, timezone="Asia/Tokyo", business_hours=HOURS, holidays=["2027-01-01"]
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/inboxes")

    assert len(response.json()["results"]) == 11
    assert len(many) == len(one)


def test_moving_an_inbox_to_a_team_that_does_not_exist_answers_404(client_for, admin, inbox):
    response = client_for(admin).patch(
        f"/api/v1/inboxes/{inbox.pk}", {"team": 999_999}, format="json"
    )

    assert_error(response, 404, "team_not_found")
    assert Inbox.objects.get(pk=inbox.pk).team_id == inbox.team_id
