from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from helpdesk.api_errors import error_json


def lockout_response(
    request: HttpRequest, original_response: Any, credentials: Any
) -> HttpResponse:
    """django-axes' answer to a locked-out login, in the API's error format."""
    return error_json(
        "locked_out",
        _("Too many failed logins. Try again in 15 minutes."),
        429,
    )
