"""The operator's pages: the login page, logout and the console (the Preact app in
`frontend/src/console/`, built into `static/console/`).

The login goes through `django.contrib.auth.authenticate` with the request (Django's
`AuthenticationForm`), so django-axes counts failures and locks out exactly as on the token
endpoint. The console page carries its bootstrap data as a JSON data block, never inline script
(the Content-Security-Policy allows scripts from 'self' only).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from chats.models import Priority
from operators import services
from operators.models import Operator, Team
from operators.selectors import operator_colleagues

Response = TypeVar("Response", bound=HttpResponse)

CONSOLE_DIR = Path(settings.BASE_DIR) / "static" / "console"


@functools.lru_cache(maxsize=4)
def _file_digest(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_version(path: Path = CONSOLE_DIR / "console.js") -> str:
    """A digest of a bundle (the console's unless told), appended to its URLs: a browser never
    runs a cached script against a newer page, and every server process names the same bytes
    alike."""
    try:
        stat = path.stat()
        return _file_digest(path, stat.st_mtime_ns, stat.st_size)
    except OSError:
        return "0"


class ConsoleLoginView(LoginView):
    template_name = "login.html"
    redirect_authenticated_user = True
    # Django's form views take PUT as a POST; the login form is only shown and posted.
    http_method_names = ["get", "post", "head", "options"]

    def get_default_redirect_url(self) -> str:
        return reverse("console")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "asset_version": asset_version()}


def closing_session_sockets(request: HttpRequest, logout: Callable[[], Response]) -> Response:
    """Runs a logout view; if it ended the login session, the console sockets opened with that
    session's cookie close (4401), as those of a revoked token do."""
    operator_id = request.user.pk if request.user.is_authenticated else None
    session_key = request.session.session_key
    response = logout()
    if operator_id is not None and session_key and request.session.session_key != session_key:
        services.session_sockets_revoke(operator_id=operator_id, session_key=session_key)
    return response


class ConsoleLogoutView(LogoutView):
    """POST only (Django's LogoutView refuses GET), then back to the login page."""

    def get_default_redirect_url(self) -> str:
        return reverse("login")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        logout = super().post
        return closing_session_sockets(request, lambda: logout(request, *args, **kwargs))


def _operator_data(operator: Operator) -> dict[str, Any]:
    return {
        "id": operator.pk,
        "username": operator.username,
        "name": operator.display_name,
        "role": operator.role,
        "status": operator.status,
        "teams": sorted(team.pk for team in operator.teams.all()),
    }


def console_config(request: HttpRequest, operator: Operator) -> dict[str, Any]:
    """What the console needs before its first API call: who is signed in, their colleagues
    (for @mentions and hand-offs: agents may not list operators over the API), the teams."""
    return {
        "me": _operator_data(operator),
        "operators": [
            _operator_data(colleague) for colleague in operator_colleagues(operator=operator)
        ],
        "teams": [{"id": team.pk, "name": team.name} for team in Team.objects.order_by("name")],
        "priorities": list(Priority.values),
        "currency": settings.CURRENCY,
        "csrf_token": get_token(request),
        "urls": {
            "api": "/api/v1/",
            "socket": "/ws/console/v1/",
            "logout": reverse("logout"),
            "admin": reverse("admin:index") if operator.is_staff else None,
            "reports": reverse("reports") if operator.sees_everything else None,
        },
    }


@require_GET
@never_cache
@ensure_csrf_cookie
@login_required(login_url=reverse_lazy("login"))
def console(request: HttpRequest) -> HttpResponse:
    operator = request.user
    assert isinstance(operator, Operator)
    context = {"config": console_config(request, operator), "asset_version": asset_version()}
    return render(request, "console.html", context)
