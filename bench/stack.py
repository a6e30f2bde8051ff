"""Start the product the way section 0 of the contract does, as real processes.

A `Stack` owns one fresh PostgreSQL database, any number of `uvicorn helpdesk.asgi:application`
processes and one `celery -A helpdesk worker`, all sharing one Redis, and optionally a
`redis-server` of its own (for scenarios that restart Redis). `close()` stops everything it
started and drops the database, whatever happened before; it is safe to call twice.

Used by the end-to-end tests (`tests/e2e/`) and by `bench/soak.py`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
ADMIN_DATABASE_URL = os.environ.get(
    "E2E_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
DEFAULT_REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/5")
SECRET_KEY = "e2e-secret-key-not-for-production-0123456789abcdef"


def _executable(name: str) -> list[str]:
    """The console script next to the running interpreter, else `python -m name`."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return [str(candidate)]
    return [sys.executable, "-m", name]


def database_url(name: str) -> str:
    parts = urlsplit(ADMIN_DATABASE_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as connection:
        connection.execute(statement)


def create_database(name: str) -> None:
    if not name.startswith("helpdesk_e2e"):
        raise ValueError(f"refusing to create {name!r}: e2e databases start with helpdesk_e2e")
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    if not name.startswith("helpdesk_e2e"):
        raise ValueError(f"refusing to drop {name!r}")
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_ports(count: int, low: int = 18100, high: int = 18189) -> list[int]:
    """`count` ports in [low, high] that nobody listens on now (start at a random one, so that
    parallel runs rarely collide)."""
    import random
    import socket

    candidates = list(range(low, high + 1))
    start = random.randrange(len(candidates))
    found: list[int] = []
    for port in candidates[start:] + candidates[:start]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError(f"no {count} free ports in {low}-{high}")


def http_get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass
class Proc:
    name: str
    argv: list[str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None
    log_file: Any = None

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None else None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Stack:
    """One deployment: a database, web processes on `ports`, a Celery worker, a Redis."""

    ports: list[int]
    db_name: str = field(default_factory=lambda: f"helpdesk_e2e_{uuid.uuid4().hex[:10]}")
    redis_url: str = DEFAULT_REDIS_URL
    channel_prefix: str = field(default_factory=lambda: f"e2e{uuid.uuid4().hex[:10]}")
    own_redis_port: int | None = None  # start a redis-server of our own on this port
    rate_limits: bool = True
    access_log: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    celery_concurrency: int = 2
    log_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="helpdesk-e2e-")))
    procs: dict[str, Proc] = field(default_factory=dict)
    database_created: bool = False

    def __post_init__(self) -> None:
        if self.own_redis_port is not None:
            self.redis_url = f"redis://127.0.0.1:{self.own_redis_port}/0"

    # --- configuration ------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return database_url(self.db_name)

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PYTEST", "DATABASE_URL", "REDIS_URL"))
            # the test run's own setting (scripts/test.sh): the stack keeps production's
            and key != "DB_CONN_MAX_AGE"
        }
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            SECRET_KEY=SECRET_KEY,
            DEBUG="0",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CHANNEL_PREFIX=self.channel_prefix,
            PYTHONUNBUFFERED="1",
        )
        if not self.rate_limits:
            env["RATE_LIMITS"] = "off"
        env.update(self.extra_env)
        return env

    def base_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def ws_url(self, index: int) -> str:
        return f"ws://127.0.0.1:{self.ports[index]}"

    # --- one-off commands ---------------------------------------------------------------------

    def manage(self, *args: str, env: dict[str, str] | None = None, timeout: float = 180) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env={**self.env(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def prepare_database(self) -> None:
        create_database(self.db_name)
        self.database_created = True
        self.manage("migrate", "--noinput")

    def create_superuser(self, username: str, password: str) -> None:
        self.manage(
            "createsuperuser",
            "--noinput",
            env={
                "DJANGO_SUPERUSER_USERNAME": username,
                "DJANGO_SUPERUSER_PASSWORD": password,
                "DJANGO_SUPERUSER_EMAIL": f"{username}@example.com",
            },
        )

    # --- long-running processes ---------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> Proc:
        old = self.procs.get(name)
        if old is not None and old.running():
            raise RuntimeError(f"{name} is already running")
        log_path = self.log_dir / f"{name}.log"
        log_file = open(log_path, "ab")  # noqa: SIM115 - closed in _reap
        popen = subprocess.Popen(
            argv,
            cwd=REPO,
            env=self.env(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: Celery's children die with it
        )
        proc = Proc(name=name, argv=argv, log_path=log_path, popen=popen, log_file=log_file)
        self.procs[name] = proc
        return proc

    def start_redis(self) -> Proc:
        assert self.own_redis_port is not None
        proc = self._spawn(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.own_redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.redis_ping():
                return proc
            if not proc.running():
                break
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start:\n{proc.log_tail()}")

    def redis_ping(self) -> bool:
        import redis

        try:
            client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=0.5)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except redis.RedisError:
            return False

    def clear_broker(self) -> None:
        """A shared Redis may hold tasks of an earlier run (whose database is gone)."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            keys = [*client.scan_iter("celery*"), *client.scan_iter("unacked*")]
            keys += list(client.scan_iter("_kombu*"))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    def start_web(self, index: int) -> Proc:
        argv = [
            *_executable("uvicorn"),
            "helpdesk.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.ports[index]),
            "--ws-max-size",
            "65536",
            "--timeout-graceful-shutdown",
            "3",
        ]
        if not self.access_log:
            argv.append("--no-access-log")
        return self._spawn(f"web{index}", argv)

    def start_celery(self) -> Proc:
        return self._spawn(
            "celery",
            [
                *_executable("celery"),
                "-A",
                "helpdesk",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(self.celery_concurrency),
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"{self.channel_prefix}@%h",
            ],
        )

    def wait_healthy(self, index: int, timeout: float = 30.0) -> None:
        url = f"{self.base_url(index)}/healthz"
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            proc = self.procs.get(f"web{index}")
            if proc is not None and not proc.running():
                raise RuntimeError(f"web{index} exited:\n{proc.log_tail()}")
            try:
                status, body = http_get(url, timeout=2)
                if status == 200:
                    return
                last = (status, body[:200])
            except OSError as error:
                last = error
            time.sleep(0.1)
        raise RuntimeError(f"{url} not healthy after {timeout}s: {last}")

    def wait_celery_ready(self, timeout: float = 30.0) -> None:
        proc = self.procs["celery"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not proc.running():
                raise RuntimeError(f"celery exited:\n{proc.log_tail()}")
            if b" ready." in proc.log_path.read_bytes():
                return
            time.sleep(0.1)
        raise RuntimeError(f"celery not ready after {timeout}s:\n{proc.log_tail()}")

    def start(self) -> None:
        """Database, (own Redis), Celery and every web process, waited for."""
        if self.own_redis_port is not None:
            self.start_redis()
        self.prepare_database()
        self.clear_broker()
        self.start_celery()
        for index in range(len(self.ports)):
            self.start_web(index)
        for index in range(len(self.ports)):
            self.wait_healthy(index)
        self.wait_celery_ready()

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal a process's whole group (SIGKILL: no goodbye) and reap it."""
        proc = self.procs.get(name)
        if proc is None or proc.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, sig)
        self._reap(proc, timeout=10)

    def stop(self, name: str) -> None:
        proc = self.procs.get(name)
        if proc is None or proc.popen is None:
            return
        if proc.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signal.SIGTERM)
        self._reap(proc, timeout=15)

    def _reap(self, proc: Proc, timeout: float) -> None:
        assert proc.popen is not None
        try:
            proc.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signal.SIGKILL)
            proc.popen.wait(timeout=10)
        # the group may hold children that outlived their parent (Celery's pool)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.popen.pid, signal.SIGKILL)
        if proc.log_file is not None:
            proc.log_file.close()
            proc.log_file = None

    def logs(self, lines: int = 40) -> str:
        return "\n".join(
            f"----- {name} ({proc.log_path}) -----\n{proc.log_tail(lines)}"
            for name, proc in self.procs.items()
        )

    def close(self) -> None:
        """Stop everything (web first, then Celery and any other process started here, such
        as a beat, then our Redis) and drop the database."""
        web = [n for n in self.procs if n.startswith("web")]
        others = [n for n in self.procs if n not in web and n != "redis"]
        for group in (web, others, ["redis"]):
            for name in group:  # signal the whole group at once, then wait for each
                proc = self.procs.get(name)
                if proc is not None and proc.popen is not None and proc.running():
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.popen.pid, signal.SIGTERM)
            for name in group:
                with contextlib.suppress(Exception):
                    self.stop(name)
        if self.database_created:
            self.database_created = False
            for _attempt in range(5):
                try:
                    drop_database(self.db_name)
                    break
                except Exception:
                    time.sleep(1)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
