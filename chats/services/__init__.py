"""Writes of the chats domain: one module per topic, one function per use case.

Each runs in one transaction and records its domain events there (`chats.events`); the
listeners fan out after the commit, so nothing is announced that could still roll back.

- `messages` (and `message_batch`, the visitors' group commit): every message stored;
- `conversations`: opened, status, labels, priority; `auto_resolve`: idle ones resolved;
- `assigning`: assignments and transfers by hand, a reply that takes a conversation;
- `inboxes`, `visitors` (widget sessions), `contacts`, `feedback` (ratings), `reading`
  (read marks and typing), `canned` (canned responses); `authors`: who writes.
"""
