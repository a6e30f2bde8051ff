"""`PATCH /api/v1/me` with `language`: what the helpdesk writes to the operator in (the console
sends it when the operator switches its language)."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def test_an_operator_keeps_their_language_on_the_server(client_for, agent):
    client = client_for(agent)

    body = client.patch("/api/v1/me", {"language": "ru"}, format="json").json()
    again = client.patch("/api/v1/me", {"language": "ru"}, format="json").json()

    assert body["language"] == again["language"] == "ru"
    agent.refresh_from_db()
    assert (agent.language, agent.status) == ("ru", "online")
    assert client.patch("/api/v1/me", {"language": ""}, format="json").json()["language"] == ""


@pytest.mark.parametrize("language", ["de", "RU", 7, ["ru"], "x" * 100])
def test_an_unknown_language_is_refused_and_changes_nothing(client_for, agent, language):
    response = client_for(agent).patch("/api/v1/me", {"language": language}, format="json")

    assert_error(response, 400, "invalid")
    agent.refresh_from_db()
    assert agent.language == ""
