"""The view serving the OpenAPI document (apart from `helpdesk.openapi`, which drf-spectacular's
views module imports through the `DEFAULT_SCHEMA_CLASS` setting)."""

from __future__ import annotations

from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework import permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    """`GET /api/v1/schema/`: the document as JSON (the default; `application/json` too) or as
    YAML (`Accept: application/vnd.oai.openapi`), public.

    Its errors are the API's errors, as `application/json`: drf-spectacular's view knows only the
    document's media types, so it rendered an error in one of them (and refused a client that
    accepts `application/json`, the media type of everything else here, with 406)."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiJsonRenderer2, OpenApiYamlRenderer]
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
