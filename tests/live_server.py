"""A real uvicorn process serving the product against the test database, for tests that drive
it from outside (browsers, websocket clients). Tests using it need committed data:
`@pytest.mark.django_db(transaction=True)`.

Register with `pytest_plugins = ["tests.live_server"]` or import the fixture.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url_of_test_db() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy in {timeout} s")


def start_uvicorn(port: int, extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    env = server_env(port, extra_env)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "helpdesk.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws-max-size",
            "65536",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def server_env(port: int, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """What a process of the product started by the tests runs with: the test database."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url_of_test_db(),
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port},http://localhost:{port}",
            "INSECURE_COOKIES_FOR_TESTS": "1",
        }
    )
    env.update(extra_env or {})
    return env


@contextlib.contextmanager
def celery_worker(extra_env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker (one process, solo pool) on the test database, for the block. Give
    it a `REDIS_URL` of its own (and the server it works for the same), so that it takes only
    the tasks of that server, not those other tests left in the broker."""
    env = server_env(0, extra_env)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "helpdesk",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def serving(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """A uvicorn process of its own, healthy, for the block; its base URL."""
    port = free_port()
    process = start_uvicorn(port, extra_env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def live_server_url(django_db_setup: None, django_db_blocker: object) -> Iterator[str]:
    """The base URL of one uvicorn process shared by the session's live tests."""
    with serving() as url:
        yield url
