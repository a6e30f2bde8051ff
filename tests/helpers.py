"""Assertions shared by the REST API tests."""

from __future__ import annotations

import re
from typing import Any

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is the contract's error: `status`, JSON, exactly
    `{"error": {"code": code, "message": "<sentence>"}}` (extra keys inside `error` allowed)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict), body
    assert error["code"] == code, body
    assert SNAKE_CASE.match(error["code"]), error["code"]
    message = error["message"]
    assert isinstance(message, str) and message.strip(), body
    assert "<" not in message or "</" not in message, "an error message is a sentence, not HTML"
    return error


# The keys the contract gives the message and conversation objects (api-v1.md, section 1).
MESSAGE_FIELDS = {
    "id",
    "conversation",
    "seq",
    "author",
    "body",
    "private",
    "attachments",
    "client_id",
    "created_at",
    "edited_at",
    "hidden",
    "delivery",
    "delivery_error",
}
CONVERSATION_CONTRACT_FIELDS = {
    "id",
    "inbox",
    "status",
    "priority",
    "assignee",
    "team",
    "labels",
    "contact",
    "created_at",
    "last_activity_at",
    "queue_position",
}
