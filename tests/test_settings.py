"""Settings come from the environment: the embedded default, the production shape, refusals."""

from __future__ import annotations

import json
import os
import subprocess

from tests.settings_probe import run_probe

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
    return run_probe(PROBE, clean)


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


POOL_PROBE = """
import json, sys
from helpdesk import web_process
web_process.SERVING = sys.argv[1] == "web"
import django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({"pool": db["OPTIONS"].get("pool"), "max_age": db["CONN_MAX_AGE"]}))
"""


def _database_of(kind: str, env: dict[str, str]) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DB_POOL_MAX", "DB_CONN_MAX_AGE"}}
    clean.update(
        {
            "DEBUG": "1",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/helpdesk",
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            **env,
        }
    )
    result = run_probe(POOL_PROBE, clean, kind)
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout)
    return found


def test_a_web_process_pools_its_database_connections_and_others_keep_persistent_ones():
    assert _database_of("web", {}) == {
        "pool": {"min_size": 2, "max_size": 20, "timeout": 10},
        "max_age": 0,
    }
    # a Celery worker or a management command: no pool to share across a fork
    assert _database_of("worker", {}) == {"pool": None, "max_age": 600}
    # the pool's size, or none at all
    assert _database_of("web", {"DB_POOL_MAX": "5"})["pool"] == {
        "min_size": 2,
        "max_size": 5,
        "timeout": 10,
    }
    assert _database_of("web", {"DB_POOL_MAX": "0"}) == {"pool": None, "max_age": 600}
