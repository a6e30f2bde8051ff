"""What schemathesis needs to know about this API beyond its OpenAPI document, shared by the
test suite (`tests/test_openapi_conformance.py`) and command-line runs
(`SCHEMATHESIS_HOOKS=tests.schemathesis_hooks schemathesis run ...`, docs/operations.md).

Neither hides a failure: both generate only requests that a real client could make.
"""

from __future__ import annotations

import string
from typing import Any

import schemathesis
from hypothesis import strategies as st


@schemathesis.hook
def filter_query(context: Any, query: dict[str, Any] | None) -> bool:
    """A list's `cursor` is opaque: only the server makes one (in `next`), so an invented one
    is refused (400 `invalid_cursor`) by design. Lists are tested with every other parameter."""
    return not query or "cursor" not in query


# `format: password` is the server's password policy (8 characters at least, not a common
# password): a client generates passwords it accepts, as a person would pick one.
schemathesis.openapi.format(
    "password",
    st.text(alphabet=string.ascii_letters + string.digits, min_size=12, max_size=40).map(
        lambda text: f"Pw-{text}"
    ),
)
