"""The routing watchdog's inbox settings over the admin REST API: `reassign_unanswered_after`
(seconds, null: off) and `route_to_last_operator`, on `POST /api/v1/inboxes` and
`PATCH /api/v1/inboxes/{id}`."""

from __future__ import annotations

import pytest

from chats.models import Inbox
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def create(client, team, **fields):
    payload = {"name": "Widget", "channel": "web", "team": team.pk, **fields}
    return client.post("/api/v1/inboxes", payload, format="json")


def patch(client, inbox, payload):
    return client.patch(f"/api/v1/inboxes/{inbox.pk}", payload, format="json")


def test_an_inbox_is_created_with_the_watchdog_off_by_default(client_for, admin, team):
    body = create(client_for(admin), team).json()

    assert body["reassign_unanswered_after"] is None
    assert body["route_to_last_operator"] is False


def test_an_admin_creates_an_inbox_with_the_watchdog_settings(client_for, admin, team):
    response = create(
        client_for(admin), team, reassign_unanswered_after=90, route_to_last_operator=True
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["reassign_unanswered_after"], body["route_to_last_operator"]) == (90, True)
    inbox = Inbox.objects.get(pk=body["id"])
    assert (inbox.reassign_unanswered_after, inbox.route_to_last_operator) == (90, True)


def test_an_admin_changes_one_setting_and_keeps_the_other(client_for, admin, inbox):
    client = client_for(admin)

    first = patch(client, inbox, {"reassign_unanswered_after": 300})
    second = patch(client, inbox, {"route_to_last_operator": True})

    assert first.status_code == 200, first.content
    assert first.json()["reassign_unanswered_after"] == 300
    assert first.json()["identity_secret"] == inbox.identity_secret  # the admin's view
    body = second.json()
    assert (body["reassign_unanswered_after"], body["route_to_last_operator"]) == (300, True)
    assert (body["id"], body["name"], body["routing"]) == (inbox.pk, inbox.name, inbox.routing)


def test_null_turns_the_reassignment_off_and_repeating_a_change_is_harmless(
    client_for, admin, inbox
):
    client = client_for(admin)
    patch(client, inbox, {"reassign_unanswered_after": 60})

    for _ in range(2):
        response = patch(client, inbox, {"reassign_unanswered_after": None})
        assert response.status_code == 200
        assert response.json()["reassign_unanswered_after"] is None
    assert patch(client, inbox, {}).status_code == 200
    inbox.refresh_from_db()
    assert inbox.reassign_unanswered_after is None


def test_operators_see_the_settings_in_the_inbox_list(client_for, agent, inbox):
    Inbox.objects.filter(pk=inbox.pk).update(
        reassign_unanswered_after=120, route_to_last_operator=True
    )

    (listed,) = client_for(agent).get("/api/v1/inboxes").json()["results"]

    assert (listed["reassign_unanswered_after"], listed["route_to_last_operator"]) == (120, True)
    assert "identity_secret" not in listed


BAD_VALUES = [
    {"reassign_unanswered_after": "60"},
    {"reassign_unanswered_after": 60.5},
    {"reassign_unanswered_after": True},
    {"reassign_unanswered_after": 0},
    {"reassign_unanswered_after": -5},
    {"reassign_unanswered_after": 9},
    {"reassign_unanswered_after": 86_401},
    {"reassign_unanswered_after": 10**30},
    {"reassign_unanswered_after": [60]},
    {"route_to_last_operator": "yes"},
    {"route_to_last_operator": 1},
    {"route_to_last_operator": None},
    {"route_to_last_operator": {"on": True}},
]


@pytest.mark.parametrize("payload", BAD_VALUES)
def test_bad_values_are_refused_on_create(client_for, admin, team, payload):
    assert_error(create(client_for(admin), team, **payload), 400, "invalid")
    assert not Inbox.objects.exists()


@pytest.mark.parametrize(
    "payload", [*BAD_VALUES, {"channel": "email"}, {"routing": "manual", "unknown": 1}]
)
def test_bad_values_and_unknown_fields_are_refused_on_change(client_for, admin, inbox, payload):
    assert_error(patch(client_for(admin), inbox, payload), 400, "invalid")
    inbox.refresh_from_db()
    assert (inbox.reassign_unanswered_after, inbox.route_to_last_operator) == (None, False)
    assert inbox.name != "Renamed"


def test_the_bounds_are_accepted(client_for, admin, inbox):
    client = client_for(admin)

    assert patch(client, inbox, {"reassign_unanswered_after": 10}).status_code == 200
    assert patch(client, inbox, {"reassign_unanswered_after": 86_400}).status_code == 200


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_only_an_admin_changes_an_inbox(client_for, make_operator, team, inbox, role):
    response = patch(
        client_for(make_operator(role, [team])), inbox, {"route_to_last_operator": True}
    )

    assert_error(response, 403, "forbidden")
    inbox.refresh_from_db()
    assert inbox.route_to_last_operator is False


def test_changing_an_inbox_needs_authentication(api_client, inbox):
    assert_error(
        patch(api_client, inbox, {"route_to_last_operator": True}), 401, "not_authenticated"
    )


def test_an_unknown_inbox_answers_404(client_for, admin):
    response = client_for(admin).patch(
        "/api/v1/inboxes/999999", {"route_to_last_operator": True}, format="json"
    )

    assert_error(response, 404, "not_found")


def test_other_methods_on_an_inbox_answer_405(client_for, admin, inbox):
    client = client_for(admin)

    assert_error(client.delete(f"/api/v1/inboxes/{inbox.pk}"), 405, "method_not_allowed")
    assert_error(
        client.put(f"/api/v1/inboxes/{inbox.pk}", {}, format="json"), 405, "method_not_allowed"
    )


def test_an_inbox_for_a_team_that_does_not_exist_answers_404(client_for, admin):
    response = client_for(admin).post(
        "/api/v1/inboxes", {"name": "Site", "channel": "web", "team": 999_999}, format="json"
    )

    assert_error(response, 404, "team_not_found")
