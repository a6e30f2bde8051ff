"""The one place that names channel-layer groups.

- `console`: every console socket; each consumer keeps only the frames its operator may see
  (the audience check in `chats.audience`), so a conversation event is published once.
- `visitor.<contact>.<inbox>`: every widget socket of one contact in one inbox.
- `operator.<id>`: one operator's console sockets, for access changes and forced closes.
"""

CONSOLE = "console"


def visitor(contact_id: int, inbox_id: int) -> str:
    return f"visitor.{contact_id}.{inbox_id}"


def operator(operator_id: int) -> str:
    return f"operator.{operator_id}"
