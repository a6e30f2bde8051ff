"""The supervisors' reports dashboard: the page of the Preact app in `frontend/src/reports/`,
built into `static/reports/`. Its figures come from the reports API (`reports.api`); the page
carries only its bootstrap data, as a JSON data block (the Content-Security-Policy allows
scripts from 'self' only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from operators.models import Operator
from operators.views import asset_version

REPORTS_BUNDLE = Path(settings.BASE_DIR) / "static" / "reports" / "reports.js"


def dashboard_config(request: HttpRequest, operator: Operator) -> dict[str, Any]:
    return {
        "me": {"id": operator.pk, "name": operator.display_name, "role": operator.role},
        "csrf_token": get_token(request),
        "currency": settings.CURRENCY,
        "time_zone": settings.REPORTS_TIME_ZONE,
        "urls": {"api": "/api/v1/", "console": reverse("console"), "logout": reverse("logout")},
    }


@require_GET
@never_cache
@ensure_csrf_cookie
@login_required(login_url=reverse_lazy("login"))
def dashboard(request: HttpRequest) -> HttpResponse:
    operator = request.user
    assert isinstance(operator, Operator)
    context: dict[str, Any] = {"asset_version": asset_version(), "console_url": reverse("console")}
    if not operator.sees_everything:
        return render(request, "reports_forbidden.html", context, status=403)
    context |= {
        "config": dashboard_config(request, operator),
        "reports_version": asset_version(REPORTS_BUNDLE),
    }
    return render(request, "reports.html", context)
