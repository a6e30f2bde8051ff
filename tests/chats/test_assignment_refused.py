"""Assignment by hand that the contract refuses: each answers its error, and leaves the
conversation (and the operator it named) exactly as they were. What supervisors and admins may
do that agents may not: assign past `max_chats`, to someone offline or outside the team.

Malformed bodies (wrong types, missing fields, unknown ids) are in test_api_conversations.py and
tests/test_bad_input.py; these are well-formed requests that the rules refuse.
"""

from __future__ import annotations

from typing import Any

import pytest

from chats.models import Conversation, Message
from chats.services.conversations import conversation_open
from operators.models import Operator, Role, Status, Team
from tests.factories import ContactFactory, InboxFactory, TeamFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def state_of(conversation: Conversation, *operators: Operator) -> dict[str, Any]:
    """Everything an assignment could change."""
    row = Conversation.objects.filter(pk=conversation.pk).values(
        "assignee_id", "team_id", "queued_at", "assigned_at", "status", "last_seq"
    )[0]
    return {
        "conversation": row,
        "messages": Message.objects.filter(conversation=conversation).count(),
        "operators": list(
            Operator.objects.filter(pk__in=[o.pk for o in operators]).values(
                "pk", "last_assigned_at", "status", "max_chats"
            )
        ),
    }


def fill(operator: Operator, team: Team) -> None:
    """Give `operator` as many open conversations as their `max_chats`."""
    inbox = InboxFactory(team=team)
    for _ in range(operator.max_chats):
        conversation = conversation_open(inbox=inbox, contact=ContactFactory())
        Conversation.objects.filter(pk=conversation.pk).update(assignee=operator, queued_at=None)


@pytest.fixture
def teammate(make_operator, team) -> Operator:
    return make_operator(Role.AGENT, [team], status=Status.ONLINE, max_chats=2)


def refused(client, conversation, payload, status, code, *operators) -> None:
    before = state_of(conversation, *operators)
    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/assign",
        {**payload, "note": "over to you"},
        format="json",
    )
    assert_error(response, status, code)
    assert state_of(conversation, *operators) == before


def test_an_agent_may_not_assign_to_an_operator_outside_the_team(
    client_for, agent, make_operator, other_team, conversation
):
    stranger = make_operator(Role.AGENT, [other_team], status=Status.ONLINE)

    refused(
        client_for(agent),
        conversation,
        {"operator": stranger.pk},
        400,
        "operator_not_in_team",
        stranger,
    )


def test_an_agent_may_not_assign_to_a_teammate_at_capacity(
    client_for, agent, teammate, team, conversation
):
    fill(teammate, team)

    refused(
        client_for(agent), conversation, {"operator": teammate.pk}, 409, "over_capacity", teammate
    )


def test_an_agent_at_capacity_may_not_take_one_more_itself(
    client_for, make_operator, team, conversation
):
    busy = make_operator(Role.AGENT, [team], status=Status.ONLINE, max_chats=1)
    fill(busy, team)

    refused(client_for(busy), conversation, {"operator": busy.pk}, 409, "over_capacity", busy)


@pytest.mark.parametrize("status", [Status.OFFLINE, Status.AWAY])
def test_an_agent_may_not_assign_to_a_teammate_who_is_not_online(
    client_for, agent, teammate, conversation, status
):
    Operator.objects.filter(pk=teammate.pk).update(status=status)

    refused(
        client_for(agent),
        conversation,
        {"operator": teammate.pk},
        400,
        "operator_not_online",
        teammate,
    )


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_nobody_assigns_to_a_deactivated_operator(
    client_for, make_operator, team, teammate, conversation, role
):
    Operator.objects.filter(pk=teammate.pk).update(is_active=False)
    actor = make_operator(role, [team])

    refused(
        client_for(actor),
        conversation,
        {"operator": teammate.pk},
        400,
        "operator_inactive",
        teammate,
    )


def test_a_transfer_to_a_deleted_team_is_not_found(client_for, agent, conversation):
    gone = TeamFactory()
    gone_id = gone.pk
    gone.delete()

    refused(client_for(agent), conversation, {"team": gone_id}, 404, "team_not_found")


def test_assigning_a_conversation_of_another_team_is_not_found_as_if_it_did_not_exist(
    client_for, agent, other_team
):
    foreign = conversation_open(inbox=InboxFactory(team=other_team), contact=ContactFactory())
    client = client_for(agent)

    refused(client, foreign, {"operator": agent.pk}, 404, "not_found", agent)
    refused(client, foreign, {"team": other_team.pk}, 404, "not_found")
    hidden = client.post(
        f"/api/v1/conversations/{foreign.pk}/assign", {"operator": agent.pk}, format="json"
    )
    missing = client.post(
        f"/api/v1/conversations/{foreign.pk + 1000}/assign", {"operator": agent.pk}, format="json"
    )
    assert hidden.json() == missing.json()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_a_supervisor_or_admin_may_assign_past_capacity_offline_and_outside_the_team(
    client_for, make_operator, team, other_team, teammate, conversation, role
):
    boss = make_operator(role, [])
    fill(teammate, team)
    stranger = make_operator(Role.AGENT, [other_team], status=Status.OFFLINE, max_chats=0)
    client = client_for(boss)

    def load(operator: Operator) -> int:
        return Conversation.objects.filter(assignee=operator).exclude(status="resolved").count()

    for operator, load_after in ((teammate, teammate.max_chats + 1), (stranger, 1)):
        response = client.post(
            f"/api/v1/conversations/{conversation.pk}/assign",
            {"operator": operator.pk},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["assignee"]["id"] == operator.pk
        assert response.json()["queue_position"] is None
        assert load(operator) == load_after  # past max_chats, by hand
