"""Actions on one message of a conversation the operator may see:
`POST .../messages/{message_id}/hide` deletes a contact's group message in Telegram and marks it
hidden (contract section 4); `POST .../messages/{message_id}/retry` sends a reply that failed
to leave through its channel again (extension). Both answer the changed message."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from chats.models import Message, TelegramChatKind
from chats.serializers import MessageSerializer, message_data
from chats.services import conversations
from chats.services.message_changes import message_delivery_retry, message_hide
from helpdesk.errors import Conflict, NotFound
from helpdesk.openapi import ErrorSerializer
from operators.api.views import OperatorApiView


class MessageActionView(OperatorApiView):
    def message(self, conversation_id: int, message_id: int) -> Message:
        conversation = conversations.operator_may_use(
            operator=self.operator, conversation_id=conversation_id
        )
        found = (
            Message.objects.select_related("author_operator", "author_contact", "conversation")
            .filter(pk=message_id, conversation=conversation)
            .first()
        )
        if found is None:
            raise NotFound("not_found", _("Message not found."))
        return found


class MessageHideView(MessageActionView):
    @extend_schema(
        request=None,
        # 400 not_hideable: not a contact's message in a Telegram group; 409 already_hidden
        responses={
            200: MessageSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, conversation_id: int, message_id: int) -> Response:
        message = self.message(conversation_id, message_id)
        chat = message.conversation.telegram_chat
        if chat is None or chat.kind != TelegramChatKind.GROUP:
            raise Conflict(
                "not_hideable", _("Only a message posted in a Telegram group can be hidden.")
            )
        return Response(message_data(message_hide(message=message, actor=self.operator)))


class MessageRetryView(MessageActionView):
    @extend_schema(
        request=None,
        # 409 not_failed: the reply did not fail (it is pending, sent, or never left)
        responses={200: MessageSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, conversation_id: int, message_id: int) -> Response:
        message = self.message(conversation_id, message_id)
        return Response(message_data(message_delivery_retry(message=message)))
