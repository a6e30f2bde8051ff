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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A spreadsheet runs a cell that starts like a formula: a name such as `=HYPERLINK(...)`
    is kept as text by a leading apostrophe (numbers are written as they are)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
