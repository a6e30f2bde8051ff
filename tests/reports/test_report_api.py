"""`/api/v1/reports/`: who may ask, what a wrong question gets, and the live view."""

from __future__ import annotations

import csv
import io

import pytest

from chats.assignment import requests
from chats.models import RoutingStrategy
from chats.services import assigning, conversations
from operators.models import Role, Status
from tests.factories import InboxFactory, visitor_for, visitor_says
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

REPORTS = [
    ("summary", {}),
    ("timeseries", {"metric": "conversations"}),
    ("breakdown", {"by": "operator"}),
    ("heatmap", {}),
    ("live", {}),
]


@pytest.fixture(autouse=True)
def _no_routing_requests(monkeypatch) -> None:
    monkeypatch.setattr(requests, "request_team_drain", lambda team_id: None)
    monkeypatch.setattr(requests, "request_operator_drain", lambda operator_id: None)


@pytest.mark.parametrize(("path", "params"), REPORTS)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_supervisors_and_admins_may_read_every_report(
    client_for, supervisor, admin, path, params, fmt
):
    for operator in (supervisor, admin):
        response = client_for(operator).get(f"/api/v1/reports/{path}", {**params, "format": fmt})

        assert response.status_code == 200, response.content
        expected = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
        assert response["Content-Type"] == expected


@pytest.mark.parametrize(("path", "params"), REPORTS)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_agent_gets_403_and_a_stranger_401(client_for, agent, api_client, path, params, fmt):
    url = f"/api/v1/reports/{path}"

    assert_error(client_for(agent).get(url, {**params, "format": fmt}), 403, "forbidden")
    assert_error(api_client.get(url, {**params, "format": fmt}), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-13-01"}, "invalid"),
        ({"from": "yesterday"}, "invalid"),
        ({"to": "2026-02-30"}, "invalid"),
        ({"to": "1999-12-31"}, "invalid"),
        ({"from": "2026-11-05", "to": "2026-11-01"}, "invalid_period"),
        ({"from": "2025-01-01", "to": "2026-11-01"}, "period_too_long"),
        ({"tz": "Mars/Olympus"}, "invalid_tz"),
        ({"tz": "../../etc/passwd"}, "invalid_tz"),
        ({"tz": "Europe/Moscow\x00"}, "invalid_tz"),
        ({"tz": "Europe"}, "invalid_tz"),  # a folder of the zone database
        ({"tz": "America/Argentina"}, "invalid_tz"),
        ({"from": "2024-W01-1"}, "invalid"),
        ({"to": "20240101  "}, "invalid"),
        ({"team": "sales"}, "invalid"),
        ({"team": "-1"}, "invalid"),
        ({"operator": "99999999999999999999"}, "invalid"),
        ({"channel": "fax"}, "invalid"),
        ({"format": "xlsx"}, "invalid"),
    ],
)
def test_a_wrong_question_gets_a_clear_400(client_for, supervisor, params, code):
    response = client_for(supervisor).get("/api/v1/reports/summary", params)

    assert_error(response, 400, code)


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("timeseries", {}, "invalid"),
        ("timeseries", {"metric": "happiness"}, "invalid"),
        ("timeseries", {"metric": "replies", "interval": "minute"}, "invalid"),
        (
            "timeseries",
            {"metric": "replies", "interval": "hour", "from": "2026-01-01", "to": "2026-03-01"},
            "period_too_long",
        ),
        ("breakdown", {}, "invalid"),
        ("breakdown", {"by": "contact"}, "invalid"),
        ("live", {"format": "csv", "table": "visitors"}, "invalid"),
    ],
)
def test_each_reports_own_parameters_are_checked(client_for, supervisor, path, params, code):
    response = client_for(supervisor).get(f"/api/v1/reports/{path}", params)

    assert_error(response, 400, code)


def test_too_many_filter_values_are_refused(client_for, supervisor):
    query = "&".join(f"team={n}" for n in range(101))

    assert_error(client_for(supervisor).get(f"/api/v1/reports/summary?{query}"), 400, "invalid")


def test_the_same_question_twice_gets_the_same_answer(client_for, supervisor):
    client = client_for(supervisor)
    params = {"from": "2026-11-01", "to": "2026-11-30", "tz": "Asia/Yekaterinburg"}

    first = client.get("/api/v1/reports/summary", params).json()

    assert client.get("/api/v1/reports/summary", params).json() == first
    assert first["period"] == {"from": "2026-11-01", "to": "2026-11-30", "tz": "Asia/Yekaterinburg"}
    assert first["previous"]["period"]["from"] == "2026-10-02"


# -- the live view -----------------------------------------------------------------------------


def test_the_live_view_shows_who_waits_and_who_works(client_for, supervisor, team, make_operator):
    inbox = InboxFactory(team=team, routing=RoutingStrategy.LEAST_BUSY)
    anna = make_operator(teams=[team], name="Anna", max_chats=4)
    make_operator(teams=[team], name="Boris", status=Status.AWAY)
    waiting = []
    for _ in range(3):
        visitor, _token = visitor_for(inbox)
        opened = conversations.conversation_open(inbox=inbox, contact=visitor.contact)
        visitor_says(opened)
        waiting.append(opened)
    assigning.conversation_assign(conversation=waiting[0], actor=supervisor, operator=anna)

    live = client_for(supervisor).get("/api/v1/reports/live").json()

    assert [row["conversation"] for row in live["waiting"]] == [c.pk for c in waiting[1:]]
    assert [row["queue_position"] for row in live["waiting"]] == [1, 2]
    assert all(row["team"] == team.pk for row in live["waiting"])
    assert live["longest_wait_seconds"] == live["waiting"][0]["waiting_seconds"] >= 0
    by_name = {row["name"]: row for row in live["operators"]}
    assert by_name["Anna"] == {
        "id": anna.pk,
        "name": "Anna",
        "status": "online",
        "open": 1,
        "max_chats": 4,
    }
    assert by_name["Boris"]["status"] == "away"
    assert (live["open"], live["unassigned"]) == (3, 2)


def test_the_live_view_filtered_by_another_team_shows_nothing_of_this_one(
    client_for, supervisor, team, other_team
):
    inbox = InboxFactory(team=team, routing=RoutingStrategy.LEAST_BUSY)
    visitor, _token = visitor_for(inbox)
    conversations.conversation_open(inbox=inbox, contact=visitor.contact)

    live = client_for(supervisor).get("/api/v1/reports/live", {"team": other_team.pk}).json()

    assert live == {
        "waiting": [],
        "longest_wait_seconds": None,
        "operators": [],
        "open": 0,
        "unassigned": 0,
    }


def test_the_live_view_as_csv(client_for, supervisor, team, make_operator):
    make_operator(teams=[team], name="Ольга")
    inbox = InboxFactory(team=team, routing=RoutingStrategy.LEAST_BUSY)
    visitor, _token = visitor_for(inbox)
    opened = conversations.conversation_open(inbox=inbox, contact=visitor.contact)
    client = client_for(supervisor)

    waiting = client.get("/api/v1/reports/live", {"format": "csv"}).content.decode("utf-8")
    people = client.get(
        "/api/v1/reports/live", {"format": "csv", "table": "operators", "team": team.pk}
    ).content.decode("utf-8")

    rows = list(csv.reader(io.StringIO(waiting.lstrip("\ufeff"))))
    assert rows[0] == ["conversation", "team", "queue_position", "waiting_seconds"]
    assert rows[1][:3] == [str(opened.pk), str(team.pk), "1"]
    staff = list(csv.DictReader(io.StringIO(people.lstrip("\ufeff"))))
    assert [row["name"] for row in staff] == ["Ольга"]
    assert people.startswith("\ufeff")


def test_an_agent_is_refused_the_live_view_even_of_their_own_team(client_for, make_operator, team):
    lead = make_operator(Role.AGENT, [team])

    assert_error(client_for(lead).get("/api/v1/reports/live"), 403, "forbidden")


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(
    client_for, supervisor, team, make_operator
):
    make_operator(teams=[team], name='=HYPERLINK("http://evil.example","click")')
    inbox = InboxFactory(team=team, routing=RoutingStrategy.LEAST_BUSY)
    visitor, _token = visitor_for(inbox)
    conversations.conversation_open(inbox=inbox, contact=visitor.contact)

    text = (
        client_for(supervisor)
        .get("/api/v1/reports/live", {"format": "csv", "table": "operators", "team": team.pk})
        .content.decode("utf-8")
    )

    [row] = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["name"] == '\'=HYPERLINK("http://evil.example","click")'


def test_the_live_view_filtered_by_label_or_operator_waits_for_what_matches(
    client_for, supervisor, team, agent
):
    inbox = InboxFactory(team=team, routing=RoutingStrategy.LEAST_BUSY)
    waiting = []
    for _ in range(2):
        visitor, _token = visitor_for(inbox)
        waiting.append(conversations.conversation_open(inbox=inbox, contact=visitor.contact))
    conversations.conversation_labels_set(conversation=waiting[1], labels=["vip"])
    vip = waiting[1].labels.get()
    client = client_for(supervisor)

    by_label = client.get("/api/v1/reports/live", {"label": vip.pk}).json()
    by_operator = client.get("/api/v1/reports/live", {"operator": agent.pk}).json()

    assert [row["conversation"] for row in by_label["waiting"]] == [waiting[1].pk]
    assert by_label["waiting"][0]["queue_position"] == 2  # its place in the whole queue
    assert (by_label["open"], by_label["unassigned"]) == (1, 1)
    assert by_operator["waiting"] == [] and by_operator["open"] == 0
