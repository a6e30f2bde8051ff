"""Request bodies whose JSON types must match the schema.

DRF is lenient on input: it reads 5 as "5", "yes" as true and "7" as 7. An API that promises a
clear error for wrong types must not guess, so every request serializer of the product derives
from `StrictInput`, which refuses a value of the wrong JSON type before DRF converts it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import relations, serializers

from helpdesk.errors import NotFound


def _expected_type(field: serializers.Field) -> str | None:
    """The JSON type a field accepts, or None when any is fine (JSONField, nested objects)."""
    if isinstance(field, serializers.BooleanField):
        return "boolean"
    if isinstance(field, serializers.IntegerField | relations.PrimaryKeyRelatedField):
        return "integer"
    if isinstance(field, serializers.CharField | serializers.ChoiceField):
        return "string"
    if isinstance(field, serializers.ListField | relations.ManyRelatedField):
        return "array"
    return None


def _matches(field: serializers.Field, value: Any) -> bool:
    expected = _expected_type(field)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "string":
        return isinstance(value, str)
    if expected == "array":
        if not isinstance(value, list):
            return False
        child = field.child if isinstance(field, serializers.ListField) else None
        if isinstance(field, relations.ManyRelatedField):
            child = field.child_relation
        return child is None or all(item is None or _matches(child, item) for item in value)
    return True


class StrictInput(serializers.Serializer):
    # True where a body with any other field is refused (400): the document then says
    # `additionalProperties: false`. Elsewhere other fields are ignored.
    closed = False

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data or data[name] is None:
                    continue
                if not _matches(field, data[name]):
                    errors[name] = [
                        _("Wrong type: expected %(type)s.") % {"type": _expected_type(field)}
                    ]
            if self.closed:
                for name in data:
                    if name not in self.fields:
                        errors[str(name)[:60]] = [_("Unknown field.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


# Text with something besides whitespace in it, and no NUL (PostgreSQL refuses it).
TEXT_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
NO_NUL_PATTERN = r"^[^\u0000]*$"

TEAM_NOT_FOUND = ("team_not_found", gettext_lazy("Team not found."))
OPERATOR_NOT_FOUND = ("operator_not_found", gettext_lazy("Operator not found."))


class ReferenceField(relations.PrimaryKeyRelatedField):
    """An id of an existing object: one that does not exist (or is not in `queryset`) answers
    404 with `not_found` (code, message), as a missing object named in a path does, not 400."""

    def __init__(self, *, not_found: tuple[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.not_found = not_found

    def to_internal_value(self, data: Any) -> Model:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            codes = [getattr(detail, "code", None) for detail in error.detail]
            if codes != ["does_not_exist"]:
                raise
            code, message = self.not_found
            raise NotFound(code, str(message)) from None
