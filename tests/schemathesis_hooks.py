"""What schemathesis needs to know about this API beyond its OpenAPI document, shared by the
test suite (`tests/test_openapi_conformance.py`) and command-line runs
(`SCHEMATHESIS_HOOKS=tests.schemathesis_hooks schemathesis run ...`, docs/operations.md).

Neither hides a failure: both generate only requests that a real client could make.
"""

from __future__ import annotations

import string
from datetime import date, timedelta
from typing import Any
from zoneinfo import available_timezones

import schemathesis
from hypothesis import strategies as st


@schemathesis.hook
def filter_query(context: Any, query: dict[str, Any] | None) -> bool:
    """A list's `cursor` is opaque: only the server makes one (in `next`), so an invented one
    is refused (400 `invalid_cursor`) by design. Lists are tested with every other parameter.
    A report's period is a real one: `from` on or before `to`, within the documented length,
    in a time zone that exists (the document says so in words; a schema cannot)."""
    return real_query(getattr(getattr(context, "operation", None), "path", ""), query)


def real_query(path: str, query: dict[str, Any] | None) -> bool:
    """The rule of `filter_query`, for the cases (the coverage phase's) that skip the hook."""
    if not query:
        return True
    if "cursor" in query:
        return False
    return not path.startswith("/api/v1/reports/") or _a_real_period(query)


def _a_real_period(query: dict[str, Any]) -> bool:
    zone = str(query.get("tz") or "UTC")
    if zone not in available_timezones():
        return False
    try:
        last = date.fromisoformat(str(query["to"])) if query.get("to") else date.today()
        first = (
            date.fromisoformat(str(query["from"]))
            if query.get("from")
            else last - timedelta(days=6)
        )
    except ValueError:
        return True  # a malformed date: the 400 is documented
    longest = 31 if query.get("interval") == "hour" else 366
    return first <= last and (last - first).days < longest


# `format: password` is the server's password policy (8 characters at least, not a common
# password): a client generates passwords it accepts, as a person would pick one.
schemathesis.openapi.format(
    "password",
    st.text(alphabet=string.ascii_letters + string.digits, min_size=12, max_size=40).map(
        lambda text: f"Pw-{text}"
    ),
)
