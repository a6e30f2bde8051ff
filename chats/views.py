from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_safe

from chats import selectors
from operators.views import asset_version

WIDGET_DIR = Path(settings.BASE_DIR) / "static" / "widget" / "v1"
WIDGET_ASSETS = {"loader.js", "widget.js"}


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The front page: what the product is, the way to the console and to the widget demo."""
    return render(request, "home.html", {"asset_version": asset_version()})


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
    """A page that embeds the widget, for trying it out: the inbox of `?inbox_key=...`, or else
    the demo inbox (`selectors.demo_inbox_key`)."""
    inbox_key = request.GET.get("inbox_key") or selectors.demo_inbox_key()
    context = {"inbox_key": inbox_key, "asset_version": asset_version()}
    return render(request, "widget_demo.html", context)
