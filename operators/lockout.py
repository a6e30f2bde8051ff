"""Answers to too many sign-in attempts: django-axes' lockout of a (username, address) pair, and
the per-address rate limit of every sign-in form and endpoint, whatever the username.

Both answer 429: in the API's error format on API paths, and as the login page with the reason
elsewhere (the console's and Django admin's login forms)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from helpdesk import ratelimit
from helpdesk.api_errors import error_body
from helpdesk.middleware import is_api_path
from helpdesk.throttles import client_ip

# The views that check a password: the token endpoint (POST), the console's login page and
# Django admin's. Named, so that moving a URL keeps them limited.
SIGN_IN_VIEWS = frozenset({"auth-token", "login", "admin:login"})


def lockout_address(request: Any) -> str | None:
    """The address django-axes counts failures by (`AXES_CLIENT_IP_CALLABLE`): as the rate
    limits count it, an IPv6 client by its /64; None when the request names no IP address
    (axes stores an IP address or nothing)."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _refusal(request: HttpRequest, code: str, message: str, **extra: Any) -> HttpResponse:
    if is_api_path(request.path):
        return JsonResponse(error_body(code, message, **extra), status=429)
    return render(request, "login.html", {"locked_out": message}, status=429)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a locked-out login (`AXES_LOCKOUT_CALLABLE`)."""
    return _refusal(request, "locked_out", _("Too many failed logins. Try again in 15 minutes."))


def rate_limited_response(request: HttpRequest, seconds: int) -> HttpResponse:
    message = _(
        "Too many sign-in attempts from your network. Try again in %(seconds)s seconds."
    ) % {"seconds": seconds}
    response = _refusal(request, "rate_limited", message, retry_after=seconds)
    response["Retry-After"] = str(seconds)
    return response


class LoginRateLimitMiddleware:
    """Per client address, every attempt to sign in takes a token of `ratelimit.login_limit()`
    before the password is hashed; with none left the view does not run (no hash, no
    django-axes failure counted) and the answer is 429 with `Retry-After`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in SIGN_IN_VIEWS:
            return None
        limit = ratelimit.login_limit()
        if ratelimit.allow(limit, f"ip{client_ip(request)}"):
            return None
        return rate_limited_response(request, ratelimit.retry_after(limit))
