"""Request guards for the API paths: JSON (never an HTML page) for every error, whatever raised
it, and the 1 MiB body limit again for requests that do not come through `helpdesk.asgi` (the
test client). Served by uvicorn, a body over the limit never gets this far: `BodySizeLimit`
(helpdesk/body_limit.py) refuses it before Django's handler reads it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from helpdesk.api_errors import error_json

logger = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/channels/")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def _generic_error(status: int) -> tuple[str, str]:
    known = {
        400: ("bad_request", _("The request is not valid.")),
        403: ("forbidden", _("You are not allowed to do this.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        413: ("too_large", _("The request body is larger than 1 MiB.")),
    }
    return known.get(status, ("server_error", _("Something went wrong on our side. Please retry.")))


class ApiGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request.path):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.API_MAX_BODY_BYTES:
            # LocaleMiddleware has not run yet: answer in the request's language ourselves.
            with translation.override(translation.get_language_from_request(request)):
                return error_json("too_large", _("The request body is larger than 1 MiB."), 413)
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400 and not content_type.startswith("application/json"):
            code, message = _generic_error(response.status_code)
            status = (
                response.status_code if response.status_code in (400, 403, 404, 405, 413) else 500
            )
            return error_json(code, message, status)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        logger.exception("unhandled error on %s", request.path)
        code, message = _generic_error(500)
        return error_json(code, message, 500)
