"""Settings come from the environment: the embedded default, the production shape, refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "secure_cookies": settings.SESSION_COOKIE_SECURE,
}))
"""


def _settings_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_with_nothing_set_the_embedded_default_is_used():
    result = _settings_with({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    chosen = json.loads(result.stdout)
    assert chosen["db"] == "django.db.backends.sqlite3"
    assert chosen["layer"] == "channels.layers.InMemoryChannelLayer"
    assert chosen["eager"] is True


def test_with_database_and_redis_urls_the_production_shape_is_used():
    result = _settings_with(
        {
            "SECRET_KEY": "k" * 50,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/helpdesk",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    chosen = json.loads(result.stdout)
    assert chosen["db"] == "django.db.backends.postgresql"
    assert chosen["layer"] == "helpdesk.channel_layer.ResyncingRedisPubSubChannelLayer"
    assert chosen["eager"] is False
    assert chosen["broker"] == "redis://127.0.0.1:6379/0"
    assert chosen["secure_cookies"] is True


def test_production_refuses_to_start_without_a_secret_key_and_says_why():
    result = _settings_with({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
