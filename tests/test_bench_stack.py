"""The benchmark and e2e stack (`bench/stack.py`) runs the product as production would, whatever
the test run around it sets for itself."""

from __future__ import annotations

import pytest

from bench.stack import Stack


def test_the_stack_keeps_production_connection_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # scripts/test.sh closes the test process's own connections after each call
    monkeypatch.setenv("DB_CONN_MAX_AGE", "0")
    monkeypatch.setenv("DATABASE_URL", "postgres://elsewhere/other")

    stack = Stack(ports=[18001])
    env = stack.env()

    assert "DB_CONN_MAX_AGE" not in env  # the workers keep their connections (default 600 s)
    assert env["DATABASE_URL"] == stack.database_url  # its own fresh database


def test_a_benchmark_can_still_set_it_on_purpose() -> None:
    env = Stack(ports=[18001], extra_env={"DB_CONN_MAX_AGE": "0"}).env()

    assert env["DB_CONN_MAX_AGE"] == "0"
