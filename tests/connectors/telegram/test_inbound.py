"""What a Telegram user sends reaches the console: each update stored once, each kind of
message shown, edits applied live, kinds the helpdesk does not handle ignored."""

from __future__ import annotations

import io
import itertools
import json

import pytest
from django.test import Client
from PIL import Image

from chats.models import Attachment, Conversation, Message, TelegramChat, TelegramUpdate
from tests.connectors.telegram.conftest import console_frames
from tests.fakes import telegram_updates as tg
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

update_ids = itertools.count(900_001)


def next_id() -> int:
    return next(update_ids)


def jpeg(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (250, 200, 0)).save(out, "JPEG")
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (128, 128), (0, 120, 250, 255)).save(out, "WEBP")
    return out.getvalue()


def only_message() -> Message:
    [message] = Message.objects.select_related("conversation").all()
    return message


def test_a_private_message_opens_a_conversation_with_the_telegram_user(bot, customer, published):
    answer = bot.post(
        tg.text_message(
            next_id(),
            chat=tg.private_chat(customer),
            from_=customer,
            text="Где мой заказ?",
            message_id=10,
        )
    )

    assert answer.status_code == 200 and answer.json() == {"ok": True}
    message = only_message()
    assert message.body == "Где мой заказ?" and message.author_kind == "visitor"
    conversation = message.conversation
    assert conversation.inbox_id == bot.inbox.pk
    assert conversation.contact.name == "Мария Иванова"
    chat = TelegramChat.objects.get()
    assert (chat.chat_id, chat.user_id, chat.username, chat.kind) == (
        5550001,
        5550001,
        "maria_iv",
        "private",
    )
    frames = console_frames(published)
    assert [frame["message"]["body"] for frame in frames] == ["Где мой заказ?"]


def test_the_conversation_shows_the_telegram_user_in_the_console(bot, customer, agent, client_for):
    bot.post(
        tg.text_message(
            next_id(), chat=tg.private_chat(customer), from_=customer, text="Hi", message_id=11
        )
    )
    conversation = Conversation.objects.get()

    shown = client_for(agent).get(f"/api/v1/conversations/{conversation.pk}").json()

    assert shown["channel"] == "telegram"
    assert shown["telegram"] == {
        "id": 5550001,
        "username": "maria_iv",
        "blocked": False,
        "chat": "private",
        "group_title": None,
    }


def test_a_second_message_continues_the_same_conversation(bot, customer):
    chat = tg.private_chat(customer)
    bot.post(tg.text_message(next_id(), chat=chat, from_=customer, text="one", message_id=1))
    bot.post(tg.text_message(next_id(), chat=chat, from_=customer, text="two", message_id=2))

    assert Conversation.objects.count() == 1
    assert list(Message.objects.values_list("body", "seq")) == [("one", 1), ("two", 2)]


def test_a_repeated_update_id_is_stored_once(bot, customer):
    update = tg.text_message(
        next_id(), chat=tg.private_chat(customer), from_=customer, text="Hello", message_id=3
    )

    first, again = bot.post(update), bot.post(update)

    assert (first.status_code, again.status_code) == (200, 200)
    assert TelegramUpdate.objects.count() == 1
    assert Message.objects.count() == 1


def test_the_same_message_in_two_updates_is_stored_once(bot, customer):
    chat = tg.private_chat(customer)
    bot.post(tg.text_message(next_id(), chat=chat, from_=customer, text="Hello", message_id=4))
    bot.post(tg.text_message(next_id(), chat=chat, from_=customer, text="Hello", message_id=4))

    assert Message.objects.count() == 1


@pytest.mark.parametrize("secret", ["", "wrong-secret"])
def test_a_wrong_or_missing_secret_is_refused_and_stores_nothing(bot, customer, secret):
    update = tg.text_message(
        next_id(), chat=tg.private_chat(customer), from_=customer, text="Hello", message_id=5
    )

    assert_error(bot.post(update, secret=secret), 403, "forbidden")
    assert not TelegramUpdate.objects.exists() and not Message.objects.exists()


def test_an_update_for_an_inbox_without_a_bot_is_refused(bot, customer, inbox):
    update = tg.text_message(
        next_id(), chat=tg.private_chat(customer), from_=customer, text="Hi", message_id=6
    )
    answer = bot.client.post(
        f"/channels/telegram/{inbox.pk}/webhook",
        update,
        format="json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=bot.row.webhook_secret,
    )

    assert_error(answer, 403, "forbidden")
    assert not TelegramUpdate.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "malformed_json"),
        (b"[1, 2]", "invalid_update"),
        (b'{"update_id": "7"}', "invalid_update"),
        (b'{"update_id": -1}', "invalid_update"),
        (b'{"message": {}}', "invalid_update"),
    ],
)
def test_a_body_that_is_not_an_update_is_refused(bot, body, code):
    answer = bot.client.generic(
        "POST",
        f"/channels/telegram/{bot.inbox.pk}/webhook",
        body,
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=bot.row.webhook_secret,
    )

    assert_error(answer, 400, code)
    assert not TelegramUpdate.objects.exists()


def test_an_update_of_two_megabytes_is_refused_before_it_is_read(bot, customer):
    update = tg.text_message(
        next_id(),
        chat=tg.private_chat(customer),
        from_=customer,
        text="x" * 2_000_000,
        message_id=7,
    )

    answer = bot.client.generic(
        "POST",
        f"/channels/telegram/{bot.inbox.pk}/webhook",
        json.dumps(update).encode(),
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=bot.row.webhook_secret,
    )

    assert_error(answer, 413, "too_large")
    assert not TelegramUpdate.objects.exists()


def test_an_update_the_helpdesk_does_not_handle_is_acknowledged_and_ignored(bot):
    answer = bot.post(
        tg.poll_update(
            next_id(), poll_id="p1", question="Tea or coffee?", options=["Tea", "Coffee"]
        )
    )

    assert answer.status_code == 200
    assert TelegramUpdate.objects.get().processed_at is not None
    assert not Message.objects.exists() and not Conversation.objects.exists()


def test_a_photo_arrives_as_an_image_with_its_caption(bot, customer):
    bot.fake.add_file("photo-1", jpeg(64, 48), file_path="photos/file_1.jpg")

    bot.post(
        tg.photo_message(
            next_id(),
            chat=tg.private_chat(customer),
            from_=customer,
            message_id=20,
            photo=tg.photo_sizes("photo-1", 64, 48),
            caption="Вот так пришла коробка",
        )
    )

    message = only_message()
    assert message.body == "Вот так пришла коробка"
    [item] = message.attachments
    assert (item["kind"], item["content_type"], item["width"], item["height"]) == (
        "image",
        "image/jpeg",
        64,
        48,
    )
    assert [call.method for call in bot.fake.calls] == ["getUserProfilePhotos", "getFile"]
    assert bot.fake.downloads


def test_a_document_arrives_as_a_file_with_its_name(bot, customer):
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    bot.fake.add_file("doc-1", pdf)

    bot.post(
        tg.document_message(
            next_id(),
            chat=tg.private_chat(customer),
            from_=customer,
            message_id=21,
            file_id="doc-1",
            file_name="invoice.pdf",
            mime_type="application/pdf",
            file_size=len(pdf),
        )
    )

    message = only_message()
    assert message.body == ""
    assert [(a["name"], a["content_type"]) for a in message.attachments] == [
        ("invoice.pdf", "application/pdf")
    ]


def test_a_document_the_helpdesk_refuses_is_named_in_the_text(bot, customer):
    program = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 4
    bot.fake.add_file("doc-2", program)

    bot.post(
        tg.document_message(
            next_id(),
            chat=tg.private_chat(customer),
            from_=customer,
            message_id=22,
            file_id="doc-2",
            file_name="setup.exe",
            mime_type="application/x-msdownload",
            file_size=len(program),
        )
    )

    message = only_message()
    assert "setup.exe" in message.body and message.attachments == []
    assert not Attachment.objects.exists()


def test_a_voice_message_arrives_as_audio(bot, customer):
    ogg = b"OggS\x00\x02" + b"\x00" * 22 + b"\x01\x13OpusHead" + b"\x00" * 200
    bot.fake.add_file("voice-1", ogg)

    bot.post(
        tg.voice_message(
            next_id(),
            chat=tg.private_chat(customer),
            from_=customer,
            message_id=23,
            file_id="voice-1",
            duration=3,
        )
    )

    [item] = only_message().attachments
    assert (item["kind"], item["content_type"], item["name"]) == (
        "audio",
        "audio/ogg",
        "voice-23.ogg",
    )


def test_a_video_arrives_as_video(bot, customer):
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 200
    bot.fake.add_file("video-1", mp4)

    bot.post(
        tg.video_message(
            next_id(),
            chat=tg.private_chat(customer),
            from_=customer,
            message_id=24,
            file_id="video-1",
            duration=5,
            caption="unboxing",
        )
    )

    message = only_message()
    assert message.body == "unboxing"
    assert message.attachments[0]["kind"] == "video"


def test_a_sticker_arrives_as_its_emoji_and_image(bot, customer):
    bot.fake.add_file("sticker-1", webp())

    bot.post(
        tg.sticker_message(
            next_id(),
            chat=tg.private_chat(customer),
            from_=customer,
            message_id=25,
            file_id="sticker-1",
            emoji="👍",
        )
    )

    message = only_message()
    assert message.body == "👍"
    assert message.attachments[0]["content_type"] == "image/webp"


def test_a_location_arrives_as_coordinates_with_a_map_link(bot, customer):
    bot.post(
        tg.location_message(
            next_id(),
            chat=tg.private_chat(customer),
            from_=customer,
            message_id=26,
            latitude=55.751244,
            longitude=37.618423,
        )
    )

    body = only_message().body
    assert "55.751244, 37.618423" in body
    assert "https://www.openstreetmap.org/?mlat=55.751244&mlon=37.618423" in body


def test_an_edit_changes_the_message_and_the_console_is_told(bot, customer, published):
    chat = tg.private_chat(customer)
    bot.post(
        tg.text_message(
            next_id(), chat=chat, from_=customer, text="Order 41", message_id=30, date=1_790_000_000
        )
    )
    published.clear()

    bot.post(
        tg.edited_text_message(
            next_id(),
            chat=chat,
            from_=customer,
            text="Order 42",
            message_id=30,
            date=1_790_000_000,
            edit_date=1_790_000_060,
        )
    )

    message = only_message()
    assert message.body == "Order 42"
    assert message.edited_at is not None and message.edited_at.timestamp() == 1_790_000_060
    [changed] = console_frames(published)
    assert changed["message"]["id"] == message.pk and changed["message"]["body"] == "Order 42"
    assert changed["message"]["edited_at"] is not None


def test_a_user_who_blocks_the_bot_is_marked(bot, customer, agent, client_for):
    chat = tg.private_chat(customer)
    bot.post(tg.text_message(next_id(), chat=chat, from_=customer, text="Hi", message_id=31))

    bot.post(
        tg.my_chat_member(
            next_id(),
            chat=chat,
            from_=customer,
            bot=bot.user,
            old_status="member",
            new_status="kicked",
        )
    )

    assert TelegramChat.objects.get().blocked is True
    conversation = Conversation.objects.get()
    shown = client_for(agent).get(f"/api/v1/conversations/{conversation.pk}").json()
    assert shown["telegram"]["blocked"] is True


def test_the_telegram_users_profile_photo_becomes_the_contacts_avatar(
    bot, customer, agent, client_for
):
    bot.fake.set_profile_photo(customer["id"], "avatar-1", jpeg(160, 160), size=160)

    bot.post(
        tg.text_message(
            next_id(), chat=tg.private_chat(customer), from_=customer, text="Hi", message_id=40
        )
    )

    conversation = Conversation.objects.get()
    assert conversation.contact.avatar is not None
    shown = client_for(agent).get(f"/api/v1/conversations/{conversation.pk}").json()
    picture = Client().get(shown["contact"]["avatar_url"])
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"


def test_a_user_without_a_profile_photo_has_no_avatar(bot, customer, agent, client_for):
    bot.post(
        tg.text_message(
            next_id(), chat=tg.private_chat(customer), from_=customer, text="Hi", message_id=41
        )
    )

    conversation = Conversation.objects.get()
    shown = client_for(agent).get(f"/api/v1/conversations/{conversation.pk}").json()
    assert shown["contact"]["avatar_url"] is None


def test_telegram_conversations_are_routed_searched_and_reported_like_any_other(
    bot, customer, agent, supervisor, client_for
):
    bot.post(
        tg.text_message(
            next_id(),
            chat=tg.private_chat(customer),
            from_=customer,
            text="Нужна накладная по заказу 5521",
            message_id=50,
        )
    )
    conversation = Conversation.objects.get()

    found = client_for(agent).get("/api/v1/conversations", {"q": "накладная"}).json()["results"]
    assert [row["id"] for row in found] == [conversation.pk]
    assert conversation.team_id == bot.inbox.team_id  # in its team's queue, for routing
    by_channel = client_for(supervisor).get("/api/v1/reports/breakdown", {"by": "channel"}).json()
    rows = {row["key"]["id"]: row for row in by_channel["results"]}
    assert rows["telegram"]["conversations"] == 1
