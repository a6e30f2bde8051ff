"""Outgoing mail from the environment: `EMAIL_URL`, or `EMAIL_HOST` and its companions, or,
with neither, Django's console backend (the message is written to the log)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class EmailSettings:
    backend: str = CONSOLE
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False


def _from_url(url: str) -> EmailSettings:
    """smtp://user:password@host:port (STARTTLS with ?tls=1), smtps://... (TLS from the start),
    console:// (the log)."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return EmailSettings()
    if parts.scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(
            f"EMAIL_URL: the scheme is smtp, smtps or console, not {parts.scheme!r}"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    ssl = parts.scheme == "smtps" or query.get("ssl", "").lower() in TRUE
    try:
        port = parts.port or (465 if ssl else 25)
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL: the port is not a number") from None
    return EmailSettings(
        backend=SMTP,
        host=parts.hostname or "localhost",
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=not ssl and query.get("tls", "").lower() in TRUE,
        use_ssl=ssl,
    )


def email_settings(env: Mapping[str, str]) -> EmailSettings:
    if env.get("EMAIL_URL"):
        return _from_url(env["EMAIL_URL"])
    if not env.get("EMAIL_HOST"):
        return EmailSettings()
    try:
        port = int(env.get("EMAIL_PORT", "25"))
    except ValueError:
        raise ImproperlyConfigured("EMAIL_PORT is not a number") from None
    return EmailSettings(
        backend=SMTP,
        host=env["EMAIL_HOST"],
        port=port,
        user=env.get("EMAIL_HOST_USER", ""),
        password=env.get("EMAIL_HOST_PASSWORD", ""),
        use_tls=env.get("EMAIL_USE_TLS", "").lower() in TRUE,
        use_ssl=env.get("EMAIL_USE_SSL", "").lower() in TRUE,
    )
