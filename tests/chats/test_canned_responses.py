"""Canned responses (`/api/v1/canned-responses`): personal ones for everyone, team ones
managed by the team's supervisors and by admins."""

from __future__ import annotations

import pytest

from chats.models import CannedResponse
from operators.models import Role
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/canned-responses"
FIELDS = {"id", "shortcut", "title", "body", "scope", "team", "owner"}


def detail(canned_id: int) -> str:
    return f"{URL}/{canned_id}"


def personal(owner, shortcut: str = "hello", body: str = "Hello, {{contact.name}}!", **extra):
    return CannedResponse.objects.create(owner=owner, shortcut=shortcut, body=body, **extra)


def team_response(team, shortcut: str = "refund", body: str = "Refunds take 5 days.", **extra):
    return CannedResponse.objects.create(team=team, shortcut=shortcut, body=body, **extra)


@pytest.fixture
def team_supervisor(make_operator, team):
    return make_operator(Role.SUPERVISOR, [team])


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"results", "next"}
    return body["results"]


# --- create -----------------------------------------------------------------------------------


def test_an_agent_creates_a_personal_response(client_for, agent):
    response = client_for(agent).post(
        URL,
        {"shortcut": "greet", "title": "Greeting", "body": "  Hi {{contact.name}},\n"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == FIELDS
    assert body["shortcut"] == "greet"
    assert body["title"] == "Greeting"
    assert body["body"] == "  Hi {{contact.name}},\n"  # stored exactly as typed
    assert body["scope"] == "personal"
    assert body["owner"] == agent.pk
    assert body["team"] is None
    assert CannedResponse.objects.get(pk=body["id"]).owner_id == agent.pk


def test_the_title_is_optional(client_for, agent):
    response = client_for(agent).post(URL, {"shortcut": "x", "body": "b"}, format="json")

    assert response.status_code == 201
    assert response.json()["title"] == ""


def test_a_supervisor_of_the_team_creates_a_team_response(client_for, team_supervisor, team):
    response = client_for(team_supervisor).post(
        URL, {"shortcut": "refund", "body": "Refunds take 5 days.", "team": team.pk}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scope"] == "team"
    assert body["team"] == team.pk
    assert body["owner"] is None


def test_an_admin_creates_a_response_for_any_team(client_for, admin, other_team):
    response = client_for(admin).post(
        URL, {"shortcut": "refund", "body": "b", "team": other_team.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["team"] == other_team.pk


def test_an_agent_may_not_create_a_team_response(client_for, agent, team):
    response = client_for(agent).post(
        URL, {"shortcut": "refund", "body": "b", "team": team.pk}, format="json"
    )

    assert_error(response, 403, "forbidden")
    assert not CannedResponse.objects.exists()


def test_a_supervisor_may_not_create_a_response_for_a_team_not_theirs(
    client_for, team_supervisor, other_team
):
    response = client_for(team_supervisor).post(
        URL, {"shortcut": "refund", "body": "b", "team": other_team.pk}, format="json"
    )

    assert_error(response, 403, "forbidden")


def test_an_unknown_team_answers_404(client_for, admin):
    response = client_for(admin).post(
        URL, {"shortcut": "refund", "body": "b", "team": 999999}, format="json"
    )

    assert_error(response, 404, "team_not_found")


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"shortcut": "Hello", "body": "b"}, "invalid_shortcut"),
        ({"shortcut": "with space", "body": "b"}, "invalid_shortcut"),
        ({"shortcut": "", "body": "b"}, "invalid_shortcut"),
        ({"shortcut": "a" * 33, "body": "b"}, "invalid_shortcut"),
        ({"shortcut": 12, "body": "b"}, "invalid_shortcut"),
        ({"body": "b"}, "invalid_shortcut"),
        ({"shortcut": "ok"}, "invalid_body"),
        ({"shortcut": "ok", "body": ""}, "empty_body"),
        ({"shortcut": "ok", "body": " \n\t "}, "empty_body"),
        ({"shortcut": "ok", "body": ["b"]}, "invalid_body"),
        ({"shortcut": "ok", "body": "a\x00b"}, "invalid_body"),
        ({"shortcut": "ok", "body": "b", "title": 5}, "invalid_title"),
        ({"shortcut": "ok", "body": "b", "team": "1"}, "invalid"),
        ({"shortcut": "ok", "body": "b", "team": True}, "invalid"),
        ({"shortcut": "ok", "body": "b", "owner": 1}, "invalid"),
    ],
)
def test_malformed_input_answers_400(client_for, admin, payload, code):
    response = client_for(admin).post(URL, payload, format="json")

    assert_error(response, 400, code)
    assert not CannedResponse.objects.exists()


def test_a_body_that_is_not_an_object_answers_400(client_for, agent):
    assert_error(client_for(agent).post(URL, ["x"], format="json"), 400, "invalid")


def test_a_body_of_exactly_5000_characters_is_accepted_and_5001_is_not(client_for, agent):
    client = client_for(agent)

    ok = client.post(URL, {"shortcut": "long", "body": "я" * 5000}, format="json")
    too_long = client.post(URL, {"shortcut": "longer", "body": "я" * 5001}, format="json")
    long_title = client.post(
        URL, {"shortcut": "titled", "body": "b", "title": "t" * 201}, format="json"
    )

    assert ok.status_code == 201
    assert_error(too_long, 400, "body_too_long")
    assert_error(long_title, 400, "title_too_long")


def test_a_request_over_1_mib_answers_413(client_for, agent):
    response = client_for(agent).post(
        URL, {"shortcut": "huge", "body": "x" * (1024 * 1024 + 10)}, format="json"
    )

    assert_error(response, 413, "too_large")


def test_a_repeated_shortcut_answers_409_and_stores_nothing_new(client_for, agent):
    client = client_for(agent)
    first = client.post(URL, {"shortcut": "hi", "body": "one"}, format="json")
    again = client.post(URL, {"shortcut": "hi", "body": "two"}, format="json")

    assert first.status_code == 201
    assert_error(again, 409, "shortcut_taken")
    assert CannedResponse.objects.get().body == "one"


def test_the_same_shortcut_may_exist_once_per_owner_and_once_per_team(
    client_for, agent, make_operator, team, team_supervisor
):
    colleague = make_operator(Role.AGENT, [team])
    assert (
        client_for(agent).post(URL, {"shortcut": "hi", "body": "a"}, format="json").status_code
        == 201
    )
    assert (
        client_for(colleague).post(URL, {"shortcut": "hi", "body": "b"}, format="json").status_code
        == 201
    )
    team_client = client_for(team_supervisor)
    assert (
        team_client.post(URL, {"shortcut": "hi", "body": "c", "team": team.pk}, format="json")
    ).status_code == 201
    assert_error(
        team_client.post(URL, {"shortcut": "hi", "body": "d", "team": team.pk}, format="json"),
        409,
        "shortcut_taken",
    )


def test_anonymous_callers_answer_401(api_client):
    assert_error(api_client.get(URL), 401, "not_authenticated")
    assert_error(
        api_client.post(URL, {"shortcut": "a", "body": "b"}, format="json"),
        401,
        "not_authenticated",
    )
    assert_error(
        api_client.patch(detail(1), {"body": "b"}, format="json"), 401, "not_authenticated"
    )
    assert_error(api_client.delete(detail(1)), 401, "not_authenticated")


# --- list -------------------------------------------------------------------------------------


def test_an_agent_lists_their_own_and_their_teams_responses(
    client_for, agent, make_operator, team, other_team
):
    mine = personal(agent, "mine")
    colleague = make_operator(Role.AGENT, [team])
    personal(colleague, "theirs")
    ours = team_response(team, "ours")
    team_response(other_team, "foreign")

    rows = results(client_for(agent).get(URL))

    assert [row["id"] for row in rows] == [mine.pk, ours.pk]  # by shortcut
    assert all(set(row) == FIELDS for row in rows)
    assert rows[1] == {
        "id": ours.pk,
        "shortcut": "ours",
        "title": "",
        "body": "Refunds take 5 days.",
        "scope": "team",
        "team": team.pk,
        "owner": None,
    }


def test_a_supervisor_lists_every_team_response_and_only_their_own_personal_ones(
    client_for, supervisor, agent, team, other_team
):
    own = personal(supervisor, "own")
    personal(agent, "agents")
    first = team_response(team, "a-team")
    second = team_response(other_team, "b-team")

    rows = results(client_for(supervisor).get(URL))

    assert [row["id"] for row in rows] == [first.pk, second.pk, own.pk]


def test_q_filters_by_shortcut_title_or_body_ignoring_case(client_for, agent, team):
    by_shortcut = personal(agent, "delivery", "x")
    by_title = personal(agent, "b", "x", title="About DELIVERY")
    by_body = team_response(team, "c", "Your delivery is on its way")
    personal(agent, "other", "nothing here")

    rows = results(client_for(agent).get(URL, {"q": "Deliver"}))

    assert {row["id"] for row in rows} == {by_shortcut.pk, by_title.pk, by_body.pk}


def test_a_long_or_nul_search_answers_400(client_for, agent):
    client = client_for(agent)
    assert_error(client.get(URL, {"q": "x" * 201}), 400, "invalid")
    assert_error(client.get(URL, {"q": "a\x00"}), 400, "invalid")


def test_the_list_pages_with_next(client_for, agent):
    for index in range(5):
        personal(agent, f"s{index}")
    client = client_for(agent)

    seen: list[str] = []
    url: str | None = f"{URL}?limit=2"
    while url:
        body = client.get(url).json()
        seen.extend(row["shortcut"] for row in body["results"])
        url = body["next"]

    assert seen == ["s0", "s1", "s2", "s3", "s4"]


def test_a_bad_cursor_answers_400(client_for, agent):
    assert_error(client_for(agent).get(URL, {"cursor": "nonsense"}), 400, "invalid_cursor")


def test_the_list_costs_the_same_queries_for_many_rows(
    client_for, agent, team, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(agent)
    personal(agent, "first")
    with CaptureQueriesContext(connection) as few:
        assert len(results(client.get(URL))) == 1
    for index in range(30):
        personal(agent, f"p{index}")
        team_response(team, f"t{index}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(results(client.get(URL))) == 61


# --- change and delete ------------------------------------------------------------------------


def test_the_owner_changes_a_personal_response(client_for, agent):
    canned = personal(agent)

    response = client_for(agent).patch(
        detail(canned.pk), {"body": "New text", "title": "T"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["body"] == "New text"
    assert response.json()["title"] == "T"
    assert response.json()["shortcut"] == "hello"
    canned.refresh_from_db()
    assert canned.body == "New text"


def test_a_repeated_patch_answers_the_same_object(client_for, agent):
    canned = personal(agent)
    client = client_for(agent)

    first = client.patch(detail(canned.pk), {"body": "Same"}, format="json")
    second = client.patch(detail(canned.pk), {"body": "Same"}, format="json")

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()


def test_a_patch_to_a_shortcut_in_use_answers_409(client_for, agent):
    personal(agent, "taken")
    canned = personal(agent, "free")

    response = client_for(agent).patch(detail(canned.pk), {"shortcut": "taken"}, format="json")

    assert_error(response, 409, "shortcut_taken")
    canned.refresh_from_db()
    assert canned.shortcut == "free"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"shortcut": "BAD"}, "invalid_shortcut"),
        ({"body": ""}, "empty_body"),
        ({"body": "x" * 5001}, "body_too_long"),
        ({"team": 1}, "invalid"),
        ({"scope": "team"}, "invalid"),
    ],
)
def test_a_malformed_patch_answers_400_and_changes_nothing(client_for, agent, payload, code):
    canned = personal(agent)

    assert_error(client_for(agent).patch(detail(canned.pk), payload, format="json"), 400, code)
    canned.refresh_from_db()
    assert (canned.shortcut, canned.body) == ("hello", "Hello, {{contact.name}}!")


def test_someone_elses_personal_response_does_not_exist_for_them(
    client_for, agent, make_operator, team, admin
):
    canned = personal(make_operator(Role.AGENT, [team]))

    for caller in (agent, admin):
        client = client_for(caller)
        assert_error(client.get(detail(canned.pk)), 404, "not_found")
        assert_error(
            client.patch(detail(canned.pk), {"body": "x"}, format="json"), 404, "not_found"
        )
        assert_error(client.delete(detail(canned.pk)), 404, "not_found")
    assert CannedResponse.objects.filter(pk=canned.pk).exists()


def test_another_teams_response_answers_404_to_an_agent(client_for, agent, other_team):
    canned = team_response(other_team)
    client = client_for(agent)

    assert_error(client.get(detail(canned.pk)), 404, "not_found")
    assert_error(client.patch(detail(canned.pk), {"body": "x"}, format="json"), 404, "not_found")
    assert_error(client.delete(detail(canned.pk)), 404, "not_found")


def test_an_agent_may_use_but_not_change_their_teams_responses(client_for, agent, team):
    canned = team_response(team)
    client = client_for(agent)

    assert client.get(detail(canned.pk)).status_code == 200
    assert_error(client.patch(detail(canned.pk), {"body": "x"}, format="json"), 403, "forbidden")
    assert_error(client.delete(detail(canned.pk)), 403, "forbidden")


def test_a_supervisor_changes_their_teams_response_but_not_another_teams(
    client_for, team_supervisor, team, other_team
):
    ours = team_response(team)
    theirs = team_response(other_team)
    client = client_for(team_supervisor)

    assert client.patch(detail(ours.pk), {"body": "x"}, format="json").status_code == 200
    assert_error(client.patch(detail(theirs.pk), {"body": "x"}, format="json"), 403, "forbidden")
    assert_error(client.delete(detail(theirs.pk)), 403, "forbidden")


def test_an_admin_deletes_any_teams_response_once(client_for, admin, other_team):
    canned = team_response(other_team)
    client = client_for(admin)

    assert client.delete(detail(canned.pk)).status_code == 204
    assert_error(client.delete(detail(canned.pk)), 404, "not_found")
    assert not CannedResponse.objects.exists()


def test_the_owner_deletes_a_personal_response(client_for, agent):
    canned = personal(agent)

    response = client_for(agent).delete(detail(canned.pk))

    assert response.status_code == 204
    assert not response.content
    assert not CannedResponse.objects.exists()


def test_an_unsupported_method_answers_405(client_for, agent):
    assert_error(client_for(agent).put(URL, {}, format="json"), 405, "method_not_allowed")
