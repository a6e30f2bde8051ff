"""The reports' answers, described for the OpenAPI document (the views build them as dicts)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.tally import OUTCOME_KEYS


class PeriodSerializer(serializers.Serializer[Any]):
    # `from` is a Python keyword: the field is added under its name below.
    to = serializers.DateField()
    tz = serializers.CharField(help_text="the IANA time zone the days are counted in")


PeriodSerializer._declared_fields["from"] = serializers.DateField()


class SpreadSerializer(serializers.Serializer[Any]):
    median = serializers.FloatField(allow_null=True)
    p90 = serializers.FloatField(allow_null=True)


class CsatFiguresSerializer(serializers.Serializer[Any]):
    responses = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True, help_text="two decimals")
    positive_share = serializers.FloatField(
        allow_null=True, help_text="the share of ratings 4 and 5, two decimals"
    )


class OutcomesSerializer(serializers.Serializer[Any]):
    pass


for _key in OUTCOME_KEYS:
    OutcomesSerializer._declared_fields[_key] = serializers.IntegerField()


class SalesSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    amount = serializers.CharField(help_text="their sum, a decimal string, in CURRENCY")


class FiguresSerializer(serializers.Serializer[Any]):
    conversations = serializers.IntegerField()
    resolved = serializers.IntegerField()
    replies = serializers.IntegerField()
    first_response_seconds = SpreadSerializer()
    resolution_seconds = SpreadSerializer()
    csat = CsatFiguresSerializer()
    outcomes = OutcomesSerializer()
    sales = SalesSerializer()


class PreviousSerializer(FiguresSerializer):
    period = PeriodSerializer()


class SummarySerializer(FiguresSerializer):
    period = PeriodSerializer()
    previous = PreviousSerializer(help_text="the same figures for the period just before")


class PointSerializer(serializers.Serializer[Any]):
    start = serializers.DateTimeField()
    value = serializers.FloatField(allow_null=True)


class TimeseriesSerializer(serializers.Serializer[Any]):
    results = PointSerializer(many=True)


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class KeyIdField(serializers.Field[Any, Any, Any, Any]):
    pass


class KeySerializer(serializers.Serializer[Any]):
    id = KeyIdField(help_text="an id; a channel's name for `by=channel`")
    name = serializers.CharField()


class BreakdownRowSerializer(FiguresSerializer):
    key = KeySerializer()


class BreakdownSerializer(serializers.Serializer[Any]):
    results = BreakdownRowSerializer(many=True)


class HeatmapSerializer(serializers.Serializer[Any]):
    results = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=24, max_length=24),
        min_length=7,
        max_length=7,
        help_text="7 weekdays (Monday first) of 24 hours",
    )


class WaitingSerializer(serializers.Serializer[Any]):
    conversation = serializers.IntegerField()
    team = serializers.IntegerField(allow_null=True)
    queue_position = serializers.IntegerField()
    waiting_seconds = serializers.FloatField()


class LiveOperatorSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    open = serializers.IntegerField(help_text="their unresolved conversations")
    max_chats = serializers.IntegerField()


class LiveSerializer(serializers.Serializer[Any]):
    waiting = WaitingSerializer(many=True)
    longest_wait_seconds = serializers.FloatField(allow_null=True)
    operators = LiveOperatorSerializer(many=True)
    open = serializers.IntegerField(help_text="unresolved conversations")
    unassigned = serializers.IntegerField(help_text="unresolved conversations nobody holds")
