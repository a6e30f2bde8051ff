"""Groups and moderation: with groups on, a group message that mentions the bot, replies to it,
or comments on a post of its channel opens a conversation per group and user; the operator's
answer is posted as a reply in the group; an operator hides an abusive comment."""

from __future__ import annotations

import itertools

import pytest

from chats.models import Conversation, Message, TelegramBot, TelegramChat
from operators.models import Role
from tests.fakes import telegram_updates as tg
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

update_ids = itertools.count(700_001)
GROUP = tg.group_chat(-1001234567, "Покупатели магазина")
CHANNEL = tg.channel_chat(-1009876543, "Новости магазина", username="shop_news")


def mention(bot, user, text: str, message_id: int):
    return bot.post(
        tg.group_mention(
            next(update_ids),
            group=GROUP,
            from_=user,
            bot_username=bot.row.username,
            text=text,
            message_id=message_id,
        )
    )


def test_a_mention_in_a_group_opens_a_conversation_per_group_and_user(
    bot, customer, agent, client_for
):
    other = tg.user(5550002, "Олег", username="oleg")

    mention(bot, customer, "у меня вопрос по доставке", 100)
    mention(bot, other, "и у меня", 101)
    mention(bot, customer, "ещё уточнение", 102)

    assert Conversation.objects.count() == 2
    mine = Conversation.objects.get(contact__name="Мария Иванова")
    assert list(mine.messages.values_list("seq", flat=True)) == [1, 2]
    shown = client_for(agent).get(f"/api/v1/conversations/{mine.pk}").json()
    assert shown["telegram"]["chat"] == "group"
    assert shown["telegram"]["group_title"] == "Покупатели магазина"


def test_group_chatter_that_does_not_address_the_bot_is_ignored(bot, customer):
    bot.post(
        tg.text_message(
            next(update_ids), chat=GROUP, from_=customer, text="всем привет", message_id=110
        )
    )

    assert not Conversation.objects.exists()


def test_a_reply_to_the_bot_in_a_group_opens_a_conversation(bot, customer):
    bot.post(
        tg.reply_to_bot(
            next(update_ids),
            chat=GROUP,
            from_=customer,
            bot=bot.user,
            text="а когда привезут?",
            message_id=120,
            replied_message_id=119,
        )
    )

    assert Message.objects.get().body == "а когда привезут?"


def test_with_groups_off_a_mention_is_ignored(bot, customer):
    TelegramBot.objects.filter(pk=bot.row.pk).update(groups=False)

    mention(bot, customer, "ответьте", 130)

    assert not Conversation.objects.exists()


def test_a_comment_on_the_channels_post_opens_a_conversation(bot, customer):
    TelegramBot.objects.filter(pk=bot.row.pk).update(
        channel="@shop_news", channel_chat_id=CHANNEL["id"]
    )

    bot.post(
        tg.discussion_comment(
            next(update_ids),
            group=GROUP,
            channel=CHANNEL,
            from_=customer,
            text="а скидка на всё?",
            message_id=140,
            forward_message_id=139,
            channel_post_id=12,
        )
    )

    assert Message.objects.get().body == "а скидка на всё?"
    assert TelegramChat.objects.get().kind == "group"


def test_the_operators_answer_is_posted_as_a_reply_in_the_group(bot, customer, agent, client_for):
    mention(bot, customer, "есть размер M?", 150)
    conversation = Conversation.objects.get()
    bot.fake.reset()

    client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "Да, есть!"}, format="json"
    )

    [call] = bot.fake.calls_of("sendMessage")
    assert call.params["chat_id"] == GROUP["id"]
    assert call.params["reply_parameters"]["message_id"] == 150


def test_an_operator_hides_an_abusive_comment(bot, customer, agent, client_for, published):
    mention(bot, customer, "вы все ***", 160)
    conversation = Conversation.objects.get()
    message = Message.objects.get()
    bot.fake.reset()

    hidden = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages/{message.pk}/hide"
    )

    assert hidden.status_code == 200, hidden.content
    assert hidden.json()["hidden"] is True
    [call] = bot.fake.calls_of("deleteMessage")
    assert (call.params["chat_id"], call.params["message_id"]) == (GROUP["id"], 160)
    message.refresh_from_db()
    assert message.hidden is True and message.body.endswith("вы все ***")  # kept, marked


def test_a_message_is_hidden_once(bot, customer, agent, client_for):
    mention(bot, customer, "spam", 170)
    conversation, message = Conversation.objects.get(), Message.objects.get()
    path = f"/api/v1/conversations/{conversation.pk}/messages/{message.pk}/hide"
    client = client_for(agent)
    client.post(path)

    assert_error(client.post(path), 409, "already_hidden")
    assert len(bot.fake.calls_of("deleteMessage")) == 1


def test_only_a_contacts_group_message_can_be_hidden(bot, customer, agent, client_for):
    bot.post(
        tg.text_message(
            next(update_ids),
            chat=tg.private_chat(customer),
            from_=customer,
            text="private",
            message_id=180,
        )
    )
    private = Message.objects.get()
    answer = client_for(agent).post(
        f"/api/v1/conversations/{private.conversation_id}/messages/{private.pk}/hide"
    )
    assert_error(answer, 409, "not_hideable")

    mention(bot, customer, "group", 181)
    conversation = Conversation.objects.get(telegram_chat__kind="group")
    mine = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "reply"}, format="json"
    )
    answer = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages/{mine.json()['id']}/hide"
    )
    assert_error(answer, 409, "not_hideable")


def test_an_operator_of_another_team_cannot_hide_or_see(
    bot, customer, make_operator, other_team, client_for
):
    mention(bot, customer, "hello", 190)
    conversation, message = Conversation.objects.get(), Message.objects.get()
    stranger = client_for(make_operator(Role.AGENT, [other_team]))

    answer = stranger.post(f"/api/v1/conversations/{conversation.pk}/messages/{message.pk}/hide")

    assert_error(answer, 404, "not_found")
    assert Message.objects.get().hidden is False
    assert bot.fake.calls_of("deleteMessage") == []
    listed = stranger.get("/api/v1/conversations").json()["results"]
    assert listed == []


def test_a_hide_that_telegram_refuses_still_hides_it_here(bot, customer, agent, client_for):
    mention(bot, customer, "old message", 200)
    conversation, message = Conversation.objects.get(), Message.objects.get()
    bot.fake.fail_next(
        "deleteMessage", error_code=400, description="Bad Request: message can't be deleted"
    )

    answer = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages/{message.pk}/hide"
    )

    assert answer.status_code == 200
    assert Message.objects.get().hidden is True
