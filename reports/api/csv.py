"""The reports as CSV: a header row, UTF-8 with a byte order mark so that spreadsheets read
Cyrillic (contract section 5)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

from reports.figures import METRICS

FIGURE_COLUMNS = tuple(METRICS)


def flat_figures(figures: dict[str, Any]) -> list[Any]:
    """The figures in `FIGURE_COLUMNS` order; the sales amount as its decimal string."""
    row = [read(figures) for read in METRICS.values()]
    row[FIGURE_COLUMNS.index("sales_amount")] = figures["sales"]["amount"]
    return row


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
