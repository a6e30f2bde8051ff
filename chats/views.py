from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_safe

WIDGET_DIR = Path(settings.BASE_DIR) / "static" / "widget" / "v1"
WIDGET_ASSETS = {"loader.js", "widget.js"}


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_GET
def widget_asset(request: HttpRequest, name: str) -> FileResponse:
    """The embeddable widget's scripts at their public address (`/widget/v1/loader.js`)."""
    if name not in WIDGET_ASSETS or not (WIDGET_DIR / name).is_file():
        raise Http404(name)
    response = FileResponse((WIDGET_DIR / name).open("rb"), content_type="text/javascript")
    response["Cache-Control"] = "public, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def widget_demo(request: HttpRequest) -> HttpResponse:
    """A page that embeds the widget, for trying it out (`?inbox_key=...`)."""
    return render(request, "widget_demo.html", {"inbox_key": request.GET.get("inbox_key", "")})
