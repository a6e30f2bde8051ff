"""Channel posts: written in the console (Telegram's HTML, a photo, URL buttons), drafted or
scheduled, published once by beat at their time, edited and deleted in the channel too."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from chats.connectors.telegram import posts, tasks
from chats.models import TelegramPost, TelegramPostState
from chats.services.attachments import attachment_store
from chats.services.authors import Author
from operators.models import Role
from tests.fakes import telegram_updates as tg
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

CHANNEL = tg.channel_chat(-1009876543, "Новости магазина", username="shop_news")


@pytest.fixture
def channel_bot(bot, admin, client_for):
    bot.fake.add_chat(CHANNEL)
    bot.fake.set_chat_member(CHANNEL["id"], bot.user, "administrator", can_post_messages=True)
    named = client_for(admin).patch(
        f"/api/v1/inboxes/{bot.inbox.pk}", {"telegram": {"channel": "@shop_news"}}, format="json"
    )
    assert named.status_code == 200, named.content
    assert named.json()["telegram"]["channel"] == "@shop_news"
    bot.row.refresh_from_db()
    assert bot.row.channel_chat_id == CHANNEL["id"]
    bot.fake.reset()
    return bot


def posts_url(bot) -> str:
    return f"/api/v1/inboxes/{bot.inbox.pk}/posts"


def write(client, bot, **fields):
    return client.post(posts_url(bot), {"text": "", **fields}, format="json")


def test_a_channel_the_bot_cannot_post_in_is_refused(bot, admin, client_for):
    bot.fake.add_chat(CHANNEL)
    bot.fake.set_chat_member(CHANNEL["id"], bot.user, "member")

    answer = client_for(admin).patch(
        f"/api/v1/inboxes/{bot.inbox.pk}", {"telegram": {"channel": "@shop_news"}}, format="json"
    )

    assert_error(answer, 400, "telegram_channel_invalid")


def test_posts_need_a_channel(bot, agent, client_for):
    assert_error(write(client_for(agent), bot, text="Hi"), 409, "no_channel")


def test_a_draft_waits_and_sends_nothing(channel_bot, agent, client_for):
    answer = write(client_for(agent), channel_bot, text="<b>Скоро</b> распродажа")

    assert answer.status_code == 201, answer.content
    assert answer.json()["state"] == "draft" and answer.json()["publish_at"] is None
    assert channel_bot.fake.calls == []


def test_a_post_published_now_goes_to_the_channel_with_its_buttons(channel_bot, agent, client_for):
    answer = write(
        client_for(agent),
        channel_bot,
        text="<b>Распродажа</b> до пятницы",
        buttons=[{"text": "В магазин", "url": "https://shop.example.com/sale"}],
        publish_at=timezone.now().isoformat(),
    )

    assert answer.status_code == 201, answer.content
    post = TelegramPost.objects.get()
    assert post.state == TelegramPostState.PUBLISHED
    [call] = channel_bot.fake.calls_of("sendMessage")
    assert call.params["chat_id"] == CHANNEL["id"]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"]["inline_keyboard"] == [
        [{"text": "В магазин", "url": "https://shop.example.com/sale"}]
    ]
    assert post.telegram_id == call.message["message_id"]
    listed = client_for(agent).get(posts_url(channel_bot)).json()["results"]
    assert [(p["state"], p["telegram_message_id"]) for p in listed] == [
        ("published", post.telegram_id)
    ]


def test_a_photo_post_goes_as_a_photo_with_its_caption(channel_bot, agent, client_for):
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (255, 0, 0)).save(out, "PNG")
    photo = attachment_store(author=Author.of_operator(agent), data=out.getvalue(), name="a.png")

    write(
        client_for(agent),
        channel_bot,
        text="Новая коллекция",
        photo=photo.pk,
        publish_at=timezone.now().isoformat(),
    )

    [call] = channel_bot.fake.calls_of("sendPhoto")
    assert call.params["caption"] == "Новая коллекция"


def test_a_scheduled_post_is_published_once_at_its_time(channel_bot, agent, client_for):
    at = timezone.now() + timedelta(hours=2)
    answer = write(client_for(agent), channel_bot, text="Утренний пост", publish_at=at.isoformat())
    assert answer.json()["state"] == "scheduled"

    tasks.publish_due_posts()
    assert channel_bot.fake.calls_of("sendMessage") == []

    with time_machine.travel(at + timedelta(seconds=5)):
        tasks.publish_due_posts()
        tasks.publish_due_posts()  # a second beat by mistake
        tasks.publish_post(answer.json()["id"])  # and a stray task

    assert len(channel_bot.fake.calls_of("sendMessage")) == 1
    assert TelegramPost.objects.get().state == TelegramPostState.PUBLISHED


def test_a_post_left_publishing_before_its_call_is_published_once(channel_bot, agent, client_for):
    post = posts.post_create(
        bot=channel_bot.row, actor=agent, text="Пост", publish_at=timezone.now()
    )
    assert posts.post_claim(post_id=post.pk)  # a worker claimed it, and died

    later = timezone.now() + timedelta(minutes=10)
    with time_machine.travel(later):
        tasks.publish_due_posts()

    assert len(channel_bot.fake.calls_of("sendMessage")) == 1
    assert TelegramPost.objects.get().state == TelegramPostState.PUBLISHED


def test_a_post_left_publishing_during_its_call_is_never_sent_again(channel_bot, agent, client_for):
    post = posts.post_create(
        bot=channel_bot.row, actor=agent, text="Пост", publish_at=timezone.now()
    )
    assert posts.post_claim(post_id=post.pk)
    TelegramPost.objects.filter(pk=post.pk).update(sending_since=timezone.now())

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        tasks.publish_due_posts()

    assert channel_bot.fake.calls_of("sendMessage") == []
    failed = TelegramPost.objects.get()
    assert failed.state == TelegramPostState.FAILED
    assert "may be in the channel" in failed.error


def test_a_429_puts_the_post_back_and_it_goes_later(channel_bot, agent, client_for):
    channel_bot.fake.fail_next("sendMessage", error_code=429, retry_after=3)
    post = posts.post_create(
        bot=channel_bot.row, actor=agent, text="Пост", publish_at=timezone.now()
    )

    assert posts.post_claim(post_id=post.pk)
    with pytest.raises(posts.PublishLater) as later:
        posts.post_publish(post_id=post.pk)

    assert later.value.seconds == 3
    assert TelegramPost.objects.get().state == TelegramPostState.SCHEDULED
    tasks.publish_due_posts()
    assert TelegramPost.objects.get().state == TelegramPostState.PUBLISHED


def test_a_post_telegram_refuses_fails_with_the_reason(channel_bot, agent, client_for):
    channel_bot.fake.fail_next(
        "sendMessage", error_code=400, description="Bad Request: need administrator rights"
    )

    write(client_for(agent), channel_bot, text="Пост", publish_at=timezone.now().isoformat())

    post = TelegramPost.objects.get()
    assert (post.state, post.error) == ("failed", "Bad Request: need administrator rights")


def test_a_published_post_is_edited_in_the_channel(channel_bot, agent, client_for):
    client = client_for(agent)
    post = write(client, channel_bot, text="Цена 100", publish_at=timezone.now().isoformat())

    edited = client.patch(
        f"{posts_url(channel_bot)}/{post.json()['id']}", {"text": "Цена 90"}, format="json"
    )

    assert edited.status_code == 200, edited.content
    [call] = channel_bot.fake.calls_of("editMessageText")
    assert call.params["text"] == "Цена 90"
    assert (
        channel_bot.fake.message(
            CHANNEL["id"],
            post.json()["telegram_message_id"] or TelegramPost.objects.get().telegram_id,
        )["text"]
        == "Цена 90"
    )
    moved = client.patch(
        f"{posts_url(channel_bot)}/{post.json()['id']}",
        {"publish_at": timezone.now().isoformat()},
        format="json",
    )
    assert_error(moved, 409, "post_published")


def test_a_published_post_is_deleted_in_the_channel(channel_bot, agent, client_for):
    client = client_for(agent)
    post = write(client, channel_bot, text="Ошибка", publish_at=timezone.now().isoformat()).json()

    deleted = client.delete(f"{posts_url(channel_bot)}/{post['id']}")

    assert deleted.status_code == 204
    assert len(channel_bot.fake.calls_of("deleteMessage")) == 1
    assert not TelegramPost.objects.exists()


def test_a_draft_is_scheduled_later_by_an_edit(channel_bot, agent, client_for):
    client = client_for(agent)
    draft = write(client, channel_bot, text="Черновик").json()

    scheduled = client.patch(
        f"{posts_url(channel_bot)}/{draft['id']}",
        {"publish_at": (timezone.now() + timedelta(days=1)).isoformat()},
        format="json",
    )

    assert scheduled.json()["state"] == "scheduled"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"text": "<script>x</script>"}, "invalid_post_text"),
        ({"text": "<b>open"}, "invalid_post_text"),
        ({"text": "<a href='javascript:alert(1)'>x</a>"}, "invalid_post_text"),
        ({"text": "x" * 4097}, "post_too_long"),
        ({"text": "1 < 2"}, "invalid_post_text"),
        ({"text": "Tom & Jerry"}, "invalid_post_text"),
        ({"text": "&nbsp;"}, "invalid_post_text"),
        ({"text": "   "}, "empty_post"),
        ({"text": "ok", "buttons": [{"text": "", "url": "https://x.example"}]}, "invalid"),
        ({"text": "ok", "buttons": [{"text": "x", "url": "ftp://x.example"}]}, "invalid_buttons"),
        ({"text": "ok", "photo": 987654}, "attachment_not_found"),
    ],
)
def test_a_post_that_telegram_would_refuse_is_refused_first(
    channel_bot, agent, client_for, fields, code
):
    answer = write(client_for(agent), channel_bot, **fields)

    assert answer.status_code in (400, 404), answer.content
    assert answer.json()["error"]["code"] == code
    assert not TelegramPost.objects.exists()


def test_an_agent_of_another_team_finds_no_posts(
    channel_bot, agent, make_operator, other_team, client_for
):
    post = write(client_for(agent), channel_bot, text="Внутреннее").json()
    stranger = client_for(make_operator(Role.AGENT, [other_team]))

    assert_error(stranger.get(posts_url(channel_bot)), 404, "not_found")
    assert_error(stranger.get(f"{posts_url(channel_bot)}/{post['id']}"), 404, "not_found")
    assert_error(stranger.delete(f"{posts_url(channel_bot)}/{post['id']}"), 404, "not_found")
    assert TelegramPost.objects.exists()


def test_entities_count_as_one_character_each(channel_bot, agent, client_for):
    text = "&lt;b&gt; " + "x" * 4088  # 4 + 1 + 4088 characters as Telegram shows them

    answer = write(client_for(agent), channel_bot, text=text)

    assert answer.status_code == 201, answer.content


def test_another_operator_edits_a_photo_post_keeping_its_photo(
    channel_bot, agent, make_operator, team, client_for
):
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (0, 255, 0)).save(out, "PNG")
    photo = attachment_store(author=Author.of_operator(agent), data=out.getvalue(), name="p.png")
    post = write(client_for(agent), channel_bot, text="Фото", photo=photo.pk).json()
    colleague = client_for(make_operator(Role.AGENT, [team]))

    edited = colleague.patch(
        f"{posts_url(channel_bot)}/{post['id']}",
        {"text": "Новое фото", "photo": photo.pk},
        format="json",
    )

    assert edited.status_code == 200, edited.content
    assert edited.json()["photo"]["id"] == photo.pk
