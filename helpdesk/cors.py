"""CORS for the widget API, which sites of other origins call from the browser.

Preflights are answered for any origin; the real request is then checked against the inbox's
`allowed_origins` by the view. No cookies are involved (the visitor token is a header).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

WIDGET_PREFIX = "/api/widget/"


class WidgetCorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(WIDGET_PREFIX):
            return self.get_response(request)
        origin = request.headers.get("Origin")
        if request.method == "OPTIONS" and origin:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, POST, PATCH, OPTIONS"
            response["Access-Control-Allow-Headers"] = (
                "Authorization, Content-Type, Accept-Language"
            )
            response["Access-Control-Max-Age"] = "600"
        else:
            response = self.get_response(request)
        if origin:
            response["Access-Control-Allow-Origin"] = origin
            response["Vary"] = "Origin"
        return response
