"""The widget's REST API (`/api/widget/v1/`): public, per inbox, authorised by visitor token."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import authentication, exceptions, serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chats import selectors
from chats.api.pagination import SeqPagination, int_param
from chats.business_hours import open_state
from chats.models import Conversation, Inbox, Visitor
from chats.serializers import (
    AttachmentIdsField,
    ClientIdField,
    MessageBodyField,
    MessageSerializer,
    VisitorConversationSerializer,
    body_or_files_schema,
    iso_or_none,
    message_data,
    require_body_or_files,
    visitor_conversation_data,
)
from chats.services import contacts, feedback, inboxes, messages, visitors
from helpdesk.api_errors import ApiError
from helpdesk.openapi import ErrorSerializer
from helpdesk.strict_input import StrictInput
from helpdesk.throttles import VisitorMessageThrottle, WidgetIpThrottle, WidgetSessionThrottle
from operators.api.views import strict_data
from operators.authentication import bearer_token
from operators.selectors import team_has_online_operator


class VisitorAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <visitor_token>`; `request.auth` is the `Visitor`."""

    def authenticate(self, request: Request) -> tuple[None, Visitor] | None:
        token = bearer_token(request)
        if token is None:
            raise exceptions.NotAuthenticated()
        visitor = visitors.visitor_authenticate(token=token)
        if visitor is None:
            raise exceptions.AuthenticationFailed(_("The visitor token is invalid."))
        return None, visitor

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class VisitorTokenScheme(OpenApiAuthenticationExtension):
    target_class = "chats.api.widget.VisitorAuthentication"
    name = "visitorToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "visitor_token"}


class HasVisitor(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, Visitor)


def check_origin(request: Request, inbox: Inbox) -> None:
    if not inboxes.inbox_allows_origin(inbox=inbox, origin=request.headers.get("Origin")):
        raise ApiError("origin_not_allowed", _("This site may not use this inbox's widget."), 403)


class VisitorView(APIView):
    authentication_classes = [VisitorAuthentication]
    permission_classes = [HasVisitor]
    throttle_classes = [WidgetIpThrottle, VisitorMessageThrottle]

    @property
    def visitor(self) -> Visitor:
        auth = self.request.auth
        assert isinstance(auth, Visitor)
        return auth

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        check_origin(request, self.visitor.inbox)


# --- sessions ---------------------------------------------------------------------------------


class PageSerializer(StrictInput):
    url = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class IdentitySerializer(StrictInput):
    external_id = serializers.CharField(max_length=200)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    hash = serializers.RegexField(r"^[0-9a-fA-F]{64}\Z")


class SessionRequestSerializer(StrictInput):
    inbox_key = serializers.CharField(max_length=64)
    visitor_token = serializers.CharField(
        max_length=200, required=False, allow_null=True, allow_blank=True, default=None
    )
    locale = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    page = PageSerializer(required=False, allow_null=True, default=None)
    identity = IdentitySerializer(required=False, allow_null=True, default=None)


class WidgetInboxSerializer(serializers.Serializer):
    name = serializers.CharField()
    greeting = serializers.CharField()
    online = serializers.BooleanField()
    locale = serializers.CharField()
    # Extensions: the inbox's widget settings (`Inbox.settings`), see inbox_widget_settings.
    color = serializers.CharField(
        allow_null=True, required=False, help_text="the widget's accent colour, #rrggbb"
    )
    prechat_fields = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text='the pre-chat form\'s fields in order, of "name", "email", "phone"; [] for none',
    )
    prechat_required = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="the pre-chat fields that must be filled",
    )
    open = serializers.BooleanField(
        required=False, help_text="whether the inbox is within its business hours now"
    )
    next_open_at = serializers.DateTimeField(
        allow_null=True,
        required=False,
        help_text="when the team is back (UTC) while closed; null while open, or if it never opens",
    )


class SessionSerializer(serializers.Serializer):
    visitor_token = serializers.CharField()
    inbox = WidgetInboxSerializer()
    conversation = VisitorConversationSerializer(allow_null=True)


class SessionView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [WidgetSessionThrottle]

    @extend_schema(
        request=SessionRequestSerializer,
        # 401: identity_invalid; 403: origin_not_allowed; 404: inbox_not_found
        responses={
            201: SessionSerializer,
            200: SessionSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = SessionRequestSerializer(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        inbox = Inbox.objects.filter(inbox_key=data["inbox_key"]).first()
        if inbox is None:
            raise ApiError("inbox_not_found", _("No inbox has this key."), 404)
        check_origin(request, inbox)
        identity = data["identity"]
        session = visitors.visitor_session_start(
            inbox=inbox,
            visitor_token=data["visitor_token"],
            locale=data["locale"] or request.LANGUAGE_CODE,
            page=data["page"] or {},
            identity=visitors.Identity(**identity) if identity else None,
        )
        # a new visitor is a new contact, with no conversation yet to look up
        conversation = (
            None
            if session.created
            else selectors.visitor_current_conversation(visitor=session.visitor)
        )
        hours = open_state(inbox, timezone.now())
        body = {
            "visitor_token": session.token,
            "inbox": {
                "name": inbox.name,
                "greeting": inbox.greeting,
                # Closed: nobody answers before opening time, whoever is signed in.
                "online": hours.open and team_has_online_operator(team=inbox.team_id),
                "open": hours.open,
                "next_open_at": iso_or_none(hours.next_open_at),
                "locale": session.visitor.locale or request.LANGUAGE_CODE,
                **selectors.inbox_widget_settings(inbox=inbox),
            },
            "conversation": visitor_conversation_data(conversation) if conversation else None,
        }
        return Response(
            body, status=status.HTTP_201_CREATED if session.created else status.HTTP_200_OK
        )


# --- messages ---------------------------------------------------------------------------------


class WidgetMessageSerializer(StrictInput):
    body_required = True  # every field is optional, but a body (text or files) is not

    body = MessageBodyField(required=False, default=None)
    client_id = ClientIdField(required=False, allow_null=True, default=None)
    attachments = AttachmentIdsField(required=False, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return require_body_or_files(attrs)


class WidgetMessageSchema(OpenApiSerializerExtension):
    target_class = WidgetMessageSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return body_or_files_schema(auto_schema._map_basic_serializer(self.target, direction))


# The highest conversation id the widget's `conversation` parameter takes.
MAX_CONVERSATION_ID = 2**62


class WidgetMessagesView(VisitorView):
    pagination_class = SeqPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "conversation",
                {"type": "integer", "minimum": 0, "maximum": MAX_CONVERSATION_ID},
                description="one of the visitor's conversations; default (or 0): the latest",
            ),
        ],
        responses={200: MessageSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        visitor = self.visitor
        conversation_id = int_param(
            request, "conversation", default=0, minimum=0, maximum=MAX_CONVERSATION_ID
        )
        conversation: Conversation | None
        if conversation_id:
            conversation = visitors.visitor_may_use(
                visitor=visitor, conversation_id=conversation_id
            )
        else:
            conversation = selectors.visitor_current_conversation(visitor=visitor)
        paginator = self.pagination_class()
        rows = paginator.paginate_messages(
            request,
            lambda after_seq, limit: (
                selectors.message_list_after(
                    conversation_id=conversation.pk,
                    after_seq=after_seq,
                    include_private=False,
                    limit=limit,
                )
                if conversation is not None
                else []
            ),
        )
        return paginator.get_paginated_response(MessageSerializer(rows, many=True).data)

    @extend_schema(
        request=WidgetMessageSerializer,
        # 404 attachment_not_found: not the visitor's upload; 409 attachment_in_use
        responses={
            201: MessageSerializer,
            200: MessageSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = WidgetMessageSerializer(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        message, created = messages.visitor_message_send(
            visitor=self.visitor,
            body=serializer.validated_data["body"],
            client_id=serializer.validated_data["client_id"],
            attachment_ids=serializer.validated_data["attachments"],
        )
        return Response(message_data(message), status=201 if created else 200)


class CsatRequestSerializer(StrictInput):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class CsatSerializer(serializers.Serializer):
    conversation = serializers.IntegerField(source="conversation_id")
    rating = serializers.IntegerField()
    comment = serializers.CharField()


class CsatView(VisitorView):
    @extend_schema(
        request=CsatRequestSerializer,
        # 409: no conversation to rate yet (no_conversation), or not resolved (not_resolved)
        responses={201: CsatSerializer, 200: CsatSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = CsatRequestSerializer(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        response, created = feedback.csat_submit(visitor=self.visitor, **serializer.validated_data)
        return Response(CsatSerializer(response).data, status=201 if created else 200)


# --- the visitor's contact details (extension) -------------------------------------------------

# At least five digits, with the usual separators, and an optional leading "+".
PHONE_PATTERN = r"^\+?(?:[ ()\-.]*[0-9]){5,}[ ()\-.]*\Z"


class VisitorContactSerializer(StrictInput):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.RegexField(PHONE_PATTERN, max_length=30, required=False, allow_blank=True)


class WidgetContactView(VisitorView):
    """`/api/widget/v1/contact`: the visitor's own name, email and phone (the pre-chat form, the
    email to be answered at while nobody is online, `HelpdeskWidget.identify`)."""

    @extend_schema(responses=VisitorContactSerializer)
    def get(self, request: Request) -> Response:
        return Response(VisitorContactSerializer(self.visitor.contact).data)

    @extend_schema(request=VisitorContactSerializer, responses=VisitorContactSerializer)
    def patch(self, request: Request) -> Response:
        serializer = VisitorContactSerializer(data=strict_data(request), partial=True)
        serializer.is_valid(raise_exception=True)
        contact = contacts.visitor_contact_update(
            visitor=self.visitor, changes=dict(serializer.validated_data)
        )
        return Response(VisitorContactSerializer(contact).data)
