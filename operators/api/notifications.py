"""An operator's own notifications (`/api/v1/notifications`): @mentions in private notes,
hand transfers, key accounts routed elsewhere, conversations reassigned for want of an answer
(`operators.notifications`). They also arrive live on the console socket as `notification`
frames."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from chats.api.pagination import page_by_keys
from helpdesk.api_errors import ApiError
from operators import notifications, selectors
from operators.api.views import OperatorApiView, strict_data
from operators.serializers import NotificationSerializer, notification_data


class NotificationPage(serializers.Serializer):
    results = NotificationSerializer(many=True)
    next = serializers.URLField(allow_null=True)


class NotificationListView(OperatorApiView):
    @extend_schema(
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("cursor", str)],
        responses=NotificationPage,
        operation_id="v1_notifications_list",
    )
    def get(self, request: Request) -> Response:
        """The caller's notifications, newest first."""
        queryset = selectors.notification_list(operator=self.operator)
        rows, next_url = page_by_keys(request, queryset, keys=("-id",), default_limit=50)
        return Response({"results": [notification_data(row) for row in rows], "next": next_url})


class NotificationReadView(OperatorApiView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, notification_id: int) -> Response:
        """Mark it read (again: no change). Another operator's notification answers 404.
        A body is optional; if sent, it must be a JSON object (its fields are ignored)."""
        strict_data(request)
        notification = selectors.notification_get(
            operator=self.operator, notification_id=notification_id
        )
        if notification is None:
            raise ApiError("not_found", _("Notification not found."), 404)
        notification = notifications.notification_mark_read(notification=notification)
        return Response(notification_data(notification))
