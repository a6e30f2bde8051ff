from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from helpdesk.health import healthz
from helpdesk.schema_view import SchemaView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/schema/", SchemaView.as_view(), name="schema"),
    path("api/v1/", include("operators.api.urls")),
    path("api/v1/", include("chats.api.urls")),
    path("api/v1/", include("reports.api.urls")),
    path("api/widget/v1/", include("chats.api.widget_urls")),
    path("api/channel/v1/", include("chats.api.channel_urls")),
    path("channels/", include("chats.connectors.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the front page's switch
    path("", include("operators.urls")),
    path("", include("reports.urls")),
    path("", include("chats.urls")),
]
