from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from helpdesk.api_errors import error_json


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a locked-out login: the API's error format on API paths, the
    login page with the reason on the console's login page."""
    message = _("Too many failed logins. Try again in 15 minutes.")
    if not request.path.startswith("/api/"):
        return render(request, "login.html", {"locked_out": message}, status=429)
    return error_json("locked_out", message, 429)
