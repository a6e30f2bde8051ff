"""Operator and admin REST endpoints of the operators domain: auth, me, operators, teams."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chats.api.pagination import ListPagination
from helpdesk.api_errors import ApiError
from helpdesk.openapi import ErrorSerializer
from helpdesk.strict_input import TEAM_NOT_FOUND, ReferenceField, StrictInput
from helpdesk.throttles import OperatorApiThrottle
from operators import selectors, services
from operators.authentication import BearerTokenAuthentication
from operators.models import ApiToken, Operator, Role, Status, Team


class IsAdmin(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.pk and user.role == Role.ADMIN)


class IsSupervisorOrAdmin(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.pk and user.sees_everything)


class OperatorApiView(APIView):
    throttle_classes = [OperatorApiThrottle]

    @property
    def operator(self) -> Operator:
        """The authenticated operator (every view here requires one)."""
        user = self.request.user
        assert isinstance(user, Operator)
        return user


# --- serializers ------------------------------------------------------------------------------


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class TeamCreateSerializer(StrictInput):
    name = serializers.CharField(max_length=100)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    role = serializers.CharField()
    status = serializers.CharField()
    language = serializers.CharField(help_text='extension: "" for the server\'s default')
    teams = serializers.SerializerMethodField()

    def get_teams(self, operator: Operator) -> list[int]:
        return sorted(team.pk for team in operator.teams.all())


class OperatorSerializer(MeSerializer):
    max_chats = serializers.IntegerField()
    is_active = serializers.BooleanField()
    load = serializers.SerializerMethodField()

    def get_load(self, operator: Operator) -> int:
        value = getattr(operator, "open_count", None)
        if value is None:
            value = operator.assigned_conversations.exclude(status="resolved").count()
        return int(value)


class TokenRequestSerializer(StrictInput):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class StatusSerializer(StrictInput):
    status = serializers.ChoiceField(choices=Status.choices)


class MeUpdateSerializer(StatusSerializer):
    language = serializers.ChoiceField(
        choices=[("", "the server's default"), *settings.LANGUAGES],
        required=False,
        help_text="extension: the language the helpdesk writes to the operator in (emails)",
    )


@extend_schema_field(
    {
        "type": "string",
        "format": "password",
        "minLength": 8,
        "maxLength": 4096,
        "description": "8 characters at least, and not a common password",
    }
)
class PasswordField(serializers.CharField):
    """A new password: the service applies settings.AUTH_PASSWORD_VALIDATORS and names what is
    wrong (`invalid_password`); the document says as much as a schema can."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=4096, trim_whitespace=False, **kwargs)


class OperatorCreateSerializer(StrictInput):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = PasswordField()
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.AGENT)
    teams = ReferenceField(
        queryset=Team.objects.all(), many=True, default=list, not_found=TEAM_NOT_FOUND
    )
    max_chats = serializers.IntegerField(min_value=0, max_value=1000, default=5)


class OperatorUpdateSerializer(StrictInput):
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    teams = ReferenceField(
        queryset=Team.objects.all(), many=True, required=False, not_found=TEAM_NOT_FOUND
    )
    max_chats = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    is_active = serializers.BooleanField(required=False)
    password = PasswordField(required=False)


def strict_data(request: Request) -> dict[str, Any]:
    """The request body, which must be a JSON object."""
    data = request.data
    if not isinstance(data, dict):
        raise ApiError("invalid", _("The request body must be a JSON object."))
    return data


# --- views ------------------------------------------------------------------------------------


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get_authenticate_header(self, request: Request) -> str:
        # DELETE checks the bearer token itself; without this, DRF turns its 401 into a 403.
        return "Bearer"

    @extend_schema(
        request=TokenRequestSerializer,
        # 401: wrong username or password; 429: locked out after repeated failures.
        responses={201: TokenSerializer, 401: ErrorSerializer, 429: ErrorSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        operator = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            raise ApiError("locked_out", _("Too many failed logins. Try again in 15 minutes."), 429)
        if operator is None or not operator.is_active:
            raise ApiError("invalid_credentials", _("The username or password is wrong."), 401)
        _token, key = services.token_issue(operator=operator)
        return Response({"token": key}, status=status.HTTP_201_CREATED)

    # drf-spectacular takes security requirements here, though its hint says strings.
    @extend_schema(request=None, responses={204: None}, auth=[{"bearerAuth": []}])  # type: ignore[list-item]
    def delete(self, request: Request) -> Response:
        found = BearerTokenAuthentication().authenticate(request)
        if found is None:
            raise ApiError("not_authenticated", _("Authentication is required."), 401)
        api_token = found[1]
        assert isinstance(api_token, ApiToken)
        services.token_revoke(api_token=api_token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(OperatorApiView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        """A partial update, as PATCH is: a body without `status` or `language` changes
        nothing."""
        serializer = MeUpdateSerializer(data=strict_data(request), partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        operator = self.operator
        if "language" in data:
            operator = services.operator_language_set(operator=operator, language=data["language"])
        if "status" in data:
            operator = services.operator_status_set(operator=operator, status=data["status"])
        return Response(MeSerializer(operator).data)


class OperatorListView(OperatorApiView):
    pagination_class = ListPagination

    def get_permissions(self) -> Sequence[Any]:
        return [IsAdmin()] if self.request.method == "POST" else [IsSupervisorOrAdmin()]

    @extend_schema(responses=OperatorSerializer(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(selectors.operator_list_with_load(), request, view=self)
        return paginator.get_paginated_response(OperatorSerializer(rows, many=True).data)

    @extend_schema(
        request=OperatorCreateSerializer,
        responses={201: OperatorSerializer, 409: ErrorSerializer},  # username_taken
    )
    def post(self, request: Request) -> Response:
        serializer = OperatorCreateSerializer(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        operator = services.operator_create(**serializer.validated_data)
        return Response(OperatorSerializer(operator).data, status=status.HTTP_201_CREATED)


class OperatorDetailView(OperatorApiView):
    permission_classes = [IsAdmin]

    @extend_schema(request=OperatorUpdateSerializer, responses=OperatorSerializer)
    def patch(self, request: Request, operator_id: int) -> Response:
        operator = Operator.objects.filter(pk=operator_id).first()
        if operator is None:
            raise ApiError("not_found", _("Operator not found."), 404)
        serializer = OperatorUpdateSerializer(data=strict_data(request), partial=True)
        serializer.is_valid(raise_exception=True)
        operator = services.operator_update(
            operator=operator, changes=dict(serializer.validated_data)
        )
        return Response(OperatorSerializer(operator).data)


class TeamListView(OperatorApiView):
    pagination_class = ListPagination

    def get_permissions(self) -> Sequence[Any]:
        return [IsAdmin()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(responses=TeamSerializer(many=True))
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(Team.objects.order_by("id"), request, view=self)
        return paginator.get_paginated_response(TeamSerializer(rows, many=True).data)

    @extend_schema(
        request=TeamCreateSerializer,
        responses={201: TeamSerializer, 409: ErrorSerializer},  # team_exists
    )
    def post(self, request: Request) -> Response:
        serializer = TeamCreateSerializer(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        team = services.team_create(name=serializer.validated_data["name"])
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)
