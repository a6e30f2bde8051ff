"""Auto-resolve: conversations idle past their inbox's `auto_resolve_after` are resolved by the
beat task, once, with a system message in the visitor's language."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chats import groups, selectors, tasks
from chats.assignment import tasks as assignment_tasks
from chats.models import AuthorKind, Conversation, ConversationStatus, Message
from chats.services import auto_resolve
from chats.services.assigning import conversation_assign
from chats.services.authors import Author
from chats.services.auto_resolve import conversation_auto_resolve
from chats.services.conversations import conversation_open
from chats.services.messages import message_create
from operators.models import Role
from tests.factories import ContactFactory, InboxFactory, visitor_for

pytestmark = pytest.mark.django_db

HOUR = 3600
EN_TEXT = "This conversation was closed as there were no new messages for a while."
RU_TEXT = "Разговор закрыт, так как в нём давно не было новых сообщений."


@pytest.fixture
def inbox(team):
    return InboxFactory(team=team, auto_resolve_after=HOUR)


def idle(conversation: Conversation, seconds: int = HOUR + 60) -> Conversation:
    Conversation.objects.filter(pk=conversation.pk).update(
        last_activity_at=timezone.now() - timedelta(seconds=seconds)
    )
    conversation.refresh_from_db()
    return conversation


def chat(inbox, locale: str = "en") -> Conversation:
    visitor, _token = visitor_for(inbox)
    visitor.locale = locale
    visitor.save(update_fields=["locale"])
    conversation = conversation_open(inbox=inbox, contact=visitor.contact)
    message_create(
        conversation_id=conversation.pk, author=Author.of_contact(visitor.contact), body="Hello?"
    )
    return conversation


def system_messages(conversation: Conversation) -> list[Message]:
    return list(conversation.messages.filter(author_kind=AuthorKind.SYSTEM))


def test_an_idle_conversation_is_resolved_with_a_system_message(inbox):
    conversation = idle(chat(inbox))

    assert tasks.auto_resolve_idle() == [conversation.pk]

    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.RESOLVED
    assert conversation.resolved_at is not None
    [message] = system_messages(conversation)
    assert message.body.startswith(EN_TEXT)
    assert (message.private, message.seq) == (False, 2)


def test_running_the_task_twice_resolves_once_and_stores_one_message(inbox):
    conversation = idle(chat(inbox))

    assert tasks.auto_resolve_idle() == [conversation.pk]
    assert tasks.auto_resolve_idle() == []
    assert conversation_auto_resolve(conversation_id=conversation.pk) is False

    assert len(system_messages(conversation)) == 1
    assert conversation.messages.count() == 2


def test_the_message_speaks_the_visitors_language(inbox):
    conversation = idle(chat(inbox, locale="ru-RU"))

    tasks.auto_resolve_idle()

    assert system_messages(conversation)[0].body.startswith(RU_TEXT)


def test_without_a_visitor_language_the_inbox_default_is_used(team):
    inbox = InboxFactory(team=team, auto_resolve_after=HOUR, settings={"locale": "ru"})
    conversation = idle(conversation_open(inbox=inbox, contact=ContactFactory()))

    tasks.auto_resolve_idle()

    assert system_messages(conversation)[0].body.startswith(RU_TEXT)


def test_an_unknown_language_falls_back_to_the_site_default(inbox):
    conversation = idle(chat(inbox, locale="xx"))

    tasks.auto_resolve_idle()

    assert system_messages(conversation)[0].body.startswith(EN_TEXT)


def test_a_conversation_that_got_a_message_in_between_is_left_open(inbox, agent):
    conversation = idle(chat(inbox))
    picked = selectors.conversation_ids_idle_past_auto_resolve(now=timezone.now(), limit=10)
    assert picked == [conversation.pk]

    message_create(conversation_id=conversation.pk, author=Author.of_operator(agent), body="Hi!")

    assert conversation_auto_resolve(conversation_id=conversation.pk) is False
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN
    assert system_messages(conversation) == []


def test_a_recent_conversation_is_left_open(inbox):
    conversation = idle(chat(inbox), seconds=HOUR - 60)

    assert tasks.auto_resolve_idle() == []
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN


def test_a_pending_conversation_is_resolved_too(inbox):
    conversation = chat(inbox)
    Conversation.objects.filter(pk=conversation.pk).update(status=ConversationStatus.PENDING)
    idle(conversation)

    assert tasks.auto_resolve_idle() == [conversation.pk]


def test_inboxes_without_auto_resolve_are_left_alone(team):
    inbox = InboxFactory(team=team, auto_resolve_after=None)
    conversation = idle(chat(inbox), seconds=365 * 24 * HOUR)

    assert tasks.auto_resolve_idle() == []
    assert conversation_auto_resolve(conversation_id=conversation.pk) is False


def test_each_inbox_has_its_own_idle_time(team):
    quick = idle(chat(InboxFactory(team=team, auto_resolve_after=600)), seconds=700)
    slow = idle(chat(InboxFactory(team=team, auto_resolve_after=HOUR)), seconds=700)

    assert tasks.auto_resolve_idle() == [quick.pk]
    slow.refresh_from_db()
    assert slow.status == ConversationStatus.OPEN


def test_a_run_takes_a_batch_oldest_first_and_asks_for_another(inbox, monkeypatch):
    conversations = [idle(chat(inbox), seconds=HOUR + n) for n in (300, 200, 100)]
    monkeypatch.setattr(tasks, "AUTO_RESOLVE_BATCH", 2)
    again: list[object] = []
    monkeypatch.setattr(tasks.auto_resolve_idle, "delay", lambda: again.append(1))

    assert tasks.auto_resolve_idle() == [conversations[0].pk, conversations[1].pk]
    assert again == [1]
    assert tasks.auto_resolve_idle() == [conversations[2].pk]
    assert again == [1]


def test_a_failing_conversation_does_not_stop_the_others(inbox, monkeypatch):
    first, second = idle(chat(inbox), seconds=HOUR + 120), idle(chat(inbox))
    original = auto_resolve.conversation_auto_resolve

    def flaky(*, conversation_id: int) -> bool:
        if conversation_id == first.pk:
            raise RuntimeError("database hiccup")
        return original(conversation_id=conversation_id)

    monkeypatch.setattr(tasks, "conversation_auto_resolve", flaky)

    assert tasks.auto_resolve_idle() == [second.pk]
    monkeypatch.setattr(tasks, "conversation_auto_resolve", original)
    assert tasks.auto_resolve_idle() == [first.pk]


def test_the_widget_and_the_console_get_the_message_and_the_conversation_frame(
    inbox, agent, published, django_capture_on_commit_callbacks
):
    conversation = chat(inbox)
    message_create(
        conversation_id=conversation.pk,
        author=Author.of_operator(agent),
        body="internal: VIP, be nice",
        private=True,
    )
    idle(conversation)
    published.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert conversation_auto_resolve(conversation_id=conversation.pk) is True

    visitor_frames = [
        json.loads(event["frame"])
        for event in published.to(groups.visitor(conversation.contact_id, inbox.pk))
    ]
    assert [frame["type"] for frame in visitor_frames] == ["message", "conversation"]
    assert visitor_frames[0]["message"]["author"]["kind"] == "system"
    assert visitor_frames[0]["message"]["body"].startswith(EN_TEXT)
    assert visitor_frames[1]["conversation"]["status"] == "resolved"
    everything = json.dumps(visitor_frames, ensure_ascii=False)
    assert "internal" not in everything and "VIP" not in everything

    console_frames = [json.loads(e["frame"]) for e in published.to(groups.inbox(inbox.pk))]
    assert [f["type"] for f in console_frames[:2]] == ["message", "conversation"]
    assert console_frames[1]["conversation"]["status"] == "resolved"


def test_the_visitor_reads_the_message_but_never_the_private_notes(inbox, agent, widget_client_for):
    visitor, token = visitor_for(inbox)
    conversation = conversation_open(inbox=inbox, contact=visitor.contact)
    message_create(
        conversation_id=conversation.pk, author=Author.of_contact(visitor.contact), body="Hi"
    )
    message_create(
        conversation_id=conversation.pk,
        author=Author.of_operator(agent),
        body="note to self",
        private=True,
    )
    conversation_auto_resolve(conversation_id=idle(conversation).pk)

    rows = widget_client_for(token).get("/api/widget/v1/messages").json()["results"]

    assert [(row["author"]["kind"], row["seq"]) for row in rows] == [("visitor", 1), ("system", 3)]
    assert all(not row["private"] for row in rows)


def test_auto_resolve_frees_the_assignees_capacity_and_the_queue_drains(
    team, make_operator, monkeypatch, django_capture_on_commit_callbacks
):
    inbox = InboxFactory(team=team, routing="least_busy", auto_resolve_after=HOUR)
    operator = make_operator(Role.AGENT, [team], max_chats=1)
    busy = chat(inbox)
    conversation_assign(conversation=busy, actor=operator, operator=operator)
    queued = chat(inbox)
    idle(busy)
    monkeypatch.setattr(
        assignment_tasks.drain_team_queue, "delay", assignment_tasks.drain_team_queue
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.auto_resolve_idle() == [busy.pk]

    queued.refresh_from_db()
    assert queued.assignee_id == operator.pk
    assert queued.queued_at is None


def test_a_conversation_waiting_in_the_queue_is_never_auto_resolved(team):
    """It waits for an operator (held outside business hours, say), not for the visitor."""
    inbox = InboxFactory(team=team, routing="least_busy", auto_resolve_after=HOUR)
    conversation = idle(chat(inbox), seconds=30 * 24 * HOUR)
    assert conversation.queued_at is not None

    assert tasks.auto_resolve_idle() == []
    assert conversation_auto_resolve(conversation_id=conversation.pk) is False
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_resolve_once_and_store_one_message(team):
    inbox = InboxFactory(team=team, auto_resolve_after=HOUR)
    conversation = idle(chat(inbox))
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(conversation_auto_resolve(conversation_id=conversation.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, True]
    assert len(system_messages(conversation)) == 1


def test_beat_schedules_the_opening_drain_and_auto_resolve_every_minute():
    from django.conf import settings

    from helpdesk.celery import app

    app.loader.import_default_modules()
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["chats.assignment.tasks.drain_opened_inboxes"] == 60.0
    assert schedule["chats.tasks.auto_resolve_idle"] == 60.0
    for name in schedule:
        assert name in app.tasks, name
