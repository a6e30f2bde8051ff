"""A list of numbers in one column: a PostgreSQL array, so that the reports' SQL sums and sorts
it natively (`unnest`), and JSON text on SQLite, the embedded default."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

ELEMENT_TYPES = {"integer", "bigint", "double precision"}


class NumberListField(models.Field):  # type: ignore[type-arg]
    description = "A list of numbers"

    def __init__(self, *args: Any, element_type: str = "double precision", **kwargs: Any) -> None:
        if element_type not in ELEMENT_TYPES:
            raise ValueError(f"element_type is one of {sorted(ELEMENT_TYPES)}")
        self.element_type = element_type
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["element_type"] = self.element_type
        return name, path, args, kwargs

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return f"{self.element_type}[]" if connection.vendor == "postgresql" else "text"

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None:
            return []
        return json.loads(value) if isinstance(value, str) else list(value)

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if value is None:
            return None
        numbers = list(value)
        return numbers if connection.vendor == "postgresql" else json.dumps(numbers)
