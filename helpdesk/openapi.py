"""How the OpenAPI document (drf-spectacular, `GET /api/v1/schema/`) says what every operation
shares: the error envelope, and which error statuses an operation can answer.

The statuses follow from what the view is, in one place (`AutoSchema.error_statuses`): a body
can be bad (400), too large (413) or not JSON (415); query parameters can be bad (400); a path
parameter can name nothing the caller may see (404); an authenticated operation answers 401
without credentials and 403 when the role, the CSRF token or the widget's origin forbids it; a
throttled view answers 429. What only the domain knows (409 conflicts, the 401 of a wrong
password) the view declares with `extend_schema(responses={409: ErrorSerializer})`. Every error
response, generic or declared, refers to the one `Error` component.
"""

from __future__ import annotations

from typing import Any

import uritemplate
from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS

from helpdesk.strict_input import NO_NUL_PATTERN, TEXT_PATTERN, ReferenceField

ERROR_CODE_PATTERN = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"

ERROR_DESCRIPTIONS = {
    400: "Bad input (`invalid` with `fields`, `malformed_json`, or a domain code).",
    401: "Not authenticated: credentials missing, wrong or revoked (`not_authenticated`).",
    403: "Not allowed: the role, the CSRF token (session cookie) or the widget's origin.",
    404: "Not found, or not visible to the caller (`not_found` or a domain code).",
    409: "A conflict with the current state (a domain code).",
    413: "The request body is larger than 1 MiB (`too_large`).",
    415: "The request body is not `application/json` (`unsupported_media_type`).",
    429: "Rate limited (`rate_limited`); retry after the `Retry-After` seconds.",
}


def _is_plain_text(field: Any, schema: dict[str, Any]) -> bool:
    """A `CharField` documented as a bare string (no format, pattern or choices of its own)."""
    return (
        type(field) is serializers.CharField
        and schema.get("type") == "string"
        and not {"format", "pattern", "enum", "oneOf", "anyOf"} & set(schema)
    )


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.RegexField(ERROR_CODE_PATTERN, help_text="snake_case, stable")
    message = serializers.CharField(help_text="a sentence for humans, in the request's language")
    # The error's `fields` key (the metaclass takes declared fields off the class: the
    # serializer's own `fields` is not shadowed).
    fields = serializers.DictField(  # type: ignore[assignment]
        required=False,
        help_text="with `invalid`: each field's problems, as DRF reports them",
    )


class ErrorSerializer(serializers.Serializer):
    """Every error answer of the API: `{"error": {"code", "message", ...}}`."""

    error = ErrorDetailSerializer()


class AutoSchema(openapi.AutoSchema):
    def error_statuses(self) -> set[int]:
        statuses: set[int] = set()
        if self.method not in SAFE_METHODS and self.method != "DELETE":
            statuses |= {400, 413, 415}
        if any(parameter["in"] == "query" for parameter in self._get_parameters()):
            statuses.add(400)
        if uritemplate.variables(self.path) or self._names_objects():
            statuses.add(404)
        if any(requirement for requirement in self.get_auth()):
            statuses.add(401)
            if self._restricted() or (self.method not in SAFE_METHODS and self._csrf_checked()):
                statuses.add(403)
        if self.view.get_throttles():
            statuses.add(429)
        return statuses

    def _names_objects(self) -> bool:
        """Whether the body names existing objects by id (`ReferenceField`: 404 if missing)."""
        if self.method in SAFE_METHODS:
            return False
        serializer = force_instance(self.get_request_serializer())
        if not isinstance(serializer, serializers.Serializer):
            return False
        return any(
            isinstance(getattr(field, "child_relation", field), ReferenceField)
            for field in serializer.get_fields().values()
        )

    def _csrf_checked(self) -> bool:
        return any(
            isinstance(authenticator, SessionAuthentication)
            for authenticator in self.view.get_authenticators()
        )

    def _restricted(self) -> bool:
        """Whether a permission beyond "authenticated" guards the view (a role, the visitor)."""
        return any(
            not isinstance(permission, (permissions.IsAuthenticated, permissions.AllowAny))
            for permission in self.view.get_permissions()
        )

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        declared = {int(code) for code in responses if str(code).isdigit() and int(code) >= 400}
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        for status in sorted(declared | self.error_statuses()):
            responses[str(status)] = {
                "description": ERROR_DESCRIPTIONS.get(status, "An error."),
                "content": {"application/json": {"schema": error}},
            }
        return dict(sorted(responses.items()))

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] == "query" and not parameter.get("required"):
                # Every view reads an empty query parameter (`?limit=`) as one not sent (so a
                # required one must have a value).
                parameter["allowEmptyValue"] = True
        return parameters

    def _get_request_for_media_type(self, serializer: Any, direction: Any = "request") -> Any:
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # A body whose fields are each optional but that must name one of them (`oneOf`).
        return schema, required or getattr(force_instance(serializer), "body_required", False)

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "closed", False):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and _is_plain_text(field, schema):
            # DRF refuses a NUL, and trims the text before checking that it is not blank.
            blank_ok = field.allow_blank or not field.trim_whitespace
            schema["pattern"] = NO_NUL_PATTERN if blank_ok else TEXT_PATTERN
        return schema

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        # drf-spectacular documents a blank-allowed constrained string as `oneOf: [value, ""]`:
        # with `oneOf`, a "" that the value's own constraints also allow (a pattern that takes
        # "") is refused, and the field's default lands in the value's branch, where `""` is not
        # an email (an invalid document). Either is fine (`anyOf`); the default is the field's.
        if "oneOf" in schema and {"type": "string", "maxLength": 0} in schema["oneOf"]:
            schema["anyOf"] = schema.pop("oneOf")
            for branch in schema["anyOf"]:
                if "default" in branch:
                    schema["default"] = branch.pop("default")
