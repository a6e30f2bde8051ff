"""An operator's own notifications (`/api/v1/notifications`): @mentions in private notes,
hand transfers, key accounts routed elsewhere, conversations reassigned for want of an answer
(`operators.notifications`). They also arrive live on the console socket as `notification`
frames."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from chats.api.pagination import KeysetPagination
from helpdesk.api_errors import ApiError
from operators import notifications, selectors
from operators.api.views import OperatorApiView, strict_data
from operators.serializers import NotificationSerializer, notification_data


class NotificationPagination(KeysetPagination):
    keys = ("-id",)
    default_limit = 50
    max_limit = 200


class NotificationListView(OperatorApiView):
    pagination_class = NotificationPagination

    @extend_schema(
        responses=NotificationSerializer(many=True),
        operation_id="v1_notifications_list",
    )
    def get(self, request: Request) -> Response:
        """The caller's notifications, newest first."""
        queryset = selectors.notification_list(operator=self.operator)
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response([notification_data(row) for row in rows])


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
