"""DRF throttles on top of `helpdesk.ratelimit` buckets."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from helpdesk import ratelimit


def client_ip(request: Any) -> str:
    """The client's address as the per-address limits and the login lockout count it."""
    return ratelimit.address_subject(request.META.get("REMOTE_ADDR"))


class _BucketThrottle(BaseThrottle):
    def limit(self) -> ratelimit.Limit:
        raise NotImplementedError

    def subject(self, request: Request, view: Any) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        subject = self.subject(request, view)
        return subject is None or ratelimit.allow(self.limit(), subject)

    def wait(self) -> float:
        return 1.0


class OperatorApiThrottle(_BucketThrottle):
    """Every operator call: generous, stops runaway scripts."""

    def limit(self) -> ratelimit.Limit:
        return ratelimit.api_limit()

    def subject(self, request: Request, view: Any) -> str | None:
        user = request.user
        return f"op{user.pk}" if user is not None and user.pk else f"ip{client_ip(request)}"


class OperatorMessageThrottle(_BucketThrottle):
    def limit(self) -> ratelimit.Limit:
        return ratelimit.message_limit()

    def subject(self, request: Request, view: Any) -> str | None:
        if request.method != "POST":
            return None
        user = request.user
        return f"op{user.pk}" if user is not None and user.pk else None


class WidgetIpThrottle(_BucketThrottle):
    """Per address, every widget call (many visitors may share one address: generous)."""

    def limit(self) -> ratelimit.Limit:
        return ratelimit.Limit("widget-ip", 600, 50.0)

    def subject(self, request: Request, view: Any) -> str | None:
        return f"ip{client_ip(request)}"


class WidgetSessionThrottle(_BucketThrottle):
    def limit(self) -> ratelimit.Limit:
        return ratelimit.session_limit()

    def subject(self, request: Request, view: Any) -> str | None:
        return f"ip{client_ip(request)}"


class VisitorMessageThrottle(_BucketThrottle):
    def limit(self) -> ratelimit.Limit:
        return ratelimit.message_limit()

    def subject(self, request: Request, view: Any) -> str | None:
        visitor: Any = request.auth
        if request.method != "POST" or visitor is None:
            return None
        return f"c{visitor.contact_id}"


class ApiInboxThrottle(_BucketThrottle):
    """Per API inbox (`request.auth`): an integration's pace, well above a person's."""

    def limit(self) -> ratelimit.Limit:
        return ratelimit.Limit("api-inbox", 600, 50.0)

    def subject(self, request: Request, view: Any) -> str | None:
        inbox: Any = request.auth
        return None if inbox is None else f"in{inbox.pk}"
