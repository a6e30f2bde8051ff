"""`/api/v1/me`, `/api/v1/operators` and `/api/v1/teams`."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from chats.models import ConversationStatus
from chats.services.conversations import conversation_open
from operators.models import Operator, Role, Status, Team
from tests.factories import PASSWORD, ContactFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

ME_FIELDS = {"id", "username", "name", "role", "status", "teams"}


def new_operator_payload(team: Team, **overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "username": "new.agent",
        "password": "a-long-enough-Passw0rd",
        "name": "New Agent",
        "role": "agent",
        "teams": [team.pk],
        "max_chats": 3,
    }
    payload.update(overrides)
    return payload


# --- me ---------------------------------------------------------------------------------------


def test_me_describes_the_caller(client_for, agent, team, other_team):
    agent.teams.add(other_team)

    response = client_for(agent).get("/api/v1/me")

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= ME_FIELDS
    assert {key: body[key] for key in ME_FIELDS} == {
        "id": agent.pk,
        "username": agent.username,
        "name": agent.name,
        "role": "agent",
        "status": "online",
        "teams": sorted([team.pk, other_team.pk]),
    }


def test_me_falls_back_to_the_username_when_the_operator_has_no_name(client_for, make_operator):
    operator = make_operator(name="")

    assert client_for(operator).get("/api/v1/me").json()["name"] == operator.username


@pytest.mark.parametrize("new_status", ["online", "away", "offline"])
def test_an_operator_sets_their_own_status(client_for, make_operator, new_status):
    operator = make_operator(status=Status.AWAY if new_status == "online" else Status.ONLINE)

    response = client_for(operator).patch("/api/v1/me", {"status": new_status}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == new_status
    operator.refresh_from_db()
    assert operator.status == new_status


def test_an_unknown_status_is_refused(client_for, agent):
    response = client_for(agent).patch("/api/v1/me", {"status": "busy"}, format="json")

    assert_error(response, 400, "invalid")
    agent.refresh_from_db()
    assert agent.status == Status.ONLINE


def test_patching_me_cannot_raise_the_callers_role(client_for, agent):
    response = client_for(agent).patch(
        "/api/v1/me", {"status": "away", "role": "admin", "max_chats": 100}, format="json"
    )

    assert response.status_code == 200
    agent.refresh_from_db()
    assert agent.role == Role.AGENT
    assert agent.max_chats == 5


def test_me_needs_a_token():
    assert_error(APIClient().get("/api/v1/me"), 401, "not_authenticated")


# --- operators --------------------------------------------------------------------------------


def test_an_admin_creates_an_operator_who_can_then_log_in(client_for, admin, team):
    response = client_for(admin).post(
        "/api/v1/operators", new_operator_payload(team), format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "new.agent"
    assert body["name"] == "New Agent"
    assert body["role"] == "agent"
    assert body["teams"] == [team.pk]
    assert body["max_chats"] == 3
    assert body["is_active"] is True
    assert "password" not in body
    created = Operator.objects.get(pk=body["id"])
    assert created.check_password("a-long-enough-Passw0rd")
    login = APIClient().post(
        "/api/v1/auth/token",
        {"username": "new.agent", "password": "a-long-enough-Passw0rd"},
        format="json",
    )
    assert login.status_code == 201


def test_an_admin_creates_a_supervisor(client_for, admin, team):
    response = client_for(admin).post(
        "/api/v1/operators", new_operator_payload(team, role="supervisor"), format="json"
    )

    assert response.status_code == 201
    assert Operator.objects.get(pk=response.json()["id"]).role == Role.SUPERVISOR


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_only_an_admin_creates_operators(client_for, make_operator, team, role):
    caller = make_operator(role, [team])

    response = client_for(caller).post(
        "/api/v1/operators", new_operator_payload(team), format="json"
    )

    assert_error(response, 403, "forbidden")
    assert not Operator.objects.filter(username="new.agent").exists()


def test_a_taken_username_answers_409(client_for, admin, agent, team):
    response = client_for(admin).post(
        "/api/v1/operators", new_operator_payload(team, username=agent.username), format="json"
    )

    assert_error(response, 409, "username_taken")


def test_a_weak_password_is_refused(client_for, admin, team):
    response = client_for(admin).post(
        "/api/v1/operators", new_operator_payload(team, password="123"), format="json"
    )

    assert_error(response, 400, "invalid_password")
    assert not Operator.objects.filter(username="new.agent").exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"role": "owner"},
        {"teams": "1"},
        {"max_chats": -1},
        {"max_chats": "many"},
        {"username": ""},
        {"username": "has spaces"},
    ],
)
def test_bad_operator_fields_are_refused(client_for, admin, team, overrides):
    response = client_for(admin).post(
        "/api/v1/operators", new_operator_payload(team, **overrides), format="json"
    )

    assert_error(response, 400, "invalid")
    assert not Operator.objects.filter(name="New Agent").exists()


def test_a_supervisor_lists_operators_with_status_and_current_load(
    client_for, supervisor, agent, inbox
):
    for index in range(3):
        conversation = conversation_open(inbox=inbox, contact=ContactFactory())
        conversation.assignee = agent
        conversation.status = ConversationStatus.RESOLVED if index == 0 else "open"
        conversation.save()

    response = client_for(supervisor).get("/api/v1/operators")

    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    rows = {row["id"]: row for row in body["results"]}
    assert set(rows) == {supervisor.pk, agent.pk}
    assert rows[agent.pk]["status"] == "online"
    assert rows[agent.pk]["load"] == 2  # the resolved one does not count
    assert rows[agent.pk]["max_chats"] == 5
    assert rows[supervisor.pk]["load"] == 0


def test_an_admin_lists_operators(client_for, admin, agent):
    response = client_for(admin).get("/api/v1/operators")

    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {admin.pk, agent.pk}


def test_an_agent_may_not_list_operators(client_for, agent):
    assert_error(client_for(agent).get("/api/v1/operators"), 403, "forbidden")


def test_an_admin_changes_an_operator(client_for, admin, agent, team, other_team):
    response = client_for(admin).patch(
        f"/api/v1/operators/{agent.pk}",
        {"name": "Renamed", "role": "supervisor", "teams": [other_team.pk], "max_chats": 9},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Renamed"
    assert body["role"] == "supervisor"
    assert body["teams"] == [other_team.pk]
    assert body["max_chats"] == 9
    agent.refresh_from_db()
    assert agent.role == Role.SUPERVISOR
    assert list(agent.teams.all()) == [other_team]


def test_a_partial_change_leaves_the_other_fields_alone(client_for, admin, agent, team):
    response = client_for(admin).patch(
        f"/api/v1/operators/{agent.pk}", {"max_chats": 2}, format="json"
    )

    assert response.status_code == 200
    agent.refresh_from_db()
    assert agent.max_chats == 2
    assert agent.role == Role.AGENT
    assert list(agent.teams.all()) == [team]


def test_a_deactivated_operator_loses_api_access(client_for, admin, agent):
    agent_client = client_for(agent)

    response = client_for(admin).patch(
        f"/api/v1/operators/{agent.pk}", {"is_active": False}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert_error(agent_client.get("/api/v1/me"), 401, "not_authenticated")
    login = APIClient().post(
        "/api/v1/auth/token", {"username": agent.username, "password": PASSWORD}, format="json"
    )
    assert_error(login, 401, "invalid_credentials")


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_only_an_admin_changes_operators(client_for, make_operator, agent, role):
    caller = make_operator(role)

    response = client_for(caller).patch(
        f"/api/v1/operators/{agent.pk}", {"role": "admin"}, format="json"
    )

    assert_error(response, 403, "forbidden")
    agent.refresh_from_db()
    assert agent.role == Role.AGENT


def test_an_agent_cannot_make_itself_admin(client_for, agent):
    response = client_for(agent).patch(
        f"/api/v1/operators/{agent.pk}", {"role": "admin"}, format="json"
    )

    assert_error(response, 403, "forbidden")


def test_changing_an_unknown_operator_answers_404(client_for, admin):
    response = client_for(admin).patch("/api/v1/operators/999999", {"name": "x"}, format="json")

    assert_error(response, 404, "not_found")


# --- teams ------------------------------------------------------------------------------------


def test_an_admin_creates_a_team(client_for, admin):
    response = client_for(admin).post("/api/v1/teams", {"name": "Billing"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Billing"
    assert Team.objects.get(pk=body["id"]).name == "Billing"


def test_a_team_name_is_unique(client_for, admin, team):
    response = client_for(admin).post("/api/v1/teams", {"name": team.name}, format="json")

    assert_error(response, 409, "team_exists")


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_only_an_admin_creates_teams(client_for, make_operator, role):
    response = client_for(make_operator(role)).post(
        "/api/v1/teams", {"name": "Sales"}, format="json"
    )

    assert_error(response, 403, "forbidden")
    assert not Team.objects.filter(name="Sales").exists()


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_any_operator_lists_the_teams(client_for, make_operator, team, other_team, role):
    response = client_for(make_operator(role)).get("/api/v1/teams")

    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert body["results"] == [
        {"id": team.pk, "name": team.name},
        {"id": other_team.pk, "name": other_team.name},
    ]


def test_a_team_without_a_name_is_refused(client_for, admin):
    assert_error(client_for(admin).post("/api/v1/teams", {}, format="json"), 400, "invalid")
    assert_error(
        client_for(admin).post("/api/v1/teams", {"name": ""}, format="json"), 400, "invalid"
    )


def test_creating_an_operator_in_a_team_that_does_not_exist_answers_404(client_for, admin, team):
    response = client_for(admin).post(
        "/api/v1/operators", new_operator_payload(team, teams=[team.pk, 999_999]), format="json"
    )

    assert_error(response, 404, "team_not_found")
    assert not Operator.objects.filter(username="new.agent").exists()


def test_an_empty_patch_of_me_changes_nothing(client_for, agent):
    before = agent.status

    response = client_for(agent).patch("/api/v1/me", {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == before
    agent.refresh_from_db()
    assert agent.status == before
