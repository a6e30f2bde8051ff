"""Operators answer Telegram users from the console: replies (and their files) leave through
the Bot API in order, at Telegram's pace, honouring 429s; each reply's delivery is shown; a
blocked bot marks the contact; private notes never leave; a resolve asks for a rating."""

from __future__ import annotations

import io
import itertools
import time

import pytest
from PIL import Image

from chats.connectors.telegram import outbound, pace
from chats.models import (
    Conversation,
    CsatResponse,
    Delivery,
    Message,
    TelegramChat,
    TelegramMessage,
)
from chats.services.attachments import attachment_store
from chats.services.authors import Author
from tests.connectors.telegram.conftest import console_frames
from tests.fakes import telegram_updates as tg
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

update_ids = itertools.count(800_001)


@pytest.fixture
def conversation(bot, customer) -> Conversation:
    bot.post(
        tg.text_message(
            next(update_ids),
            chat=tg.private_chat(customer),
            from_=customer,
            text="Здравствуйте!",
            message_id=1,
        )
    )
    bot.fake.reset()
    return Conversation.objects.get()


def reply(client, conversation: Conversation, **fields):
    return client.post(f"/api/v1/conversations/{conversation.pk}/messages", fields, format="json")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 0, 200)).save(out, "PNG")
    return out.getvalue()


def test_an_operators_reply_is_sent_and_shown_sent(bot, conversation, agent, client_for, published):
    sent = reply(client_for(agent), conversation, body="Добрый день! Смотрю ваш заказ.")

    assert sent.status_code == 201, sent.content
    assert sent.json()["delivery"] == "pending"
    [call] = bot.fake.calls_of("sendMessage")
    assert call.params["chat_id"] == 5550001
    assert call.params["text"] == "Добрый день! Смотрю ваш заказ."
    message = Message.objects.get(pk=sent.json()["id"])
    assert message.delivery == Delivery.SENT
    assert TelegramMessage.objects.get(message=message).telegram_id == call.message["message_id"]
    changed = [f["message"] for f in console_frames(published) if f["message"]["id"] == message.pk]
    assert [m["delivery"] for m in changed] == ["pending", "sent"]
    assert {m["seq"] for m in changed} == {message.seq}


def test_a_private_note_never_leaves(bot, conversation, agent, client_for):
    note = reply(client_for(agent), conversation, body="VIP, be nice", private=True)

    assert note.json()["delivery"] is None
    assert bot.fake.calls_of("sendMessage") == []


def test_a_reply_with_a_photo_goes_as_a_photo_with_its_caption(
    bot, conversation, agent, client_for
):
    photo = attachment_store(author=Author.of_operator(agent), data=png(), name="label.png")

    sent = reply(client_for(agent), conversation, body="Ваша накладная", attachments=[photo.pk])

    [call] = bot.fake.calls_of("sendPhoto")
    assert call.params["caption"] == "Ваша накладная"
    assert Image.open(io.BytesIO(call.files["photo"])).size == (30, 20)
    assert Message.objects.get(pk=sent.json()["id"]).delivery == Delivery.SENT


def test_a_long_reply_with_two_files_goes_in_parts_in_order(bot, conversation, agent, client_for):
    author = Author.of_operator(agent)
    first = attachment_store(author=author, data=png(), name="a.png")
    second = attachment_store(author=author, data=b"%PDF-1.4\n%%EOF\n", name="terms.pdf")

    reply(client_for(agent), conversation, body="x" * 5000, attachments=[first.pk, second.pk])

    assert [call.method for call in bot.fake.calls] == [
        "sendMessage",
        "sendMessage",
        "sendPhoto",
        "sendDocument",
    ]
    assert [len(call.params.get("text", "")) for call in bot.fake.calls[:2]] == [4096, 904]


def test_replies_keep_their_order_and_telegrams_pace_per_chat(bot, conversation, agent, client_for):
    client = client_for(agent)
    for number in range(3):
        reply(client, conversation, body=f"part {number}")

    calls = bot.fake.calls_of("sendMessage")
    assert [call.params["text"] for call in calls] == ["part 0", "part 1", "part 2"]
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(calls)]
    assert all(gap >= 0.9 for gap in gaps), gaps  # one a second per chat


def test_a_429_is_retried_after_retry_after_and_then_sent(bot, conversation, agent, client_for):
    bot.fake.fail_next("sendMessage", error_code=429, retry_after=2)

    sent = reply(client_for(agent), conversation, body="Please wait a moment")

    first, second = bot.fake.calls_of("sendMessage")
    assert first.answered_with == 429 and second.ok
    assert second.at - first.at >= 2.0
    assert Message.objects.get(pk=sent.json()["id"]).delivery == Delivery.SENT


def test_a_user_who_blocked_the_bot_fails_the_reply_and_is_marked(
    bot, conversation, agent, client_for
):
    bot.fake.block_user(5550001)

    sent = reply(client_for(agent), conversation, body="Are you there?")

    message = Message.objects.get(pk=sent.json()["id"])
    assert message.delivery == Delivery.FAILED
    assert "blocked" in message.delivery_error
    assert TelegramChat.objects.get().blocked is True
    later = reply(client_for(agent), conversation, body="Hello?")
    assert Message.objects.get(pk=later.json()["id"]).delivery == Delivery.FAILED
    assert len(bot.fake.calls_of("sendMessage")) == 1  # nothing more was tried


def test_a_refused_reply_fails_with_telegrams_reason_and_can_be_sent_again(
    bot, conversation, agent, client_for
):
    bot.fake.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found")
    client = client_for(agent)
    sent = reply(client, conversation, body="Hello")
    message = Message.objects.get(pk=sent.json()["id"])
    assert (message.delivery, message.delivery_error) == (
        Delivery.FAILED,
        "Bad Request: chat not found",
    )

    again = client.post(f"/api/v1/conversations/{conversation.pk}/messages/{message.pk}/retry")

    assert again.status_code == 200, again.content
    message.refresh_from_db()
    assert (message.delivery, message.delivery_error) == (Delivery.SENT, "")
    assert len(bot.fake.calls_of("sendMessage")) == 2


def test_only_a_failed_reply_can_be_sent_again(bot, conversation, agent, client_for):
    client = client_for(agent)
    sent = reply(client, conversation, body="Hello").json()

    answer = client.post(f"/api/v1/conversations/{conversation.pk}/messages/{sent['id']}/retry")

    assert_error(answer, 409, "not_failed")


def test_a_network_failure_leaves_the_reply_pending_for_another_try(
    bot, conversation, agent, client_for, monkeypatch
):
    monkeypatch.setattr("chats.connectors.telegram.tasks.DELIVERY_RETRIES", 0)
    bot.fake.fail_next("sendMessage", error_code=500, description="Internal Server Error")

    sent = reply(client_for(agent), conversation, body="Hello")

    message = Message.objects.get(pk=sent.json()["id"])
    assert message.delivery == Delivery.FAILED
    assert "Internal Server Error" in message.delivery_error


def test_a_part_already_sent_is_not_sent_twice_when_the_rest_is_retried(
    bot, conversation, agent, client_for
):
    photo = attachment_store(author=Author.of_operator(agent), data=png(), name="a.png")
    bot.fake.fail_next("sendPhoto", error_code=429, retry_after=1)

    reply(client_for(agent), conversation, body="y" * 2000, attachments=[photo.pk])

    methods = [(call.method, call.answered_with) for call in bot.fake.calls]
    assert methods == [("sendMessage", 200), ("sendPhoto", 429), ("sendPhoto", 200)]


def test_a_resolve_asks_for_a_rating_and_a_tap_rates_the_conversation(
    bot, conversation, customer, agent, client_for
):
    client = client_for(agent)
    resolved = client.post(
        f"/api/v1/conversations/{conversation.pk}/status", {"status": "resolved"}, format="json"
    )
    assert resolved.status_code == 200
    [question] = bot.fake.calls_of("sendMessage")
    keyboard = question.params["reply_markup"]["inline_keyboard"]
    buttons = [button for row in keyboard for button in row]
    assert [button["callback_data"] for button in buttons] == [
        f"csat:{conversation.pk}:{stars}" for stars in range(1, 6)
    ]
    assert "оцените" in question.params["text"].lower()

    bot.post(
        tg.callback_query_update(
            next(update_ids),
            id="cb-1",
            from_=customer,
            message=question.message,
            data=f"csat:{conversation.pk}:4",
        )
    )

    shown = client.get(f"/api/v1/conversations/{conversation.pk}").json()
    assert shown["csat"]["rating"] == 4
    assert bot.fake.calls_of("answerCallbackQuery")


def test_a_tap_from_someone_else_rates_nothing(bot, conversation, agent, client_for):
    client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/status", {"status": "resolved"}, format="json"
    )
    [question] = bot.fake.calls_of("sendMessage")
    stranger = tg.user(777, "Eve")

    bot.post(
        tg.callback_query_update(
            next(update_ids),
            id="cb-2",
            from_=stranger,
            message=question.message,
            data=f"csat:{conversation.pk}:1",
        )
    )

    assert not CsatResponse.objects.exists()


def test_the_pace_lets_thirty_a_second_through_per_bot_and_one_per_chat():
    bot_id = int(time.time() * 1000)

    waits = [pace.take(bot_id, chat) for chat in range(31)]

    assert waits[:30] == [0.0] * 30 and waits[30] > 0
    assert pace.take(bot_id + 1, 1) == 0.0
    assert pace.take(bot_id + 1, 1) > 0


def test_nothing_pending_means_nothing_to_do(bot, conversation):
    assert outbound.deliver_next(conversation.pk) is None
