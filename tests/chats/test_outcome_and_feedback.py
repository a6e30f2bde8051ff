"""How a conversation ended and what its visitor thought (contract section 5): the outcome given
with a resolve, kept over a reopen until the next resolve; the rating on the conversation
object, pushed live to the consoles."""

from __future__ import annotations

import json

import pytest

from chats.models import Conversation, ConversationStatus
from chats.services.conversations import conversation_status_set
from reports.models import ReportEvent, ReportEventKind
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def status(client, conversation: Conversation, **body):
    return client.post(f"/api/v1/conversations/{conversation.pk}/status", body, format="json")


def test_a_resolve_with_a_sale_shows_on_the_conversation_and_in_the_reports(
    client_for, agent, conversation
):
    response = status(
        client_for(agent), conversation, status="resolved", outcome="sale", sale_amount="1234.50"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["outcome"], body["sale_amount"]) == (
        "resolved",
        "sale",
        "1234.50",
    )
    [resolved] = ReportEvent.objects.filter(
        conversation_id=conversation.pk, kind=ReportEventKind.RESOLVED
    )
    assert (resolved.outcome, str(resolved.sale_amount)) == ("sale", "1234.50")


def test_an_outcome_and_labels_in_one_step(client_for, agent, conversation):
    body = status(
        client_for(agent),
        conversation,
        status="resolved",
        outcome="forwarded",
        labels=["billing", "complaint"],
    ).json()

    assert (body["outcome"], body["labels"]) == ("forwarded", ["billing", "complaint"])


def test_a_resolve_without_an_outcome_has_none(client_for, agent, conversation):
    body = status(client_for(agent), conversation, status="resolved").json()

    assert (body["outcome"], body["sale_amount"], body["csat"]) == (None, None, None)


def test_reopening_keeps_the_outcome_until_the_next_resolve(client_for, agent, conversation):
    client = client_for(agent)
    status(client, conversation, status="resolved", outcome="solved")

    reopened = status(client, conversation, status="open").json()
    assert (reopened["status"], reopened["outcome"]) == ("open", "solved")

    again = status(client, conversation, status="resolved", outcome="not_solved").json()
    assert again["outcome"] == "not_solved"
    outcomes = ReportEvent.objects.filter(
        conversation_id=conversation.pk, kind=ReportEventKind.RESOLVED
    ).order_by("id")
    assert [row.outcome for row in outcomes] == ["solved", "not_solved"]


def test_an_outcome_given_after_the_resolve_replaces_that_resolves(client_for, agent, conversation):
    client = client_for(agent)
    status(client, conversation, status="resolved")

    body = status(client, conversation, status="resolved", outcome="sale", sale_amount="99").json()
    repeated = status(
        client, conversation, status="resolved", outcome="sale", sale_amount="99"
    ).json()

    assert (body["outcome"], body["sale_amount"]) == ("sale", "99.00")
    assert repeated == body
    [resolved] = ReportEvent.objects.filter(
        conversation_id=conversation.pk, kind=ReportEventKind.RESOLVED
    )
    assert (resolved.outcome, str(resolved.sale_amount)) == ("sale", "99.00")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"status": "open", "outcome": "solved"}, "outcome_without_resolve"),
        ({"status": "pending", "outcome": "sale", "sale_amount": "5"}, "outcome_without_resolve"),
        (
            {"status": "resolved", "outcome": "solved", "sale_amount": "5"},
            "sale_amount_without_sale",
        ),
        ({"status": "resolved", "outcome": "won"}, "invalid"),
        ({"status": "resolved", "outcome": "sale", "sale_amount": "-1"}, "invalid"),
        ({"status": "resolved", "outcome": "sale", "sale_amount": "1.234"}, "invalid"),
        ({"status": "resolved", "outcome": "sale", "sale_amount": "1e5"}, "invalid"),
        ({"status": "resolved", "outcome": "sale", "sale_amount": 12.5}, "invalid"),
        ({"status": "resolved", "outcome": "sale", "sale_amount": "9" * 20}, "invalid"),
        ({"status": "resolved", "outcome": ["sale"]}, "invalid"),
        ({"status": "resolved", "labels": "vip"}, "invalid"),
    ],
)
def test_a_wrong_outcome_is_refused_and_changes_nothing(
    client_for, agent, conversation, body, code
):
    response = status(client_for(agent), conversation, **body)

    assert_error(response, 400, code)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.outcome) == (ConversationStatus.OPEN, "")


def test_an_agent_of_another_team_cannot_set_an_outcome(
    client_for, make_operator, other_team, conversation
):
    stranger = make_operator(teams=[other_team])

    response = status(client_for(stranger), conversation, status="resolved", outcome="spam")

    assert_error(response, 404, "not_found")
    conversation.refresh_from_db()
    assert conversation.outcome == ""


def test_a_rating_shows_on_the_conversation_and_reaches_the_consoles_live(
    client_for,
    agent,
    conversation,
    visitor,
    widget_client_for,
    published,
    django_capture_on_commit_callbacks,
):
    conversation_status_set(conversation=conversation, actor=agent, status="resolved")
    published.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = widget_client_for(visitor[1]).post(
            "/api/widget/v1/csat", {"rating": 4, "comment": "Спасибо"}, format="json"
        )

    assert response.status_code == 201
    csat = client_for(agent).get(f"/api/v1/conversations/{conversation.pk}").json()["csat"]
    assert (csat["rating"], csat["comment"]) == (4, "Спасибо")
    frames = [json.loads(event["frame"]) for _group, event in published if "frame" in event]
    consoles = [frame for frame in frames if frame["type"] == "conversation"]
    assert consoles, published
    assert all(frame["conversation"]["csat"]["rating"] == 4 for frame in consoles)
    groups = {group for name, event in published for group in event.get("groups", [name])}
    assert not any(group.startswith("visitor.") for group in groups)  # the widget hears nothing
