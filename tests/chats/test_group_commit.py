"""Group commit of visitors' messages (`chats.services.message_batch`, `chats.consumers.writer`):
many sends in one statement, with every guarantee of one send on its own."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any

import pytest
from django.db import OperationalError, connection, connections

from chats.consumers.writer import VisitorMessageWriter
from chats.models import Message
from chats.services import authors, conversations, message_batch, message_store, messages
from chats.services.message_batch import VisitorSend, visitor_messages_send
from helpdesk import pg_async
from helpdesk.errors import ServiceError
from tests.factories import visitor_for
from tests.ws_helpers import on_db, receive_until


def _visitor_with_conversation(inbox: Any) -> Any:
    visitor, _token = visitor_for(inbox)
    conversations.conversation_open(inbox=inbox, contact=visitor.contact)
    return visitor


def _seqs(conversation_id: int) -> list[int]:
    return sorted(
        Message.objects.filter(conversation_id=conversation_id).values_list("seq", flat=True)
    )


@pytest.mark.django_db
def test_a_batch_with_repeated_and_already_stored_client_ids_stores_each_message_once(
    visitor, conversation
):
    person = visitor[0]
    earlier, _created = messages.visitor_message_send(visitor=person, body="old", client_id="c0")

    outcomes = visitor_messages_send(
        [
            VisitorSend(person, "first", "c1"),
            VisitorSend(person, "second", "c2"),
            VisitorSend(person, "first, again", "c1"),  # a resend within the batch
            VisitorSend(person, "old, again", "c0"),  # a resend of a stored message
            VisitorSend(person, "no client id", None),
            VisitorSend(person, "   ", "c3"),  # refused: this one only
        ]
    )

    first, second, first_again, old_again, plain, refused = outcomes
    assert isinstance(first, tuple) and first[1] is True and first[0].seq == 2
    assert isinstance(second, tuple) and second[1] is True and second[0].seq == 3
    assert first_again == (first[0], False)
    assert isinstance(old_again, tuple) and old_again[0].pk == earlier.pk and not old_again[1]
    assert isinstance(plain, tuple) and plain[1] is True and plain[0].seq == 4
    assert isinstance(refused, ServiceError) and refused.code == "empty_body"
    assert _seqs(conversation.pk) == [1, 2, 3, 4]
    stored = Message.objects.get(pk=first[0].pk)
    assert (stored.body, stored.client_id, stored.sender_key) == ("first", "c1", person_key(person))
    conversation.refresh_from_db()
    assert conversation.last_seq == 4


def person_key(visitor: Any) -> str:
    return f"c{visitor.contact_id}"


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_and_single_sends_keep_every_conversation_gapless(inbox, agent):
    visitors = [_visitor_with_conversation(inbox) for _ in range(4)]
    conversations = [
        messages.visitor_message_send(visitor=v, body="hi", client_id=None)[0].conversation_id
        for v in visitors
    ]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def batches(worker: int) -> None:
        try:
            barrier.wait()
            for round_ in range(5):
                # every batch writes into every conversation, twice into some
                sends = [
                    VisitorSend(v, f"w{worker} r{round_} {n}", f"w{worker}-r{round_}-{n}")
                    for n, v in enumerate([*visitors, visitors[worker % 4]])
                ]
                for outcome in visitor_messages_send(sends):
                    assert isinstance(outcome, tuple) and outcome[1], outcome
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    def singles(worker: int) -> None:
        try:
            barrier.wait()
            for round_ in range(5):
                messages.message_create(
                    conversation_id=conversations[round_ % 4],
                    author=authors.Author.of_operator(agent),
                    body=f"operator {worker} {round_}",
                )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=batches, args=(w,)) for w in range(6)]
    threads += [threading.Thread(target=singles, args=(w,)) for w in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = 0
    for conversation_id in conversations:
        seqs = _seqs(conversation_id)
        assert seqs == list(range(1, len(seqs) + 1))
        total += len(seqs)
    # 4 first messages, 6 workers x 5 batches x 5 sends, 2 x 5 operator messages
    assert total == 4 + 6 * 5 * 5 + 2 * 5


@pytest.mark.django_db(transaction=True)
async def test_a_failed_batch_acks_nothing_and_the_resends_are_stored_once(
    ws, visitor, conversation, monkeypatch
):  # `ws` releases what the event loop kept (its database connections)
    person = visitor[0]
    writer = VisitorMessageWriter()

    def broken(**kwargs: Any) -> Any:
        raise OperationalError("the database went away")

    # the statement fails, and so does each send on its own after it
    monkeypatch.setattr(message_store, "store_sql", lambda: "SELECT * FROM no_such_table")
    monkeypatch.setattr(message_batch, "visitor_message_send", broken)
    sends = [writer.send(person, f"message {n}", f"c{n}") for n in range(5)]
    results = await asyncio.gather(*sends, return_exceptions=True)
    assert all(isinstance(result, OperationalError) for result in results)
    assert await on_db(_seqs, conversation.pk) == []

    monkeypatch.undo()
    # the clients resend everything unacked, with the same client_ids (some twice, as a
    # client with two tabs might)
    resends = [writer.send(person, f"message {n}", f"c{n}") for n in [*range(5), 1, 3]]
    results = await asyncio.gather(*resends)
    assert [message.client_id for message, _created in results] == [
        "c0",
        "c1",
        "c2",
        "c3",
        "c4",
        "c1",
        "c3",
    ]
    assert results[5][0].pk == results[1][0].pk and results[6][0].pk == results[3][0].pk
    assert await on_db(_seqs, conversation.pk) == [1, 2, 3, 4, 5]


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_trips_the_unique_constraint_stores_its_sends_one_by_one(
    visitor, conversation, monkeypatch
):
    person = visitor[0]
    raced, _created = messages.visitor_message_send(visitor=person, body="raced", client_id="c1")

    # as if the other process's resend had committed while our statement ran
    monkeypatch.setattr(message_store, "EARLIER_SQL", "NULL::bigint")
    outcomes = visitor_messages_send(
        [VisitorSend(person, "raced, again", "c1"), VisitorSend(person, "new", "c2")]
    )

    assert outcomes[0] == (raced, False)
    assert isinstance(outcomes[1], tuple) and outcomes[1][1] and outcomes[1][0].seq == 2
    assert _seqs(conversation.pk) == [1, 2]


@pytest.mark.django_db(transaction=True)
async def test_the_event_loops_statement_answers_each_send_as_one_send_would(
    ws, inbox, agent_token, visitor
):
    person, _token = visitor
    newcomer = (await on_db(visitor_for, inbox))[0]  # no conversation yet: the first opens it
    earlier, _created = await on_db(
        messages.visitor_message_send, visitor=person, body="old", client_id="c0"
    )
    console = await ws.connect_console(agent_token)

    outcomes = await message_batch.asend(
        [
            VisitorSend(person, "first", "c1"),
            VisitorSend(newcomer, "hello, I am new", "n1"),
            VisitorSend(person, "first, again", "c1"),  # a resend within the batch
            VisitorSend(person, "old, again", "c0"),  # a resend of a stored message
            VisitorSend(person, "<b>no</b> client id'; DROP TABLE x;--", None),
            VisitorSend(person, "x" * 10_001, "c3"),  # refused: this one only
        ]
    )

    first, opened, first_again, old_again, plain, refused = outcomes
    assert isinstance(first, tuple) and first[1] is True and first[0].seq == 2
    assert isinstance(opened, tuple) and opened[1] is True and opened[0].seq == 1
    assert opened[0].conversation_id != earlier.conversation_id
    assert first_again == (first[0], False)
    assert isinstance(old_again, tuple) and old_again[0].pk == earlier.pk and not old_again[1]
    assert isinstance(plain, tuple) and plain[0].seq == 3
    assert isinstance(refused, ServiceError) and refused.code == "body_too_long"
    assert await on_db(_seqs, earlier.conversation_id) == [1, 2, 3]
    stored = await on_db(Message.objects.get, pk=plain[0].pk)
    assert stored.body == "<b>no</b> client id'; DROP TABLE x;--"
    # the agent's console got the two new messages of the conversation, after the commit
    seen = []
    while len(seen) < 2:
        frame = await receive_until(console, "message")
        if frame["message"]["conversation"] == earlier.conversation_id:
            seen.append(frame["message"]["seq"])
    assert sorted(seen) == [2, 3]


@pytest.mark.django_db(transaction=True)
async def test_the_event_loops_statement_is_prepared_once_and_planned_once(ws, visitor):
    """Parsing and planning the statement again at each execution cost about two thirds of
    its time in PostgreSQL."""
    person, _token = visitor
    for number in range(3):
        outcome = (await message_batch.asend([VisitorSend(person, "hi", f"p{number}")]))[0]
        assert isinstance(outcome, tuple) and outcome[1] is True

    async with pg_async.connection() as conn:
        cursor = await conn.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE '%%chats_message%%'"
        )
        plans = await cursor.fetchall()
    assert plans == [(3, 0)]  # one prepared statement, run three times on its generic plan


@pytest.mark.django_db(transaction=True)
async def test_storing_on_the_event_loop_makes_no_django_connection_per_batch(
    ws, visitor, monkeypatch
):
    """On the event loop, each asyncio task that touches `django.db.connection` gets a
    `DatabaseWrapper` of its own: a dozen objects in cycles per batch, for the cycle collector
    to free while the whole process waits."""
    person, _token = visitor
    writer = VisitorMessageWriter()
    await writer.send(person, "opens the asyncio connection", "w0")
    wrapper_class = type(connections["default"])
    made: list[Any] = []
    original_init = wrapper_class.__init__

    def counting_init(self: Any, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(wrapper_class, "__init__", counting_init)

    async def a_socket_sends_three_messages() -> None:
        for number in range(1, 4):  # each send is a batch of its own, in a task of its own
            message, created = await writer.send(person, "hi", f"w{number}")
            assert created and message.seq == number + 1

    # as a websocket's handler runs: in a context where nothing has touched the database
    loop = asyncio.get_running_loop()
    await loop.create_task(a_socket_sends_three_messages(), context=contextvars.Context())

    assert made == []
