"""`python manage.py rollup_reports --from D --to D`: recompute the rollups of those days.

It can run any number of times, or be stopped halfway and run again: each day is replaced in
one transaction, from the report events, so the reports do not change."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.periods import days, reports_zone
from reports.rollup import last_rollable_day, rollup_day


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Recompute the report rollups of the days from --from to --to (both included)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, type=_day)
        parser.add_argument("--to", dest="last", required=True, type=_day)

    def handle(self, *args: Any, first: date, last: date, **options: Any) -> None:
        zone = reports_zone()
        closed = last_rollable_day()
        if first > last:
            raise CommandError("--from is after --to")
        if last > closed:
            self.stderr.write(f"days after {closed} are not closed yet in {zone.key}: left out")
            last = closed
        for day in days(first, last):
            cells = rollup_day(day)
            self.stdout.write(f"{day}: {cells} cells")
