"""Request guards: on the API paths JSON (never an HTML page) for every error, whatever raised
it, and the 1 MiB body limit again for requests that do not come through `helpdesk.asgi` (the
test client; served by uvicorn, a body over the limit never gets this far: `BodySizeLimit` in
helpdesk/body_limit.py refuses it before Django's handler reads it); on every path a wrong
method answers a JSON 405 with its `Allow` header."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from helpdesk.api_errors import error_json
from helpdesk.body_limit import body_limit, too_large_code, too_large_message

logger = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/channels/")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def _generic_error(status: int) -> tuple[str, str]:
    known = {
        400: ("bad_request", _("The request is not valid.")),
        401: ("not_authenticated", _("Authentication is required.")),
        403: ("forbidden", _("You are not allowed to do this.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        406: ("not_acceptable", _("This API answers JSON only.")),
        413: ("too_large", _("The request body is larger than 1 MiB.")),
        415: ("unsupported_media_type", _("Send the request body as application/json.")),
        429: ("rate_limited", _("Too many requests. Slow down and retry.")),
    }
    if status in known:
        return known[status]
    if 400 <= status < 500:
        return known[400]
    return ("server_error", _("Something went wrong on our side. Please retry."))


# Headers that belong to an error's meaning and survive its rewriting into the error format.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _is_json(response: HttpResponse) -> bool:
    media_type = response.get("Content-Type", "").split(";")[0].strip()
    return media_type == "application/json" or media_type.endswith("+json")


def as_error_format(response: HttpResponse) -> HttpResponse:
    """The same error in the contract's format: its status kept if it is a client error
    (400..499), any other becoming 500; `Allow` and the like kept."""
    status = response.status_code if 400 <= response.status_code < 500 else 500
    code, message = _generic_error(status)
    rewritten = error_json(code, message, status)
    for header in KEPT_HEADERS:
        if header in response:
            rewritten[header] = response[header]
    return rewritten


class ApiGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request.path):
            response = self.get_response(request)
            # Pages, health and schema alike: a wrong method is a JSON 405 naming the right ones.
            if response.status_code == 405 and not _is_json(response):
                return as_error_format(response)
            return response
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(request.path)
        if length > limit:
            # LocaleMiddleware has not run yet: answer in the request's language ourselves.
            with translation.override(translation.get_language_from_request(request)):
                return error_json(
                    too_large_code(request.path), too_large_message(request.path), 413
                )
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            return as_error_format(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        logger.exception("unhandled error on %s", request.path)
        code, message = _generic_error(500)
        return error_json(code, message, 500)
