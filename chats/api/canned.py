"""Canned responses (`/api/v1/canned-responses`): saved replies, personal or shared by a team.

Who may do what (also in docs/protocol.md, "Canned responses"):
- everyone lists their own personal responses and those of their teams (supervisors and
  admins: of every team), and creates personal ones;
- team responses are created, changed and deleted by admins and by the team's supervisors;
- a personal response is its owner's alone: to anyone else it does not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from chats import selectors
from chats.api.pagination import MAX_SEARCH_CHARS, KeysetPagination, search_text
from chats.models import CannedResponse
from chats.serializers import NO_NUL_PATTERN, TEXT_PATTERN
from chats.services.canned import (
    CANNED_BODY_MAX_CHARS,
    CANNED_FIELDS,
    CANNED_TITLE_MAX_CHARS,
    canned_response_create,
    canned_response_delete,
    canned_response_update,
)
from helpdesk.api_errors import ApiError
from helpdesk.openapi import ErrorSerializer
from helpdesk.strict_input import StrictInput
from operators.api.views import OperatorApiView, strict_data
from operators.models import Team


class CannedResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    shortcut = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    scope = serializers.ChoiceField(choices=["personal", "team"])
    team = serializers.IntegerField(source="team_id", allow_null=True)
    owner = serializers.IntegerField(source="owner_id", allow_null=True)


class CannedResponsePagination(KeysetPagination):
    keys = ("shortcut", "id")
    default_limit = 100
    max_limit = 500


# What the services check (chats.services `_canned_*`), for the document: these serializers only
# describe the bodies, which the views hand to the services as they came.
SHORTCUT_PATTERN = r"^[a-z0-9_-]{1,32}$"


def _title_field() -> serializers.RegexField:
    return serializers.RegexField(
        NO_NUL_PATTERN,
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=CANNED_TITLE_MAX_CHARS,
    )


class CannedResponseCreateSerializer(StrictInput):
    closed = True
    shortcut = serializers.RegexField(
        SHORTCUT_PATTERN, help_text="unique per owner or team; lowercase letters, digits, _ and -"
    )
    title = _title_field()
    body = serializers.RegexField(
        TEXT_PATTERN,
        max_length=CANNED_BODY_MAX_CHARS,
        help_text="placeholders allowed",
    )
    team = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="a team id: a team response"
    )


class CannedResponseUpdateSerializer(StrictInput):
    closed = True
    shortcut = serializers.RegexField(SHORTCUT_PATTERN, required=False)
    title = _title_field()
    body = serializers.RegexField(TEXT_PATTERN, required=False, max_length=CANNED_BODY_MAX_CHARS)


def _only(data: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApiError("invalid", _("Unknown field: %(field)s") % {"field": unknown[0]})
    return data


class CannedResponseListView(OperatorApiView):
    pagination_class = CannedResponsePagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_SEARCH_CHARS, "pattern": NO_NUL_PATTERN},
                description="in the shortcut, title or body",
            ),
        ],
        responses=CannedResponseSerializer(many=True),
        operation_id="v1_canned_responses_list",
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.canned_response_list(operator=self.operator, q=search_text(request))
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(CannedResponseSerializer(rows, many=True).data)

    @extend_schema(
        request=CannedResponseCreateSerializer,
        # 404: team_not_found; 409: shortcut_taken
        responses={201: CannedResponseSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        data = _only(strict_data(request), ("shortcut", "title", "body", "team"))
        team = None
        team_id = data.get("team")
        if team_id is not None:
            if not isinstance(team_id, int) or isinstance(team_id, bool) or team_id < 1:
                raise ApiError("invalid", _("team must be a team id."))
            team = Team.objects.filter(pk=team_id).first()
            if team is None:
                raise ApiError("team_not_found", _("Team not found."), 404)
        canned = canned_response_create(
            actor=self.operator,
            shortcut=data.get("shortcut"),
            title=data.get("title", ""),
            body=data.get("body"),
            team=team,
        )
        return Response(CannedResponseSerializer(canned).data, status=status.HTTP_201_CREATED)


class CannedResponseDetailView(OperatorApiView):
    def _canned(self, canned_response_id: int) -> CannedResponse:
        canned = selectors.canned_response_get_visible(
            operator=self.operator, canned_response_id=canned_response_id
        )
        if canned is None:
            raise ApiError("not_found", _("Canned response not found."), 404)
        return canned

    @extend_schema(responses=CannedResponseSerializer)
    def get(self, request: Request, canned_response_id: int) -> Response:
        return Response(CannedResponseSerializer(self._canned(canned_response_id)).data)

    @extend_schema(
        request=CannedResponseUpdateSerializer,
        responses={200: CannedResponseSerializer, 409: ErrorSerializer},  # shortcut_taken
    )
    def patch(self, request: Request, canned_response_id: int) -> Response:
        canned = self._canned(canned_response_id)
        changes = _only(strict_data(request), CANNED_FIELDS)
        canned = canned_response_update(
            actor=self.operator, canned_response=canned, changes=changes
        )
        return Response(CannedResponseSerializer(canned).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, canned_response_id: int) -> Response:
        canned_response_delete(
            actor=self.operator, canned_response=self._canned(canned_response_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
