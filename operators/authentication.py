from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from operators.models import ApiToken, Operator
from operators.services import token_authenticate


def bearer_token(request: Any) -> str | None:
    header = authentication.get_authorization_header(request).decode("latin-1")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` from `POST /api/v1/auth/token`."""

    def authenticate(self, request: Request) -> tuple[Operator, ApiToken] | None:
        token = bearer_token(request)
        if token is None:
            return None
        found = token_authenticate(token=token)
        if found is None:
            raise exceptions.AuthenticationFailed(_("The token is invalid or was revoked."))
        return found

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "operators.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}
