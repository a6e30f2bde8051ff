"""A Celery worker killed (SIGKILL) in the middle of a drain: the routing task is delivered again
and applied once, and nothing of the killed attempt is left half-done.

The moment is made deterministic by the test-only fault injection of `operators/assignment.py`:
with `ROUTING_TEST_PAUSE_FILE` set, the first drain that assigns something creates that file
(process id, task id, team, how many it assigned) once its changes are made and before its
commit, then sleeps. The test waits for the file and kills there. Later drains find the file and
run through, so the redelivered task completes.

Two ways to die:
- the whole worker (main process and pool): the task is unacknowledged in Redis, and the next
  worker restores it once it is older than the visibility timeout (`CELERY_VISIBILITY_TIMEOUT`,
  3 s here; 300 s in production);
- only the pool process running the task: the main process sees it lost and, with `acks_late`
  and `task_reject_on_worker_lost`, puts the task back on the queue at once.
Either way the drain's transaction died with its database connection, uncommitted: the
conversations still wait, nobody's load moved.

The new worker also asks for every waiting queue to be drained when it starts
(`helpdesk.celery_worker`), so the test checks both that the killed task was received again (its
id in the log) and that, whichever drain ran first, every conversation is assigned once, within
capacity, with nothing left unacknowledged in the broker.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bench.stack import Stack, free_ports
from tests.e2e.routing_deployment import (
    Deployed,
    OperatorSpec,
    deploy,
    open_conversations,
    wait_for,
)

pytestmark = pytest.mark.e2e

WAITING = 12
OPERATORS = [
    OperatorSpec("agent1", 0, 5, online=False),
    OperatorSpec("agent2", 0, 5, online=False),
    OperatorSpec("agent3", 0, 4, online=False),
]
VISIBILITY_TIMEOUT = 3


@pytest.fixture
def paused_file(tmp_path: Path) -> Path:
    return tmp_path / "drain-paused"


@pytest.fixture
def deployed(paused_file: Path) -> Iterator[Deployed]:
    stack = Stack(
        ports=free_ports(1),
        rate_limits=False,
        access_log=False,
        celery_concurrency=1,
        extra_env={
            "ROUTING_TEST_PAUSE_FILE": str(paused_file),
            "ROUTING_TEST_PAUSE_SECONDS": "120",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        },
    )
    try:
        stack.start()
        yield deploy(stack, teams=["Support"], routing=["least_busy"], operators=OPERATORS)
    except BaseException:
        print(stack.logs(80))
        raise
    finally:
        stack.close()


def read_pause(paused_file: Path) -> tuple[int, str, int] | None:
    """(process id, task id, conversations assigned) once the paused drain wrote them."""
    try:
        fields = paused_file.read_text().split()
    except FileNotFoundError:
        return None
    if len(fields) < 4:
        return None
    return int(fields[0]), fields[1], int(fields[3])


def assert_all_still_waiting(deployed: Deployed, conversation_ids: list[int]) -> None:
    queue = deployed.queue(0)
    assert sorted(c["id"] for c in queue) == sorted(conversation_ids)
    assert [c["queue_position"] for c in queue] == list(range(1, WAITING + 1))
    assert all(row["load"] == 0 for row in deployed.operators_state().values())


@pytest.mark.parametrize("victim", ["whole_worker", "pool_process"])
def test_a_drain_killed_before_its_commit_is_delivered_again_and_applied_once(
    deployed: Deployed, paused_file: Path, victim: str
) -> None:
    stack = deployed.stack
    opened = asyncio.run(open_conversations(deployed, [0] * WAITING))
    # nobody is online: all of them wait (their drains assigned nothing, so none paused)
    wait_for(
        lambda: True if len(deployed.queue(0)) == WAITING else None, "every conversation queued"
    )
    assert not paused_file.exists()

    for spec in OPERATORS:
        deployed.set_status(spec.username, "online")
    pid, task_id, assigned = wait_for(lambda: read_pause(paused_file), "a drain paused")
    assert assigned >= 1
    # made but not committed: nobody outside the drain's transaction sees any of it
    assert_all_still_waiting(deployed, opened)

    log = stack.procs["celery"].log_path
    killed_at = log.stat().st_size
    if victim == "whole_worker":
        stack.kill("celery")
        assert_all_still_waiting(deployed, opened)  # the transaction died uncommitted
        time.sleep(VISIBILITY_TIMEOUT + 1)  # the unacknowledged task becomes visible again
        stack.start_celery()
    else:
        os.kill(pid, signal.SIGKILL)

    def all_assigned() -> dict[int, dict[str, object]] | None:
        operators = deployed.operators_state()
        loads = sum(int(str(operators[deployed.operators[s.username]]["load"])) for s in OPERATORS)
        return operators if loads == WAITING and not deployed.queue(0) else None

    operators = wait_for(all_assigned, "every waiting conversation assigned", timeout=60)
    conversations = deployed.conversations(0)
    assert sorted(c["id"] for c in conversations) == sorted(opened)
    assert all(c["assignee"] is not None and c["queue_position"] is None for c in conversations)
    for spec in OPERATORS:
        row = operators[deployed.operators[spec.username]]
        assert row["load"] == sum(
            1 for c in conversations if c["assignee"]["id"] == deployed.operators[spec.username]
        )
        assert int(str(row["load"])) <= spec.max_chats

    # the killed task was delivered again (maybe after another drain already did the work:
    # the worker's main process requeues it when it sees its pool process die), and nothing
    # is left unacknowledged
    def delivered_again() -> bool | None:
        after_kill = log.read_bytes()[killed_at:].decode(errors="replace")
        return True if f"drain_team_queue[{task_id}] received" in after_kill else None

    wait_for(delivered_again, "the killed task delivered again")
    client = redis.Redis.from_url(stack.redis_url)
    try:
        wait_for(lambda: True if client.hlen("unacked") == 0 else None, "every task acknowledged")
    finally:
        client.close()
