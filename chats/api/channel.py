"""`/api/channel/v1/`: the API channel's endpoints, for an external system holding an API
inbox's token (contract section 4, "The API channel"). Everything is scoped to that inbox: a
conversation of another inbox answers 404, as a missing one does."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema
from rest_framework import authentication, exceptions, serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chats import selectors
from chats.api.pagination import SeqPagination
from chats.connectors.api_channel import services
from chats.connectors.api_channel.setup import api_inbox_authenticate
from chats.models import Contact, Inbox
from chats.serializers import (
    ClientIdField,
    ConversationSerializer,
    MessageBodyField,
    MessageSerializer,
    conversation_data,
    iso_or_none,
    message_data,
)
from helpdesk.openapi import ErrorSerializer
from helpdesk.strict_input import StrictInput
from helpdesk.throttles import ApiInboxThrottle
from operators.api.views import strict_data
from operators.authentication import bearer_token


class InboxTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <inbox_token>`; `request.auth` is the API inbox."""

    def authenticate(self, request: Request) -> tuple[None, Inbox] | None:
        token = bearer_token(request)
        if token is None:
            raise exceptions.NotAuthenticated()
        inbox = api_inbox_authenticate(token=token)
        if inbox is None:
            raise exceptions.AuthenticationFailed(_("The inbox token is invalid."))
        return None, inbox

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class InboxTokenScheme(OpenApiAuthenticationExtension):
    target_class = "chats.api.channel.InboxTokenAuthentication"
    name = "inboxToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "an API inbox's inbox_token"}


class HasInbox(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, Inbox)


class ChannelView(APIView):
    authentication_classes = [InboxTokenAuthentication]
    permission_classes = [HasInbox]
    throttle_classes = [ApiInboxThrottle]

    @property
    def inbox(self) -> Inbox:
        auth = self.request.auth
        assert isinstance(auth, Inbox)
        return auth


class ChannelContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


def contact_data(contact: Contact, external_id: str) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "external_id": external_id,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "created_at": iso_or_none(contact.created_at),
    }


class ChannelContactInput(StrictInput):
    external_id = serializers.CharField(max_length=200, help_text="the external system's id")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)


class ContactsView(ChannelView):
    @extend_schema(
        request=ChannelContactInput,
        responses={201: ChannelContactSerializer, 200: ChannelContactSerializer},
    )
    def post(self, request: Request) -> Response:
        """A contact by the external system's id: 201 when new, 200 when known (the fields
        sent replace the contact's)."""
        serializer = ChannelContactInput(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        external_id = fields.pop("external_id")
        contact, created = services.api_contact_upsert(
            inbox=self.inbox, external_id=external_id, fields=fields
        )
        return Response(contact_data(contact, external_id), status=201 if created else 200)


class ChannelConversationInput(StrictInput):
    contact = serializers.CharField(max_length=200, help_text="the contact's external_id")


class ConversationsView(ChannelView):
    @extend_schema(
        request=ChannelConversationInput,
        # 404 contact_not_found: no contact with that external_id in this inbox
        responses={201: ConversationSerializer, 404: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ChannelConversationInput(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        conversation = services.api_conversation_open(
            inbox=self.inbox, external_id=serializer.validated_data["contact"]
        )
        found = selectors.conversation_base_public().get(pk=conversation.pk)
        return Response(conversation_data(found), status=201)


class ConversationView(ChannelView):
    @extend_schema(responses={200: ConversationSerializer, 404: ErrorSerializer})
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = services.api_conversation(inbox=self.inbox, conversation_id=conversation_id)
        found = selectors.conversation_base_public().get(pk=conversation.pk)
        return Response(conversation_data(found))


class ChannelMessageInput(StrictInput):
    body = MessageBodyField()
    client_id = ClientIdField(required=False, allow_null=True, default=None)


class ChannelMessageSchema(OpenApiSerializerExtension):
    target_class = ChannelMessageInput

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_basic_serializer(self.target, direction)
        schema["properties"]["body"] = {
            "type": "string",
            "minLength": 1,
            "maxLength": 10_000,
            "description": "plain text, 1 to 10,000 characters, not only whitespace",
        }
        return schema


class ConversationMessagesView(ChannelView):
    pagination_class = SeqPagination

    @extend_schema(responses={200: MessageSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: Request, conversation_id: int) -> Response:
        """The conversation's messages after `after_seq`, never private notes."""
        conversation = services.api_conversation(inbox=self.inbox, conversation_id=conversation_id)
        return self.pagination_class().messages_response(
            request, conversation_id=conversation.pk, include_private=False
        )

    @extend_schema(
        request=ChannelMessageInput,
        responses={201: MessageSerializer, 200: MessageSerializer, 404: ErrorSerializer},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        """The contact's message: 201, or 200 with the first message for a repeated
        `client_id`."""
        serializer = ChannelMessageInput(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        message, created = services.api_message_send(
            inbox=self.inbox,
            conversation_id=conversation_id,
            body=serializer.validated_data["body"],
            client_id=serializer.validated_data["client_id"],
        )
        return Response(message_data(message), status=201 if created else 200)
