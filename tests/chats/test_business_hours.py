"""The pure business-hours module: open at an instant, next opening, validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chats.business_hours import (
    ALWAYS_OPEN,
    DAYS,
    MAX_HOLIDAYS,
    MAX_INTERVALS_PER_DAY,
    OpenState,
    ScheduleError,
    clean_business_hours,
    clean_holidays,
    clean_timezone,
    closed_inbox_ids,
    open_state,
    schedule_from,
    schedule_of,
)

WEEKDAYS = {"mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]], "wed": [["09:00", "18:00"]]}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def schedule(zone: str = "UTC", hours: dict | None = None, holidays: list | None = None):
    return schedule_from(
        timezone=zone,
        business_hours=WEEKDAYS if hours is None else hours,
        holidays=holidays or [],
    )


# --- open or closed ---------------------------------------------------------------------------


def test_an_inbox_is_open_inside_its_interval_and_closed_at_its_end():
    hours = schedule("Europe/Moscow")
    assert hours.is_open(at("2026-12-07T09:00:00+03:00"))  # a Monday
    assert hours.is_open(at("2026-12-07T17:59:59+03:00"))
    assert not hours.is_open(at("2026-12-07T18:00:00+03:00"))
    assert not hours.is_open(at("2026-12-07T08:59:59+03:00"))


def test_opening_times_are_read_in_the_inbox_zone_not_in_utc():
    hours = schedule("Asia/Tokyo")
    # 00:30 UTC on Monday is 09:30 in Tokyo
    assert hours.is_open(at("2026-12-07T00:30:00+00:00"))
    assert not hours.is_open(at("2026-12-07T09:30:00+00:00"))  # 18:30 in Tokyo


def test_a_day_without_intervals_is_closed_all_day():
    hours = schedule()
    assert not hours.is_open(at("2026-12-10T12:00:00+00:00"))  # a Thursday
    assert hours.next_open(at("2026-12-10T12:00:00+00:00")) == at("2026-12-14T09:00:00+00:00")


def test_several_intervals_a_day_close_over_lunch():
    hours = schedule(hours={"mon": [["14:00", "18:00"], ["09:00", "13:00"]]})
    assert hours.is_open(at("2026-12-07T12:59:00+00:00"))
    assert not hours.is_open(at("2026-12-07T13:30:00+00:00"))
    assert hours.next_open(at("2026-12-07T13:30:00+00:00")) == at("2026-12-07T14:00:00+00:00")


def test_an_interval_to_24_00_runs_to_midnight_and_into_the_next_days_morning():
    hours = schedule(hours={"fri": [["20:00", "24:00"]], "sat": [["00:00", "02:00"]]})
    assert hours.is_open(at("2026-12-11T23:59:59+00:00"))
    assert hours.is_open(at("2026-12-12T00:00:00+00:00"))
    assert not hours.is_open(at("2026-12-12T02:00:00+00:00"))
    assert hours.next_open(at("2026-12-12T02:00:00+00:00")) == at("2026-12-18T20:00:00+00:00")


def test_a_holiday_closes_the_whole_local_day():
    hours = schedule("Europe/Moscow", holidays=["2026-12-07"])
    assert not hours.is_open(at("2026-12-07T12:00:00+03:00"))
    assert hours.next_open(at("2026-12-07T12:00:00+03:00")) == at("2026-12-08T09:00:00+03:00")


def test_empty_hours_mean_always_open_except_holidays():
    hours = schedule("Europe/Moscow", hours={}, holidays=["2026-12-31"])
    assert hours.is_open(at("2026-12-30T03:00:00+03:00"))
    assert not hours.is_open(at("2026-12-31T23:00:00+03:00"))
    assert hours.next_open(at("2026-12-31T10:00:00+03:00")) == at("2027-01-01T00:00:00+03:00")


def test_days_listed_with_no_intervals_never_open():
    hours = schedule(hours={"mon": [], "sun": []})
    assert not hours.is_open(at("2026-12-07T12:00:00+00:00"))
    assert hours.next_open(at("2026-12-07T12:00:00+00:00")) is None


def test_next_open_of_an_open_inbox_is_now():
    moment = at("2026-12-07T10:00:00+00:00")
    assert schedule().next_open(moment) == moment


def test_next_open_skips_a_run_of_holidays():
    holidays = [f"2027-01-{day:02d}" for day in range(1, 11)]
    hours = schedule("Europe/Moscow", holidays=holidays)
    assert hours.next_open(at("2026-12-31T19:00:00+03:00")) == at("2027-01-11T09:00:00+03:00")


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="aware"):
        schedule().is_open(datetime(2026, 12, 7, 10))


# --- daylight saving --------------------------------------------------------------------------


def test_an_opening_in_the_skipped_hour_happens_when_the_clocks_jump():
    # Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00 UTC)
    hours = schedule("Europe/Berlin", hours={"sun": [["02:30", "05:00"]]})
    assert hours.next_open(at("2026-03-28T12:00:00+00:00")) == at("2026-03-29T01:00:00+00:00")
    assert not hours.is_open(at("2026-03-29T00:59:59+00:00"))
    assert hours.is_open(at("2026-03-29T01:00:00+00:00"))


def test_an_interval_entirely_in_the_skipped_hour_does_not_open_that_day():
    hours = schedule("Europe/Berlin", hours={"sun": [["02:10", "02:50"]]})
    assert hours.next_open(at("2026-03-28T12:00:00+00:00")) == at("2026-04-05T00:10:00+00:00")


def test_nine_oclock_stays_nine_oclock_local_across_the_change():
    hours = schedule("Europe/Berlin", hours={"mon": [["09:00", "18:00"]]})
    assert hours.next_open(at("2026-03-24T18:00:00+01:00")) == at("2026-03-30T09:00:00+02:00")
    assert hours.next_open(at("2026-10-20T18:00:00+02:00")) == at("2026-10-26T09:00:00+01:00")


def test_the_repeated_hour_opens_at_its_first_reading_and_reopens_at_its_second():
    # Berlin, 25 October 2026: 03:00 CEST falls back to 02:00 CET (01:00 UTC)
    hours = schedule("Europe/Berlin", hours={"sun": [["02:30", "05:00"]]})
    assert hours.next_open(at("2026-10-24T12:00:00+00:00")) == at("2026-10-25T00:30:00+00:00")
    assert not hours.is_open(at("2026-10-25T01:00:00+00:00"))  # 02:00 again
    assert hours.next_open(at("2026-10-25T01:00:00+00:00")) == at("2026-10-25T01:30:00+00:00")


def test_a_zone_that_skipped_midnight_opens_at_its_first_instant_that_day():
    # São Paulo, 4 November 2018: midnight jumped to 01:00
    hours = schedule("America/Sao_Paulo", hours={"sun": [["00:00", "12:00"]]})
    opened = hours.next_open(at("2018-11-03T12:00:00-03:00"))
    assert opened == at("2018-11-04T01:00:00-02:00")


# --- properties -------------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Berlin", "Europe/Moscow", "America/New_York", "Australia/Lord_Howe"]


@st.composite
def business_hours(draw: st.DrawFn) -> dict[str, list[list[str]]]:
    table: dict[str, list[list[str]]] = {}
    for day in draw(st.lists(st.sampled_from(DAYS), unique=True, min_size=1, max_size=7)):
        marks = sorted(
            draw(st.lists(st.integers(0, 96), unique=True, min_size=0, max_size=6))
        )  # quarter hours
        marks = marks[: len(marks) // 2 * 2]
        table[day] = [
            [f"{a // 4:02d}:{a % 4 * 15:02d}", f"{b // 4:02d}:{b % 4 * 15:02d}"]
            for a, b in zip(marks[::2], marks[1::2], strict=True)
        ]
    return table


instants = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.just(UTC),
)


def _brute_next_open(hours, moment: datetime, days: int) -> datetime | None:
    """Every whole minute from `moment` on: openings fall on whole minutes in these zones."""
    if hours.is_open(moment):
        return moment
    probe = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    end = moment + timedelta(days=days)
    while probe < end:
        if hours.is_open(probe):
            return probe
        probe += timedelta(minutes=1)
    return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zone=st.sampled_from(ZONES), table=business_hours(), moment=instants)
def test_next_open_is_the_first_open_minute_by_brute_force(zone, table, moment):
    hours = schedule(zone, table)
    found = hours.next_open(moment)
    expected = _brute_next_open(hours, moment, days=9)
    if expected is None:
        assert found is None or found - moment >= timedelta(days=8)
    else:
        assert found == expected


@settings(max_examples=150, deadline=None)
@given(zone=st.sampled_from(ZONES), table=business_hours(), moment=instants)
def test_next_open_is_open_never_earlier_and_within_a_week(zone, table, moment):
    hours = schedule(zone, table)
    found = hours.next_open(moment)
    if found is None:
        assert hours.never_opens or not any(
            hours.is_open(moment + timedelta(hours=h)) for h in range(0, 24 * 15)
        )
        return
    assert found >= moment
    assert found.tzinfo is UTC
    assert hours.is_open(found)
    assert found - moment <= timedelta(days=15)
    assert hours.next_open(found) == found


@settings(max_examples=80, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    table=business_hours(),
    moment=instants,
    days_off=st.lists(st.integers(0, 20), max_size=10),
)
def test_next_open_never_lands_on_a_holiday(zone, table, moment, days_off):
    local_day = moment.astimezone(schedule(zone).zone).date()
    holidays = sorted({(local_day + timedelta(days=n)).isoformat() for n in days_off})
    hours = schedule(zone, table, holidays)
    found = hours.next_open(moment)
    if found is not None:
        assert found.astimezone(hours.zone).date().isoformat() not in holidays
        assert hours.is_open(found)


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus", "", "europe/moscow", "../../etc/passwd", "/etc/localtime", "x" * 65, 3, None],
)
def test_an_unknown_time_zone_is_refused(zone):
    with pytest.raises(ScheduleError) as error:
        clean_timezone(zone)
    assert error.value.code == "invalid_timezone"


def test_iana_zones_are_accepted():
    for zone in ("UTC", "Europe/Moscow", "America/Argentina/Buenos_Aires", "Asia/Kolkata"):
        assert clean_timezone(zone) == zone


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ([["09:00", "18:00"]], "object"),
        ({"monday": [["09:00", "18:00"]]}, "Unknown day monday"),
        ({"Mon": [["09:00", "18:00"]]}, "Unknown day Mon"),
        ({"mon": ["09:00", "18:00"]}, "pair"),
        ({"mon": "09:00-18:00"}, "list"),
        ({"mon": [["09:00"]]}, "pair"),
        ({"mon": [["09:00", "18:00", "19:00"]]}, "pair"),
        ({"mon": [["9:00", "18:00"]]}, "HH:MM"),
        ({"mon": [["09:00", "18:60"]]}, "HH:MM"),
        ({"mon": [["25:00", "26:00"]]}, "HH:MM"),
        ({"mon": [["24:00", "24:00"]]}, "HH:MM"),
        ({"mon": [["09:00", 18]]}, "HH:MM"),
        ({"mon": [[None, "18:00"]]}, "HH:MM"),
        ({"mon": [["09:00:00", "18:00"]]}, "HH:MM"),
        ({"mon": [["18:00", "09:00"]]}, "ends before it starts"),
        ({"mon": [["09:00", "09:00"]]}, "ends before it starts"),
        ({"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}, "overlap"),
        ({"mon": [["12:00", "18:00"], ["09:00", "12:30"]]}, "overlap"),
        ({"mon": [["00:00", "24:00"], ["10:00", "11:00"]]}, "overlap"),
        ({"mon": [["00:00", "00:01"]] * (MAX_INTERVALS_PER_DAY + 1)}, "at most"),
    ],
)
def test_bad_business_hours_are_refused_with_a_clear_message(table, words):
    with pytest.raises(ScheduleError) as error:
        clean_business_hours(table)
    assert error.value.code == "invalid_business_hours"
    assert words in error.value.message


def test_touching_intervals_are_fine_and_come_back_sorted():
    table = {"mon": [["13:00", "24:00"], ["00:00", "13:00"]], "sun": []}
    assert clean_business_hours(table) == {
        "mon": [["00:00", "13:00"], ["13:00", "24:00"]],
        "sun": [],
    }


@pytest.mark.parametrize(
    ("holidays", "words"),
    [
        ("2026-01-01", "list"),
        ({"2026-01-01": True}, "list"),
        (["2026-02-30"], "Not a date"),
        (["2026-1-1"], "Not a date"),
        (["01.01.2026"], "Not a date"),
        (["2026-01-01T00:00"], "Not a date"),
        ([20260101], "Not a date"),
        ([None], "Not a date"),
        (["2026-01-01", "2026-01-01"], "twice"),
        ([f"2026-01-{n:02d}" for n in range(1, 32)] * 40, "At most"),
    ],
)
def test_bad_holidays_are_refused_with_a_clear_message(holidays, words):
    with pytest.raises(ScheduleError) as error:
        clean_holidays(holidays)
    assert error.value.code == "invalid_holidays"
    assert words in error.value.message


def test_holidays_come_back_sorted_and_the_limit_is_allowed():
    days = [
        (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)).date().isoformat()
        for n in range(MAX_HOLIDAYS)
    ]
    assert clean_holidays(list(reversed(days))) == days


# --- an inbox's hours -------------------------------------------------------------------------


def inbox_like(pk: int = 1, zone: str = "UTC", hours: dict | None = None, holidays=None):
    return SimpleNamespace(
        pk=pk, timezone=zone, business_hours=hours or {}, holidays=holidays or []
    )


def test_a_broken_stored_schedule_counts_as_always_open_and_is_logged(caplog):
    broken = inbox_like(zone="Mars/Olympus", hours={"mon": []})

    assert schedule_of(broken) is ALWAYS_OPEN
    assert open_state(broken, at("2026-12-07T03:00:00+00:00")) == OpenState(True, None)
    assert "broken business hours" in caplog.text


def test_the_open_state_of_a_closed_inbox_has_its_next_opening():
    closed = inbox_like(zone="Europe/Moscow", hours=WEEKDAYS)

    assert open_state(closed, at("2026-12-07T08:00:00+03:00")) == OpenState(
        False, at("2026-12-07T09:00:00+03:00")
    )


def test_closed_inbox_ids_names_each_closed_inbox_once():
    moment = at("2026-12-07T08:00:00+03:00")
    moscow = inbox_like(1, "Europe/Moscow", WEEKDAYS)
    tokyo = inbox_like(2, "Asia/Tokyo", WEEKDAYS)  # 14:00 there
    always = inbox_like(3)

    assert closed_inbox_ids([moscow, tokyo, always, moscow], moment) == {1}
