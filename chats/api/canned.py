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

from chats import selectors, services
from chats.api.pagination import page_by_keys, search_text
from chats.models import CannedResponse
from helpdesk.api_errors import ApiError
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


class CannedResponsePage(serializers.Serializer):
    results = CannedResponseSerializer(many=True)
    next = serializers.URLField(allow_null=True)


class CannedResponseCreateSerializer(StrictInput):
    shortcut = serializers.CharField(help_text="[a-z0-9_-]{1,32}, unique per owner or team")
    title = serializers.CharField(required=False, allow_blank=True, help_text="up to 200 chars")
    body = serializers.CharField(help_text="1 to 5,000 characters; placeholders allowed")
    team = serializers.IntegerField(
        required=False, allow_null=True, help_text="a team id: a team response"
    )


class CannedResponseUpdateSerializer(StrictInput):
    shortcut = serializers.CharField(required=False)
    title = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(required=False)


def _only(data: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApiError("invalid", _("Unknown field: %(field)s") % {"field": unknown[0]})
    return data


class CannedResponseListView(OperatorApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="in the shortcut, title or body"),
            OpenApiParameter("limit", int),
            OpenApiParameter("cursor", str),
        ],
        responses=CannedResponsePage,
        operation_id="v1_canned_responses_list",
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.canned_response_list(operator=self.operator, q=search_text(request))
        rows, next_url = page_by_keys(
            request, queryset, keys=("shortcut", "id"), default_limit=100, max_limit=500
        )
        return Response(
            {"results": CannedResponseSerializer(rows, many=True).data, "next": next_url}
        )

    @extend_schema(
        request=CannedResponseCreateSerializer, responses={201: CannedResponseSerializer}
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
        canned = services.canned_response_create(
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

    @extend_schema(request=CannedResponseUpdateSerializer, responses=CannedResponseSerializer)
    def patch(self, request: Request, canned_response_id: int) -> Response:
        canned = self._canned(canned_response_id)
        changes = _only(strict_data(request), services.CANNED_FIELDS)
        canned = services.canned_response_update(
            actor=self.operator, canned_response=canned, changes=changes
        )
        return Response(CannedResponseSerializer(canned).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, canned_response_id: int) -> Response:
        services.canned_response_delete(
            actor=self.operator, canned_response=self._canned(canned_response_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
