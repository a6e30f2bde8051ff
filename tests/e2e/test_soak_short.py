"""A short form of bench/soak.py: 20 visitors and 2 operators chat for 20 seconds over two real
uvicorn processes while Redis is restarted once and one uvicorn is SIGKILLed once; nothing acked
may be lost, stored twice, delivered twice or out of order, and no private note may reach a
visitor. Takes about 45 seconds."""

from __future__ import annotations

import uuid

import pytest

from bench.soak import SoakConfig, run_soak
from bench.stack import free_ports

pytestmark = pytest.mark.e2e


def test_a_redis_restart_and_a_killed_web_process_lose_no_message() -> None:
    config = SoakConfig(
        visitors=20,
        operators=2,
        duration=20,
        redis_restarts=1,
        web_kills=1,
        visitor_interval=4.0,
        operator_interval=2.0,
        settle=15.0,
        settle_max=60.0,
        db_name=f"helpdesk_e2e_soak_{uuid.uuid4().hex[:8]}",
        redis_port=free_ports(1, 18190, 18199)[0],
        verbose=False,
    )
    result = run_soak(config)
    print(result.render())
    assert result.ok, result.render()
    summary = result.summary
    assert [fault["fault"] for fault in result.faults] == ["redis restart", "web1 SIGKILL"]
    assert summary["acked"] == summary["messages sent (client_ids)"] > 50
    assert summary["lost"] == 0
    assert summary["duplicates after dedupe"] == 0
    # a process whose Redis link was cut closes its sockets, so every client resumed at least once
    assert summary["reconnects"] >= config.visitors + config.operators
    # and the Celery worker outlived Redis going away: a new conversation is still routed
    assert summary["routing after the faults"].endswith(" ms")
