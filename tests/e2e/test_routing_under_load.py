"""Routing under real load: two uvicorn processes, a real Celery worker (two pool processes) on
the Redis broker, PostgreSQL; 200 conversations opened at once by widget visitors across three
teams of ten operators with mixed capacities, then capacity freed three ways. Everything is done
and read through the public REST API.

The teams (capacity of the online members against the demand):
- Sales, `least_busy`: 4 + 8 + 12 online, one more (6) offline; 80 conversations: 24 assigned,
  56 wait, until the offline member comes online.
- Support, `round_robin`: 5 + 10 + 15; 70 conversations: 30 assigned, 40 wait.
- Billing, `least_busy`: 10 + 30 + 30; 50 conversations: all assigned, and spread.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from bench.stack import Stack, free_ports
from tests.e2e.routing_deployment import (
    Deployed,
    OperatorSpec,
    deploy,
    open_conversations,
    wait_for,
)

pytestmark = pytest.mark.e2e

SALES, SUPPORT, BILLING = 0, 1, 2
OPERATORS = [
    OperatorSpec("sales1", SALES, 4),
    OperatorSpec("sales2", SALES, 8),
    OperatorSpec("sales3", SALES, 12),
    OperatorSpec("sales4", SALES, 6, online=False),
    OperatorSpec("support1", SUPPORT, 5),
    OperatorSpec("support2", SUPPORT, 10),
    OperatorSpec("support3", SUPPORT, 15),
    OperatorSpec("billing1", BILLING, 10),
    OperatorSpec("billing2", BILLING, 30),
    OperatorSpec("billing3", BILLING, 30),
]
DEMAND = {SALES: 80, SUPPORT: 70, BILLING: 50}


@pytest.fixture(scope="module")
def deployed() -> Iterator[Deployed]:
    stack = Stack(ports=free_ports(2), rate_limits=False, access_log=False)
    try:
        stack.start()
        yield deploy(
            stack,
            teams=["Sales", "Support", "Billing"],
            routing=["least_busy", "round_robin", "least_busy"],
            operators=OPERATORS,
        )
    except BaseException:
        print(stack.logs(60))
        raise
    finally:
        stack.close()


def members(deployed: Deployed, team: int, *, online_only: bool = True) -> list[int]:
    return [
        deployed.operators[spec.username]
        for spec in OPERATORS
        if spec.team == team and (spec.online or not online_only)
    ]


def capacity(team: int) -> int:
    return sum(spec.max_chats for spec in OPERATORS if spec.team == team and spec.online)


def settled(deployed: Deployed) -> dict[int, list[dict[str, Any]]] | None:
    """Every team's conversations, once each team has as many assigned as it can take."""
    by_team = {team: deployed.conversations(team) for team in DEMAND}
    for team, demand in DEMAND.items():
        assigned = sum(1 for c in by_team[team] if c["assignee"] is not None)
        if len(by_team[team]) != demand or assigned != min(demand, capacity(team)):
            return None
    return by_team


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def drained_in_order(
    deployed: Deployed, team: int, before: list[dict[str, Any]], count: int, operator_id: int
) -> None:
    """After capacity for `count` more frees at `operator_id`: the first `count` of the queue
    (as it stood) are theirs, and everyone behind moves up by `count`, keeping their order."""
    queue = wait_for(
        lambda: q if len(q := deployed.queue(team)) == len(before) - count else None,
        f"{count} conversations of team {team} leaving the queue",
    )
    taken = {
        c["id"]: c
        for c in deployed.conversations(team)
        if c["id"] in {w["id"] for w in before[:count]}
    }
    assert set(taken) == {c["id"] for c in before[:count]}
    assert {c["assignee"]["id"] for c in taken.values()} == {operator_id}
    assert [c["id"] for c in queue] == [c["id"] for c in before[count:]]
    assert [c["queue_position"] for c in queue] == list(range(1, len(queue) + 1))


async def test_two_hundred_conversations_at_once_are_routed_within_capacity_and_in_order(
    deployed: Deployed,
) -> None:
    teams = [team for team, demand in DEMAND.items() for _ in range(demand)]
    opened = await open_conversations(deployed, teams[0::3] + teams[1::3] + teams[2::3])
    assert len(set(opened)) == 200  # one conversation per visitor

    by_team = wait_for(lambda: settled(deployed), "every team at its capacity or demand")
    operators = deployed.operators_state()
    for team, conversations in by_team.items():
        # every conversation ends either assigned or waiting, never both, never neither
        for conversation in conversations:
            assert (conversation["assignee"] is None) != (conversation["queue_position"] is None)
        # the loads the API reports are the conversations it lists
        loads = Counter(c["assignee"]["id"] for c in conversations if c["assignee"] is not None)
        for operator_id in members(deployed, team, online_only=False):
            assert operators[operator_id]["load"] == loads.get(operator_id, 0)
            # routing never exceeds max_chats; the offline member gets nothing
            assert loads.get(operator_id, 0) <= operators[operator_id]["max_chats"]
        assert set(loads) <= set(members(deployed, team))
        # Even spread. An operator is given its k-th conversation only while every free member
        # of the team has at least k-1 (least busy: the fewest first; round robin: in turn, all
        # starting empty), and a member below capacity at the end was free all along. So no
        # operator holds more than one above any member who is still below capacity.
        below = [
            loads.get(o, 0)
            for o in members(deployed, team)
            if loads.get(o, 0) < operators[o]["max_chats"]
        ]
        if below:
            assert max(loads.values()) <= min(below) + 1, (team, loads)
        # the queue: positions 1..n, in arrival order
        queue = sorted(
            (c for c in conversations if c["queue_position"] is not None),
            key=lambda c: c["queue_position"],
        )
        assert [c["queue_position"] for c in queue] == list(range(1, len(queue) + 1))
        assert len(queue) == DEMAND[team] - min(DEMAND[team], capacity(team))
        for ahead, behind in itertools.pairwise(queue):
            # a conversation joins the queue at the moment it is created
            assert parse(ahead["created_at"]) <= parse(behind["created_at"])

    # Billing had room: its three operators were filled evenly (10 at capacity, 20 and 20).
    billing = Counter(c["assignee"]["id"] for c in by_team[BILLING])
    assert sorted(billing.values()) == [10, 20, 20]

    # Capacity frees three ways; each time the head of the queue goes, in order.
    sales2 = deployed.operators["sales2"]
    before = deployed.queue(SALES)
    resolved = [c for c in by_team[SALES] if c["assignee"] and c["assignee"]["id"] == sales2][:3]
    with deployed.client() as http:
        for conversation in resolved:
            response = http.post(
                f"/api/v1/conversations/{conversation['id']}/status", json={"status": "resolved"}
            )
            assert response.status_code == 200, response.text
    drained_in_order(deployed, SALES, before, 3, sales2)

    support1 = deployed.operators["support1"]
    before = deployed.queue(SUPPORT)
    with deployed.client() as http:
        response = http.patch(f"/api/v1/operators/{support1}", json={"max_chats": 9})
        assert response.status_code == 200, response.text
    drained_in_order(deployed, SUPPORT, before, 4, support1)

    before = deployed.queue(SALES)
    deployed.set_status("sales4", "online")
    drained_in_order(deployed, SALES, before, 6, deployed.operators["sales4"])

    final = deployed.operators_state()
    for row in final.values():
        assert row["load"] <= row["max_chats"], row
