"""Every figure of contract section 5, worked out by hand on `story.tell()`, answered the same
from the report events (live), from the rollups and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from chats.assignment import requests
from chats.services import conversations
from chats.services.conversations import Resolution
from reports import rollup, totals
from reports.models import ReportCell, RollupDay
from reports.tasks import rollup_closed_days
from tests.factories import operator_says, visitor_for, visitor_says
from tests.reports import story
from tests.reports.story import BY_OPERATOR, BY_TEAM, EMPTY, SUMMARY, outcomes

pytestmark = pytest.mark.django_db

MONDAY, TUESDAY = date(2026, 11, 2), date(2026, 11, 3)
PERIOD = {"from": "2026-11-02", "to": "2026-11-03"}


@pytest.fixture(autouse=True)
def _no_routing_requests(monkeypatch) -> None:
    monkeypatch.setattr(requests, "request_team_drain", lambda team_id: None)
    monkeypatch.setattr(requests, "request_operator_drain", lambda operator_id: None)


@pytest.fixture(autouse=True, params=["postgres", "python"])
def engine(request, monkeypatch) -> str:
    """Every answer twice: summed by PostgreSQL, and merged in Python (SQLite's way)."""
    if request.param == "python":
        monkeypatch.setattr(totals, "engine", lambda: totals.python_totals)
    return request.param


@pytest.fixture
def told() -> story.Story:
    return story.tell()


@pytest.fixture
def boss_client(api_client, told):
    api_client.force_authenticate(told.boss)
    return api_client


@pytest.fixture(params=["live", "rolled up"])
def source(request, told):
    """The same questions answered from the events, then from the nightly rollups."""
    if request.param == "rolled up":
        with story.at("2026-11-04 00:30"):
            for day in (MONDAY, TUESDAY):
                rollup.rollup_day(day)
        assert set(rollup.fresh_days(MONDAY, TUESDAY)) == {MONDAY, TUESDAY}
    return request.param


def get(client, path: str, **params):
    response = client.get(f"/api/v1/reports/{path}", {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def figures_of(row: dict) -> dict:
    return {key: value for key, value in row.items() if key not in ("key", "period", "previous")}


def test_the_summary_of_the_two_days(boss_client, source):
    summary = get(boss_client, "summary")

    assert summary["period"] == {"from": "2026-11-02", "to": "2026-11-03", "tz": "Europe/Moscow"}
    assert figures_of(summary) == SUMMARY
    assert summary["previous"]["period"] == {
        "from": "2026-10-31",
        "to": "2026-11-01",
        "tz": "Europe/Moscow",
    }
    assert figures_of(summary["previous"]) == EMPTY


def test_each_day_alone(boss_client, source):
    monday = get(boss_client, "summary", to="2026-11-02")
    tuesday = get(boss_client, "summary", **{"from": "2026-11-03"})

    # B was opened on Monday: its first response (Tuesday 00:10) counts on Monday.
    assert (monday["conversations"], monday["replies"], monday["resolved"]) == (2, 2, 1)
    assert monday["first_response_seconds"] == {"median": 660.0, "p90": 1092.0}
    assert monday["csat"] == {"responses": 1, "average": 5.0, "positive_share": 1.0}
    assert (tuesday["conversations"], tuesday["replies"], tuesday["resolved"]) == (2, 2, 3)
    assert tuesday["first_response_seconds"] == {"median": None, "p90": None}
    assert tuesday["resolution_seconds"] == {"median": 2400.0, "p90": 3840.0}
    assert tuesday["outcomes"] == outcomes(solved=1, none=1, not_solved=1)
    # Tuesday's previous period is Monday.
    assert figures_of(tuesday["previous"]) == figures_of(monday)


def test_breakdown_by_operator_counts_what_happened_in_their_hands(boss_client, told, source):
    rows = get(boss_client, "breakdown", by="operator")["results"]

    assert [row["key"] for row in rows] == [
        {"id": told.anna.pk, "name": "Anna"},
        {"id": told.boris.pk, "name": "Boris"},
    ]
    assert {row["key"]["name"]: figures_of(row) for row in rows} == BY_OPERATOR


def test_breakdown_by_team_counts_transfers_in(boss_client, told, source):
    rows = get(boss_client, "breakdown", by="team")["results"]

    assert [row["key"] for row in rows] == [
        {"id": told.sales.pk, "name": "Sales"},
        {"id": told.support.pk, "name": "Support"},
    ]
    assert {row["key"]["name"]: figures_of(row) for row in rows} == BY_TEAM


def test_breakdown_by_inbox_channel_and_label(boss_client, told, source):
    inboxes = get(boss_client, "breakdown", by="inbox")["results"]
    channels = get(boss_client, "breakdown", by="channel")["results"]
    labels = get(boss_client, "breakdown", by="label")["results"]

    assert [(row["key"]["name"], row["conversations"]) for row in inboxes] == [
        ("Help", 1),
        ("Shop", 3),
    ]
    [web] = channels
    assert web["key"]["id"] == "web"
    assert figures_of(web) == SUMMARY
    by_label = {row["key"]["name"]: row for row in labels}
    assert set(by_label) == {"refund", "vip"}
    vip = by_label["vip"]  # A and C
    assert (vip["conversations"], vip["replies"], vip["resolved"]) == (2, 2, 3)
    assert vip["first_response_seconds"] == {"median": 120.0, "p90": 120.0}
    assert vip["resolution_seconds"] == {"median": 1800.0, "p90": 2280.0}
    refund = by_label["refund"]  # C alone
    assert (refund["conversations"], refund["replies"], refund["resolved"]) == (1, 0, 2)
    assert refund["resolution_seconds"] == {"median": 1500.0, "p90": 2220.0}
    assert refund["outcomes"] == outcomes(none=1, not_solved=1)


def test_filters_narrow_every_figure(boss_client, told, source):
    support = get(boss_client, "summary", team=told.support.pk)
    anna = get(boss_client, "summary", operator=told.anna.pk)
    vip = get(boss_client, "summary", label=told.vip.pk)
    nothing = get(boss_client, "summary", channel="telegram")

    assert figures_of(support) == BY_TEAM["Support"]
    assert figures_of(anna) == BY_OPERATOR["Anna"]
    assert (vip["conversations"], vip["resolved"]) == (2, 3)
    assert figures_of(nothing) == EMPTY


def test_time_series_by_day_week_and_hour(boss_client, source):
    conversations = get(boss_client, "timeseries", metric="conversations")["results"]
    first_response = get(boss_client, "timeseries", metric="first_response_median")["results"]
    weekly = get(boss_client, "timeseries", metric="replies", interval="week")["results"]
    hourly = get(boss_client, "timeseries", metric="conversations", interval="hour")["results"]

    assert conversations == [
        {"start": "2026-11-01T21:00:00Z", "value": 2},
        {"start": "2026-11-02T21:00:00Z", "value": 2},
    ]
    assert [point["value"] for point in first_response] == [660.0, None]
    assert weekly == [{"start": "2026-11-01T21:00:00Z", "value": 4}]
    assert len(hourly) == 48
    opened_hours = {point["start"]: point["value"] for point in hourly if point["value"]}
    assert opened_hours == {
        "2026-11-02T07:00:00Z": 1,  # A, 10:00 in Moscow
        "2026-11-02T20:00:00Z": 1,  # B, 23:50
        "2026-11-03T06:00:00Z": 1,  # C, 09:00
        "2026-11-03T09:00:00Z": 1,  # D, 12:00
    }


def test_heatmap_by_weekday_and_hour_in_moscow(boss_client, source):
    grid = get(boss_client, "heatmap")["results"]

    assert len(grid) == 7 and all(len(row) == 24 for row in grid)
    cells = {(day, hour): n for day, row in enumerate(grid) for hour, n in enumerate(row) if n}
    assert cells == {(0, 10): 1, (0, 23): 1, (1, 9): 1, (1, 12): 1}


def test_another_time_zone_moves_the_midnight(boss_client, told, source):
    # In UTC, B (Monday 20:50 UTC) and its Tuesday-in-Moscow reply (Monday 21:10 UTC) are
    # Monday's; C (Tuesday 06:00 UTC) and D are Tuesday's.
    monday = get(boss_client, "summary", **{"from": "2026-11-02", "to": "2026-11-02", "tz": "UTC"})

    assert monday["period"]["tz"] == "UTC"
    assert (monday["conversations"], monday["replies"]) == (2, 4)
    assert monday["resolution_seconds"] == {"median": 3000.0, "p90": 3960.0}  # A 1800, B 4200


def test_the_csv_has_the_same_rows(boss_client, source):
    summary = get(boss_client, "summary")
    response = boss_client.get("/api/v1/reports/summary", {**PERIOD, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 2
    current = rows[0]
    assert (current["from"], current["to"], current["tz"]) == (
        "2026-11-02",
        "2026-11-03",
        "Europe/Moscow",
    )
    assert int(current["conversations"]) == summary["conversations"] == 4
    assert float(current["first_response_median"]) == 660.0
    assert float(current["resolution_p90"]) == 3660.0
    assert float(current["csat_average"]) == 3.5
    assert current["sales_amount"] == "1500.50"
    assert int(current["outcomes_none"]) == 1
    assert rows[1]["from"] == "2026-10-31" and rows[1]["first_response_median"] == ""


def test_breakdown_csv_names_in_cyrillic(boss_client, told, source):
    told.anna.name = "Анна"
    told.anna.save(update_fields=["name"])

    response = boss_client.get(
        "/api/v1/reports/breakdown", {**PERIOD, "by": "operator", "format": "csv"}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0][:5] == ["id", "name", "conversations", "resolved", "replies"]
    assert [row[1] for row in rows[1:]] == ["Boris", "Анна"]
    assert [row[2] for row in rows[1:]] == ["1", "3"]


# -- rollups -----------------------------------------------------------------------------------


def test_a_first_response_after_the_rollup_of_its_day_is_counted(boss_client, told):
    """E is opened Monday 22:00; Monday is rolled up at Tuesday 00:05; Anna answers E at 00:10.
    The first response counts on Monday (E was opened then): Monday answers from its events
    until it is rolled up again."""
    with story.at("2026-11-02 22:00"):
        visitor, _token = visitor_for(told.shop)
        e = conversations.conversation_open(inbox=told.shop, contact=visitor.contact)
        visitor_says(e)
    with story.at("2026-11-03 00:05"):
        rollup.rollup_day(MONDAY)
    assert rollup.fresh_days(MONDAY, MONDAY) == {MONDAY}
    with story.at("2026-11-03 00:10"):
        operator_says(e, told.anna, "Sorry for the wait")

    monday = get(boss_client, "summary", to="2026-11-02")
    assert monday["first_response_seconds"]["median"] == 1200.0  # 120, 1200, 7800
    assert rollup.fresh_days(MONDAY, MONDAY) == set()
    with story.at("2026-11-04 00:30"):
        assert MONDAY in rollup.days_to_roll(limit=10)
        rollup.rollup_day(MONDAY)
    assert rollup.fresh_days(MONDAY, MONDAY) == {MONDAY}
    assert get(boss_client, "summary", to="2026-11-02") == monday


def test_a_rollup_run_twice_or_stopped_halfway_changes_nothing(boss_client, told, monkeypatch):
    live = get(boss_client, "summary")
    with story.at("2026-11-04 00:30"):
        rollup.rollup_day(MONDAY)
        rollup.rollup_day(MONDAY)
        rollup.rollup_day(TUESDAY)
    rolled = get(boss_client, "summary")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("the worker was stopped")

    with monkeypatch.context() as patched:
        patched.setattr(ReportCell.objects, "bulk_create", killed)
        with story.at("2026-11-04 01:00"), pytest.raises(KeyboardInterrupt):
            rollup.rollup_day(TUESDAY)
    halfway = get(boss_client, "summary")
    with story.at("2026-11-04 01:10"):
        rollup.rollup_day(TUESDAY)

    assert live == rolled == halfway == get(boss_client, "summary")
    assert RollupDay.objects.filter(rolled_version__isnull=False).count() == 2


def test_changing_labels_outcome_or_rating_later_reopens_the_rolled_days(boss_client, told):
    with story.at("2026-11-04 00:30"):
        rollup.rollup_day(MONDAY)
        rollup.rollup_day(TUESDAY)
    with story.at("2026-11-05 09:00"):
        conversations.conversation_labels_set(conversation=told.b, labels=["vip"])
        conversations.conversation_status_set(
            conversation=told.b,
            actor=told.boris,
            status="resolved",
            resolution=Resolution(outcome="forwarded"),
        )

    assert rollup.fresh_days(MONDAY, TUESDAY) == set()
    summary = get(boss_client, "summary")
    assert summary["outcomes"] == outcomes(sale=1, forwarded=1, none=1, not_solved=1)
    assert get(boss_client, "summary", label=told.vip.pk)["conversations"] == 3


def test_the_rollup_task_catches_up_closed_days_only(told):
    with story.at("2026-11-03 15:00"):
        assert rollup_closed_days() == ["2026-11-02"]
    with story.at("2026-11-04 00:30"):
        assert rollup_closed_days() == ["2026-11-03"]
        assert rollup_closed_days() == []


def test_today_is_live_and_the_same_after_its_rollup(boss_client, told):
    with story.at("2026-11-03 23:00"):
        today = get(boss_client, "summary", **{"from": "2026-11-03"})
    with story.at("2026-11-04 00:30"):
        rollup.rollup_day(TUESDAY)
    assert get(boss_client, "summary", **{"from": "2026-11-03"}) == today


@pytest.mark.parametrize("rolled", [False, True])
def test_the_periods_first_and_last_instants_count_and_their_neighbours_do_not(
    boss_client, told, rolled
):
    """Wednesday and Thursday in Moscow: opened at 00:00:00.000 Wednesday and at 23:59:59.999
    Thursday count; 23:59:59.999 Tuesday and 00:00:00.000 Friday do not."""
    for moment in (
        "2026-11-03 23:59:59.999",
        "2026-11-04 00:00:00",
        "2026-11-05 23:59:59.999",
        "2026-11-06 00:00:00",
    ):
        with story.at(moment):
            visitor, _token = visitor_for(told.shop)
            conversations.conversation_open(inbox=told.shop, contact=visitor.contact)
    if rolled:
        with story.at("2026-11-07 00:30"):
            for day in (TUESDAY, date(2026, 11, 4), date(2026, 11, 5), date(2026, 11, 6)):
                rollup.rollup_day(day)

    period = {"from": "2026-11-04", "to": "2026-11-05"}
    summary = boss_client.get("/api/v1/reports/summary", period).json()
    hours = boss_client.get(
        "/api/v1/reports/timeseries", {**period, "metric": "conversations", "interval": "hour"}
    ).json()["results"]
    in_utc = boss_client.get(
        "/api/v1/reports/summary", {**period, "tz": "UTC"}
    ).json()  # 03:00 Wednesday to 02:59:59 Friday, Moscow time

    assert summary["conversations"] == 2
    assert summary["previous"]["conversations"] == 5  # A, B, C, D and Tuesday 23:59:59.999
    assert (hours[0]["start"], hours[0]["value"]) == ("2026-11-03T21:00:00Z", 1)
    assert (hours[-1]["start"], hours[-1]["value"]) == ("2026-11-05T20:00:00Z", 1)
    assert sum(point["value"] for point in hours) == 2
    assert in_utc["conversations"] == 2  # Thursday 23:59:59 and Friday 00:00 Moscow time


def test_the_same_labels_again_leave_the_rolled_up_days_alone(told):
    with story.at("2026-11-04 00:30"):
        rollup.rollup_day(MONDAY)
        rollup.rollup_day(TUESDAY)

    with story.at("2026-11-05 09:00"):
        conversations.conversation_labels_set(conversation=told.c, labels=["refund", "vip"])

    assert rollup.fresh_days(MONDAY, TUESDAY) == {MONDAY, TUESDAY}


def test_a_day_is_rolled_up_five_minutes_after_it_ends_at_the_earliest(told):
    with story.at("2026-11-04 00:04"), pytest.raises(ValueError, match="not closed yet"):
        rollup.rollup_day(TUESDAY)
    with story.at("2026-11-04 00:04"):
        assert rollup_closed_days() == ["2026-11-02"]
    with story.at("2026-11-04 00:05"):
        assert rollup_closed_days() == ["2026-11-03"]
