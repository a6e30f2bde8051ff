"""Routing requests are at most once: a broker that cannot be reached drops one (without failing
the write it follows), and the worker asks for every waiting queue when it (re)connects."""

from __future__ import annotations

import pytest
from kombu.exceptions import OperationalError

from chats.assignment import tasks
from chats.models import ConversationStatus
from chats.services.conversations import conversation_open
from tests.factories import ContactFactory, InboxFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_an_unreachable_broker_does_not_fail_the_conversation_it_was_asked_to_route(
    monkeypatch, django_capture_on_commit_callbacks
):
    inbox = InboxFactory(routing="least_busy")

    def unreachable(team_id):
        raise OperationalError("Error 111 connecting to redis. Connection refused.")

    monkeypatch.setattr(tasks.drain_team_queue, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_open(inbox=inbox, contact=ContactFactory())
    conversation.refresh_from_db()
    assert conversation.queued_at is not None  # waiting, for the next drain


def test_drain_waiting_queues_asks_for_every_team_with_a_waiting_conversation(monkeypatch):
    asked: list[int] = []
    monkeypatch.setattr(tasks.drain_team_queue, "delay", asked.append)
    waiting, idle, resolved = TeamFactory(), TeamFactory(), TeamFactory()
    conversation_open(
        inbox=InboxFactory(team=waiting, routing="least_busy"), contact=ContactFactory()
    )
    InboxFactory(team=idle, routing="least_busy")
    done = conversation_open(
        inbox=InboxFactory(team=resolved, routing="least_busy"), contact=ContactFactory()
    )
    done.status = ConversationStatus.RESOLVED
    done.save(update_fields=["status"])

    assert tasks.drain_waiting_queues() == [waiting.pk]
    assert asked == [waiting.pk]
