"""Secret tokens: made with 256 random bits, stored only as their SHA-256 (visitors' and
operators' tokens, login sessions named in events)."""

from __future__ import annotations

import hashlib
import secrets


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)
