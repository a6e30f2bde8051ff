"""chats.services.message_create: seq order, idempotency, commit-then-broadcast."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from chats import groups
from chats.audience import Audience, Scope
from chats.models import Message
from chats.services.authors import Author
from chats.services.messages import message_create
from helpdesk.errors import ServiceError
from tests.factories import OperatorFactory


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_senders_get_seqs_one_to_fifty_without_gaps(conversation, team):
    senders = [OperatorFactory(teams=[team]) for _ in range(50)]
    barrier = threading.Barrier(len(senders))
    errors: list[BaseException] = []

    def send(operator):
        try:
            barrier.wait()
            message_create(
                conversation_id=conversation.pk,
                author=Author.of_operator(operator),
                body=f"hello from {operator.username}",
                client_id="same-client-id",  # equal client_id of other senders: other messages
            )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = sorted(Message.objects.filter(conversation=conversation).values_list("seq", flat=True))
    assert seqs == list(range(1, 51))
    conversation.refresh_from_db()
    assert conversation.last_seq == 50


@pytest.mark.django_db
def test_resending_a_client_id_returns_the_first_message_whatever_the_body(conversation, agent):
    first, created = message_create(
        conversation_id=conversation.pk,
        author=Author.of_operator(agent),
        body="one",
        client_id="c1",
    )
    again, created_again = message_create(
        conversation_id=conversation.pk,
        author=Author.of_operator(agent),
        body="two",
        client_id="c1",
    )
    assert created and not created_again
    assert again.pk == first.pk and again.body == "one"
    assert Message.objects.filter(conversation=conversation).count() == 1
    conversation.refresh_from_db()
    assert conversation.last_seq == 1  # the refused resend used no seq


@pytest.mark.django_db
def test_body_is_stored_verbatim(conversation, agent):
    body = "  <script>alert(1)</script>\n'; DROP TABLE chats_message; --  \n"
    message, _ = message_create(
        conversation_id=conversation.pk, author=Author.of_operator(agent), body=body
    )
    message.refresh_from_db()
    assert message.body == body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "empty_body"),
        ("  \n\t ", "empty_body"),
        ("x" * 10_001, "body_too_long"),
        (5, "invalid_body"),
    ],
)
def test_bad_bodies_are_refused_and_store_nothing(conversation, agent, body, code):
    with pytest.raises(ServiceError) as raised:
        message_create(conversation_id=conversation.pk, author=Author.of_operator(agent), body=body)
    assert raised.value.code == code
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_body_of_exactly_ten_thousand_characters_is_accepted(conversation, agent):
    message, created = message_create(
        conversation_id=conversation.pk, author=Author.of_operator(agent), body="я" * 10_000
    )
    assert created and len(message.body) == 10_000


@pytest.mark.django_db
def test_private_note_is_broadcast_to_consoles_only(
    conversation, agent, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message_create(
            conversation_id=conversation.pk,
            author=Author.of_operator(agent),
            body="internal: refund approved",
            private=True,
        )
    visitor_group = groups.visitor(conversation.contact_id, conversation.inbox_id)
    assert published.to(visitor_group) == []
    inbox_group = groups.inbox(conversation.inbox_id)
    assert published.to(inbox_group) == published.to(groups.SUPERVISORS)
    console_frames = [e["frame"] for e in published.to(inbox_group)]
    assert any("internal: refund approved" in frame for frame in console_frames)


@pytest.mark.django_db
def test_nothing_is_broadcast_before_the_commit(conversation, agent, published):
    # `db` wraps the test in a transaction that never commits: nothing may be announced.
    message_create(conversation_id=conversation.pk, author=Author.of_operator(agent), body="hi")
    assert published == []


def test_a_conversation_event_goes_to_the_groups_of_its_audience():
    audience = Audience(inbox=3, team=7, assignee=11)
    moved_from = Audience(inbox=3, team=5, assignee=None)
    assert groups.of_audiences([audience, moved_from]) == [
        "supervisors",
        "inbox.3",
        "team.7",
        "assigned.11",
        "team.5",
    ]


def test_a_console_follows_the_groups_of_its_scope():
    agent_scope = Scope(
        operator_id=4, sees_everything=False, inbox_ids=frozenset({3}), team_ids=frozenset({7})
    )
    assert groups.of_scope(agent_scope) == {"assigned.4", "inbox.3", "team.7"}
    boss = Scope(operator_id=1, sees_everything=True, inbox_ids=frozenset(), team_ids=frozenset())
    assert groups.of_scope(boss) == {"supervisors"}
    assert groups.of_console_socket(4) == {"console", "operator.4"}
