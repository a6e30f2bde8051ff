"""`/api/v1/reports/`: supervisors and admins only (contract section 5)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from chats.models import Channel
from chats.serializers import iso_datetime
from helpdesk.openapi import ErrorSerializer
from operators.api.views import IsSupervisorOrAdmin, OperatorApiView
from reports import figures
from reports.api import serializers
from reports.api.csv import FIGURE_COLUMNS, csv_response, flat_figures
from reports.api.params import (
    MAX_FILTER_VALUES,
    MAX_HOURLY_DAYS,
    MAX_ID,
    ReportQuery,
    choice,
    report_query,
)


class JsonAnswers(BaseContentNegotiation):
    """Answers (and errors) are JSON; `format=csv` is the view's own parameter, not DRF's
    format override (which would answer 404 to an unknown format)."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: Any, format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return JSONRenderer(), JSONRenderer.media_type


# A day of the years 2000 to 2999 (`reports.api.params`).
DAY = {
    "type": "string",
    "format": "date",
    "pattern": r"^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
}


def _ids(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
            "maxItems": MAX_FILTER_VALUES,
        },
        explode=True,
        description=description,
    )


COMMON = [
    OpenApiParameter("from", DAY, description="the first day (default: 6 days before `to`)"),
    OpenApiParameter("to", DAY, description="the last day, included (default: today)"),
    OpenApiParameter(
        "tz",
        {"type": "string", "maxLength": 64, "pattern": r"^[A-Za-z0-9_+\-/]+$"},
        description="an IANA time zone (default: REPORTS_TIME_ZONE)",
    ),
    _ids("team", "only these teams (repeatable)"),
    _ids("inbox", "only these inboxes (repeatable)"),
    OpenApiParameter(
        "channel",
        {"type": "array", "items": {"type": "string", "enum": Channel.values}},
        explode=True,
        description="only these channels (repeatable)",
    ),
    _ids("operator", "only these operators (repeatable)"),
    _ids("label", "only conversations with one of these labels (repeatable)"),
    OpenApiParameter("format", str, enum=["json", "csv"], description="csv: the same rows as CSV"),
]


def _responses(serializer: Any) -> dict[Any, Any]:
    return {
        (200, "application/json"): serializer,
        (200, "text/csv"): OpenApiTypes.STR,
        (400, "application/json"): ErrorSerializer,
        (401, "application/json"): ErrorSerializer,
        (403, "application/json"): ErrorSerializer,
    }


class ReportView(OperatorApiView):
    permission_classes = [IsSupervisorOrAdmin]
    content_negotiation_class = JsonAnswers


class SummaryView(ReportView):
    @extend_schema(parameters=COMMON, responses=_responses(serializers.SummarySerializer))
    def get(self, request: Request) -> Response | HttpResponse:
        query = report_query(request)
        data = figures.summary(query.period, query.filters)
        if not query.csv:
            return Response(data)
        header = ["from", "to", "tz", *FIGURE_COLUMNS]
        rows = [
            [*period.values(), *flat_figures(values)]
            for period, values in (
                (data["period"], data),
                (data["previous"]["period"], data["previous"]),
            )
        ]
        return csv_response("summary", header, rows)


class TimeseriesView(ReportView):
    @extend_schema(
        parameters=[
            *COMMON,
            OpenApiParameter(
                "metric", str, enum=list(figures.METRICS), required=True, allow_blank=False
            ),
            OpenApiParameter(
                "interval",
                str,
                enum=list(figures.INTERVALS),
                description=f"default day; hour covers at most {MAX_HOURLY_DAYS} days",
            ),
        ],
        responses=_responses(serializers.TimeseriesSerializer),
    )
    def get(self, request: Request) -> Response | HttpResponse:
        metric = choice(request, "metric", list(figures.METRICS), "")
        interval = choice(request, "interval", figures.INTERVALS, "day")
        query = report_query(
            request, **({"max_days": MAX_HOURLY_DAYS} if interval == "hour" else {})
        )
        points = figures.timeseries(query.period, query.filters, metric=metric, interval=interval)
        rows = [
            {"start": iso_datetime(point["start"]), "value": point["value"]} for point in points
        ]
        if query.csv:
            return csv_response(
                f"timeseries-{metric}", ["start", "value"], ([r["start"], r["value"]] for r in rows)
            )
        return Response({"results": rows})


class BreakdownView(ReportView):
    @extend_schema(
        parameters=[
            *COMMON,
            OpenApiParameter(
                "by", str, enum=list(figures.BREAKDOWNS), required=True, allow_blank=False
            ),
        ],
        responses=_responses(serializers.BreakdownSerializer),
    )
    def get(self, request: Request) -> Response | HttpResponse:
        by = choice(request, "by", figures.BREAKDOWNS, "")
        query = report_query(request)
        rows = figures.breakdown(query.period, query.filters, by=by)
        if query.csv:
            header = ["id", "name", *FIGURE_COLUMNS]
            return csv_response(
                f"breakdown-{by}",
                header,
                ([row["key"]["id"], row["key"]["name"], *flat_figures(row)] for row in rows),
            )
        return Response({"results": rows})


class HeatmapView(ReportView):
    @extend_schema(parameters=COMMON, responses=_responses(serializers.HeatmapSerializer))
    def get(self, request: Request) -> Response | HttpResponse:
        query = report_query(request)
        grid = figures.heatmap(query.period, query.filters)
        if query.csv:
            header = ["weekday", *(f"{hour:02d}" for hour in range(24))]
            return csv_response(
                "heatmap", header, ([day, *row] for day, row in enumerate(grid, start=1))
            )
        return Response({"results": grid})


def _live_data(view: figures.LiveView) -> dict[str, Any]:
    return {
        "waiting": [
            {
                "conversation": row.conversation,
                "team": row.team,
                "queue_position": row.queue_position,
                "waiting_seconds": row.waiting_seconds,
            }
            for row in view.waiting
        ],
        "longest_wait_seconds": view.longest_wait_seconds,
        "operators": [
            {
                "id": operator.pk,
                "name": operator.display_name,
                "status": operator.status,
                "open": operator.open_value,  # type: ignore[attr-defined]
                "max_chats": operator.max_chats,
            }
            for operator in view.operators
        ],
        "open": view.open,
        "unassigned": view.unassigned,
    }


class LiveView(ReportView):
    @extend_schema(
        parameters=[
            *COMMON[3:],
            OpenApiParameter(
                "table",
                str,
                enum=["waiting", "operators"],
                description="with format=csv: which table (default waiting)",
            ),
        ],
        responses=_responses(serializers.LiveSerializer),
    )
    def get(self, request: Request) -> Response | HttpResponse:
        query: ReportQuery = report_query(request)
        table = choice(request, "table", ("waiting", "operators"), "waiting")
        data = _live_data(figures.live(query.filters))
        if not query.csv:
            return Response(data)
        header = list(
            serializers.WaitingSerializer().fields
            if table == "waiting"
            else serializers.LiveOperatorSerializer().fields
        )
        return csv_response(
            f"live-{table}", header, ([row[name] for name in header] for row in data[table])
        )
