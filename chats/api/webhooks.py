"""`/api/v1/webhooks`: outbound webhooks and their delivery log (contract section 4,
"Outbound webhooks"), for admins only."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from chats.api.pagination import KeysetPagination, ListPagination
from chats.connectors.webhooks import registration
from chats.models import DeliveryState, Webhook, WebhookAttempt, WebhookDelivery, WebhookEventName
from chats.serializers import iso_or_none
from helpdesk.errors import NotFound, ServiceError
from helpdesk.openapi import ErrorSerializer
from helpdesk.strict_input import StrictInput
from operators.api.views import IsAdmin, OperatorApiView, strict_data

TRIES_SHOWN = 5


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.ChoiceField(WebhookEventName.choices))
    secret = serializers.CharField(
        allow_null=True,
        help_text="signs every delivery: X-Helpdesk-Signature is sha256=<hex HMAC-SHA256 of "
        "the raw body with it>; null for an API inbox's (shown once, when the inbox was made)",
    )
    include_private = serializers.BooleanField(help_text="private notes are delivered too")
    inbox = serializers.IntegerField(
        allow_null=True,
        help_text="an API inbox's own webhook (changed with its inbox); null: an admin's",
    )
    failing = serializers.BooleanField(help_text="its last delivery attempt failed")
    created_at = serializers.DateTimeField()


def webhook_data(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.pk,
        "url": webhook.url,
        "events": webhook.events,
        "secret": webhook.secret if webhook.inbox_id is None else None,
        "include_private": webhook.include_private,
        "inbox": webhook.inbox_id,
        "failing": webhook.failures_in_row > 0,
        "created_at": iso_or_none(webhook.created_at),
    }


class WebhookInput(StrictInput):
    closed = True

    url = serializers.URLField(max_length=500, help_text="http(s); never a private address")
    events = serializers.ListField(
        child=serializers.ChoiceField(WebhookEventName.choices), min_length=1, max_length=20
    )
    include_private = serializers.BooleanField(default=False)


class AttemptSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    response_code = serializers.IntegerField(allow_null=True, help_text="null: no answer")
    error = serializers.CharField(allow_blank=True)
    duration_ms = serializers.IntegerField()


class DeliverySerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="the X-Helpdesk-Delivery header, the same on retries")
    event = serializers.ChoiceField(WebhookEventName.choices)
    conversation = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(DeliveryState.choices)
    attempts = serializers.IntegerField()
    response_code = serializers.IntegerField(allow_null=True, help_text="the last answer's")
    error = serializers.CharField(allow_blank=True, help_text="why the last attempt failed")
    created_at = serializers.DateTimeField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="the next try of a pending delivery; else null"
    )
    delivered_at = serializers.DateTimeField(allow_null=True)
    tries = AttemptSerializer(many=True, help_text="the latest attempts, newest first")


class DeliveryDetailSerializer(DeliverySerializer):
    body = serializers.CharField(help_text="the JSON posted, exactly")


def delivery_data(delivery: WebhookDelivery, *, with_body: bool = False) -> dict[str, Any]:
    pending = delivery.state == DeliveryState.PENDING
    data = {
        "id": str(delivery.uid),
        "event": delivery.event,
        "conversation": delivery.conversation_id,
        "status": delivery.state,
        "attempts": delivery.attempts,
        "response_code": delivery.response_code,
        "error": delivery.error,
        "created_at": iso_or_none(delivery.created_at),
        "last_attempt_at": iso_or_none(delivery.last_attempt_at),
        "next_attempt_at": iso_or_none(delivery.next_attempt_at) if pending else None,
        "delivered_at": iso_or_none(delivery.delivered_at),
        "tries": [
            {
                "at": iso_or_none(attempt.at),
                "response_code": attempt.response_code,
                "error": attempt.error,
                "duration_ms": attempt.duration_ms,
            }
            for attempt in list(delivery.tries.all())[:TRIES_SHOWN]
        ],
    }
    if with_body:
        data["body"] = delivery.body
    return data


def _webhook(webhook_id: int) -> Webhook:
    webhook = Webhook.objects.filter(pk=webhook_id).first()
    if webhook is None:
        raise NotFound("not_found", _("Webhook not found."))
    return webhook


def _deliveries(webhook: Webhook) -> Any:
    return WebhookDelivery.objects.filter(webhook=webhook).prefetch_related(
        Prefetch("tries", queryset=WebhookAttempt.objects.order_by("-at", "-id"))
    )


def _delivery(webhook_id: int, delivery_id: str) -> WebhookDelivery:
    delivery = _deliveries(_webhook(webhook_id)).filter(uid=delivery_id).first()
    if delivery is None:
        raise NotFound("not_found", _("Delivery not found."))
    return delivery


class AdminApiView(OperatorApiView):
    permission_classes = [IsAdmin]


class WebhookListView(AdminApiView):
    pagination_class = ListPagination

    @extend_schema(responses={200: WebhookSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(Webhook.objects.order_by("id"), request, view=self)
        return paginator.get_paginated_response([webhook_data(webhook) for webhook in rows])

    @extend_schema(
        request=WebhookInput,
        # 400 webhook_url_not_allowed: a private, loopback, link-local or multicast target
        responses={201: WebhookSerializer, 400: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = WebhookInput(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        webhook = registration.webhook_create(actor=self.operator, **serializer.validated_data)
        return Response(webhook_data(webhook), status=201)


class WebhookDetailView(AdminApiView):
    @extend_schema(responses={200: WebhookSerializer, 404: ErrorSerializer})
    def get(self, request: Request, webhook_id: int) -> Response:
        return Response(webhook_data(_webhook(webhook_id)))

    @extend_schema(
        request=WebhookInput(partial=True),
        # 409 api_inbox_webhook: an API inbox's webhook changes with its inbox
        responses={
            200: WebhookSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def patch(self, request: Request, webhook_id: int) -> Response:
        webhook = _webhook(webhook_id)
        serializer = WebhookInput(data=strict_data(request), partial=True)
        serializer.is_valid(raise_exception=True)
        changed = registration.webhook_update(
            webhook=webhook, changes=dict(serializer.validated_data)
        )
        return Response(webhook_data(changed))

    @extend_schema(responses={204: None, 404: ErrorSerializer, 409: ErrorSerializer})
    def delete(self, request: Request, webhook_id: int) -> Response:
        registration.webhook_delete(webhook=_webhook(webhook_id))
        return Response(status=204)


class WebhookSecretView(AdminApiView):
    @extend_schema(request=None, responses={200: WebhookSerializer, 404: ErrorSerializer})
    def post(self, request: Request, webhook_id: int) -> Response:
        """A new signing secret; the old one signs nothing from now on."""
        webhook = registration.webhook_secret_rotate(webhook=_webhook(webhook_id))
        return Response(webhook_data(webhook))


class DeliveryPagination(KeysetPagination):
    keys = ("-id",)


class DeliveryListView(AdminApiView):
    pagination_class = DeliveryPagination

    @extend_schema(
        parameters=[OpenApiParameter("status", {"type": "string", "enum": DeliveryState.values})],
        responses={200: DeliverySerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, webhook_id: int) -> Response:
        rows = _deliveries(_webhook(webhook_id))
        status = request.query_params.get("status")
        if status is not None:
            if status not in DeliveryState.values:
                raise ServiceError("invalid_status", _("Unknown status."))
            rows = rows.filter(state=status)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([delivery_data(row) for row in page])


class DeliveryDetailView(AdminApiView):
    @extend_schema(responses={200: DeliveryDetailSerializer, 404: ErrorSerializer})
    def get(self, request: Request, webhook_id: int, delivery_id: str) -> Response:
        return Response(delivery_data(_delivery(webhook_id, delivery_id), with_body=True))


class DeliveryResendView(AdminApiView):
    @extend_schema(
        request=None,
        # 409 delivery_in_flight: it is being sent at this moment
        responses={200: DeliverySerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, webhook_id: int, delivery_id: str) -> Response:
        """Send it again, with the same delivery id (the "send again" button)."""
        delivery = registration.delivery_resend(delivery=_delivery(webhook_id, delivery_id))
        return Response(delivery_data(_delivery(webhook_id, str(delivery.uid))))
