"""The Telegram fake answers aiogram as Telegram's servers do; the update builders make Updates
aiogram parses. No database: these tests only talk HTTP to the fake on loopback."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BufferedInputFile,
    ChatMemberAdministrator,
    ChatMemberLeft,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from PIL import Image

from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import FakeTelegram, fake_telegram  # noqa: F401 - the fixture

TOKEN = "7000001:AAHfakeTokenForTheHelpdeskTests_abcdefg"
BOT_ID = 7000001
BOT_USERNAME = "helpdesk_test_bot"
ANN = tg.user(501, "Ann", "Lee", "ann_lee", "en")
BOB = tg.user(502, "Bob")
GROUP = tg.group_chat(-1001000000001, "Support group")
CHANNEL = tg.channel_chat(-1001000000002, "News", "helpdesk_news")


def _bot_for(fake: FakeTelegram, token: str = TOKEN) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))


@pytest.fixture
def fake(fake_telegram: FakeTelegram) -> FakeTelegram:  # noqa: F811
    fake_telegram.add_bot(TOKEN, id=BOT_ID, username=BOT_USERNAME)
    fake_telegram.add_chat(tg.private_chat(ANN))
    fake_telegram.add_chat(GROUP)
    fake_telegram.add_chat(CHANNEL, description="Our news")
    return fake_telegram


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    client = _bot_for(fake)
    yield client
    await client.session.close()


def _png(width: int, height: int) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(output, format="PNG")
    return output.getvalue()


def _keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=text, callback_data=data) for text, data in pairs]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


def _raw_post(url: str, body: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# The server ------------------------------------------------------------------------------------


def test_starts_fast_on_loopback_and_stops_cleanly() -> None:
    started = time.monotonic()
    with FakeTelegram() as fake:
        assert time.monotonic() - started < 1
        assert fake.base_url.startswith("http://127.0.0.1:")
        port = int(fake.base_url.rsplit(":", 1)[1])
    with pytest.raises(RuntimeError):
        _ = fake.base_url
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)


def test_unknown_method_answers_404_and_a_json_body_is_read(fake: FakeTelegram) -> None:
    status, body = _raw_post(f"{fake.base_url}/bot{TOKEN}/sendTelepathy", b"", "text/plain")
    assert (status, body) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    payload = json.dumps({"chat_id": ANN["id"], "text": "as JSON"}).encode()
    status, body = _raw_post(f"{fake.base_url}/bot{TOKEN}/sendmessage", payload, "application/json")
    assert status == 200
    assert body["result"]["text"] == "as JSON"
    assert fake.calls[-1].method == "sendMessage"  # method names are case-insensitive


def test_an_unknown_token_answers_401(fake: FakeTelegram) -> None:
    status, body = _raw_post(f"{fake.base_url}/bot1:nope/getMe", b"", "text/plain")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


# aiogram against the fake ----------------------------------------------------------------------


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (
        BOT_ID,
        BOT_USERNAME,
        "Helpdesk bot",
        True,
    )
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False


async def test_a_bad_token_raises_unauthorized(fake: FakeTelegram) -> None:
    stranger = _bot_for(fake, "123:not-a-token-the-fake-knows")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await stranger.session.close()
    assert fake.calls[-1].answered_with == 401


async def test_set_webhook_is_recorded_and_reported(bot: Bot, fake: FakeTelegram) -> None:
    assert await bot.set_webhook(
        "https://helpdesk.example.com/telegram/webhook/",
        secret_token="s3cr3t-Token_1",
        allowed_updates=["message", "callback_query"],
        drop_pending_updates=True,
    )
    webhook = fake.webhook(TOKEN)
    assert webhook.url == "https://helpdesk.example.com/telegram/webhook/"
    assert webhook.secret_token == "s3cr3t-Token_1"
    assert webhook.allowed_updates == ["message", "callback_query"]
    assert webhook.drop_pending_updates is True
    call = fake.calls_of("setWebhook")[0]
    assert call.params["allowed_updates"] == ["message", "callback_query"]
    assert call.params["drop_pending_updates"] is True
    assert call.answer["description"] == "Webhook was set"

    info = await bot.get_webhook_info()
    assert info.url == "https://helpdesk.example.com/telegram/webhook/"
    assert info.allowed_updates == ["message", "callback_query"]
    assert info.pending_update_count == 0

    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_set_webhook_wants_https_and_a_clean_secret(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="HTTPS URL must be provided"):
        await bot.set_webhook("http://127.0.0.1:8000/hook")
    with pytest.raises(TelegramBadRequest, match="secret token"):
        await bot.set_webhook("https://example.com/hook", secret_token="no spaces!")


async def test_send_message_with_an_inline_keyboard(bot: Bot, fake: FakeTelegram) -> None:
    keyboard = _keyboard(("Yes", "rate:5"), ("No", "rate:1"))
    sent = await bot.send_message(
        ANN["id"],
        "Rate us?",
        reply_markup=keyboard,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert sent.text == "Rate us?"
    assert sent.chat.id == ANN["id"]
    assert sent.from_user is not None
    assert sent.from_user.id == BOT_ID
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump() == keyboard.model_dump()
    assert sent.link_preview_options is not None
    assert sent.link_preview_options.is_disabled is True

    call = fake.sent_messages(ANN["id"])[0]
    assert call.params["chat_id"] == ANN["id"]
    assert call.params["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Yes", "callback_data": "rate:5"}, {"text": "No", "callback_data": "rate:1"}]
        ]
    }
    assert call.params["link_preview_options"] == {"is_disabled": True}
    assert call.message == fake.message(ANN["id"], sent.message_id)
    assert call.at <= time.monotonic()


async def test_message_ids_increase_per_chat(bot: Bot) -> None:
    ids = [(await bot.send_message(ANN["id"], f"n{n}")).message_id for n in range(3)]
    in_group = await bot.send_message(GROUP["id"], "hello group")
    assert ids == [1, 2, 3]
    assert in_group.message_id == 1


async def test_concurrent_sends_get_distinct_ids(bot: Bot, fake: FakeTelegram) -> None:
    sent = await asyncio.gather(*(bot.send_message(ANN["id"], f"m{n}") for n in range(20)))
    assert sorted(message.message_id for message in sent) == list(range(1, 21))
    assert len(fake.sent_messages(ANN["id"])) == 20


async def test_a_channel_post_comes_from_the_channel(bot: Bot) -> None:
    post = await bot.send_message("@helpdesk_news", "Released!")
    assert post.chat.id == CHANNEL["id"]
    assert post.from_user is None
    assert post.sender_chat is not None
    assert post.sender_chat.id == CHANNEL["id"]


async def test_html_becomes_text_and_utf16_entities(bot: Bot) -> None:
    sent = await bot.send_message(
        ANN["id"],
        "👋 <b>Hi</b>, see <a href='https://example.com'>docs</a> &amp; /help",
        parse_mode="HTML",
    )
    assert sent.text == "👋 Hi, see docs & /help"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [
        ("bold", 3, 2),
        ("text_link", 11, 4),
        ("bot_command", 18, 5),
    ]
    assert sent.entities is not None
    assert sent.entities[1].url == "https://example.com"


async def test_markup_telegram_cannot_parse_is_rejected(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "br"'):
        await bot.send_message(ANN["id"], "line<br>line", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="Can't find end tag"):
        await bot.send_message(ANN["id"], "<b>open", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match=r"Character '\.' is reserved"):
        await bot.send_message(ANN["id"], "*Done*.", parse_mode="MarkdownV2")
    sent = await bot.send_message(ANN["id"], "*Done*\\. ||secret||", parse_mode="MarkdownV2")
    assert sent.text == "Done. secret"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [
        ("bold", 0, 4),
        ("spoiler", 6, 6),
    ]


async def test_legacy_markdown_and_explicit_entities(bot: Bot) -> None:
    sent = await bot.send_message(
        ANN["id"], "*Order* shipped: ```text\nAB-12```", parse_mode="Markdown"
    )
    assert sent.text == "Order shipped: AB-12"
    assert [(e.type, e.offset, e.length, e.language) for e in sent.entities or []] == [
        ("bold", 0, 5, None),
        ("pre", 15, 5, "text"),
    ]
    with pytest.raises(TelegramBadRequest, match="Can't find end of the entity"):
        await bot.send_message(ANN["id"], "snake_case name", parse_mode="Markdown")


async def test_inline_buttons_are_checked_as_telegram_does(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(ANN["id"], "x", reply_markup=_keyboard(("Long", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(ANN["id"], "   ")


async def test_send_photo_upload_is_stored_and_downloadable(bot: Bot, fake: FakeTelegram) -> None:
    image = _png(1600, 1200)
    sent = await bot.send_photo(
        ANN["id"],
        BufferedInputFile(image, "screenshot.png"),
        caption="<i>Here</i>",
        parse_mode="HTML",
    )
    assert sent.photo is not None
    assert [(size.width, size.height) for size in sent.photo] == [
        (90, 68),
        (320, 240),
        (800, 600),
        (1280, 960),
    ]
    assert sent.caption == "Here"
    assert [(e.type, e.offset, e.length) for e in sent.caption_entities or []] == [("italic", 0, 4)]
    call = fake.calls_of("sendPhoto")[0]
    assert call.files["photo"] == image
    assert call.file_names["photo"] == "screenshot.png"
    assert str(call.params["photo"]).startswith("attach://")

    largest = sent.photo[-1]
    downloaded = await bot.download(largest.file_id)
    assert downloaded is not None
    content = downloaded.read()
    assert content[:2] == b"\xff\xd8"  # re-encoded as JPEG, as Telegram does
    assert len(content) == largest.file_size


async def test_send_document_upload_and_resend_by_file_id(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_document(
        ANN["id"], BufferedInputFile(b"%PDF-1.4 fake", "invoice.pdf"), caption="Your invoice"
    )
    document = sent.document
    assert document is not None
    assert (document.file_name, document.mime_type, document.file_size) == (
        "invoice.pdf",
        "application/pdf",
        13,
    )
    again = await bot.send_document(GROUP["id"], document.file_id)
    assert again.document == document
    assert fake.calls_of("sendDocument")[1].files == {}

    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(ANN["id"], "BQACAgIAAxkDAAInowhere")
    with pytest.raises(TelegramBadRequest, match="type of file mismatch"):
        await bot.send_photo(ANN["id"], document.file_id)


async def test_get_file_and_download_a_hosted_file(bot: Bot, fake: FakeTelegram) -> None:
    hosted = fake.add_file(
        "AgACAgIAAxkBAAIBp2user-photo", _png(40, 30), file_path="photos/file_7.jpg"
    )
    assert hosted["file_path"] == "photos/file_7.jpg"

    file = await bot.get_file("AgACAgIAAxkBAAIBp2user-photo")
    assert file.file_path == "photos/file_7.jpg"
    assert file.file_size == len(fake.file_content("AgACAgIAAxkBAAIBp2user-photo"))
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == fake.file_content("AgACAgIAAxkBAAIBp2user-photo")
    assert fake.downloads == ["photos/file_7.jpg"]

    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


async def test_edits_and_deletes(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_message(ANN["id"], "Waiting…", reply_markup=_keyboard(("Cancel", "c")))
    edited = await bot.edit_message_text(
        "Taken by Olga", chat_id=ANN["id"], message_id=sent.message_id
    )
    assert not isinstance(edited, bool)
    assert edited.text == "Taken by Olga"
    assert edited.edit_date is not None
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Taken by Olga", chat_id=ANN["id"], message_id=sent.message_id)

    with_keyboard = await bot.edit_message_reply_markup(
        chat_id=ANN["id"], message_id=sent.message_id, reply_markup=_keyboard(("Rate", "r"))
    )
    assert not isinstance(with_keyboard, bool)
    assert with_keyboard.reply_markup is not None
    assert with_keyboard.reply_markup.model_dump() == _keyboard(("Rate", "r")).model_dump()

    photo = await bot.send_photo(ANN["id"], BufferedInputFile(_png(10, 10), "a.png"), caption="a")
    recaptioned = await bot.edit_message_caption(
        chat_id=ANN["id"], message_id=photo.message_id, caption="b"
    )
    assert not isinstance(recaptioned, bool)
    assert recaptioned.caption == "b"
    with pytest.raises(TelegramBadRequest, match="no text in the message"):
        await bot.edit_message_text("x", chat_id=ANN["id"], message_id=photo.message_id)

    assert await bot.delete_message(ANN["id"], sent.message_id) is True
    assert fake.message(ANN["id"], sent.message_id) is None
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(ANN["id"], sent.message_id)


async def test_answer_callback_query(bot: Bot, fake: FakeTelegram) -> None:
    assert await bot.answer_callback_query("4382bfdwdsb323b2d9", text="Thanks!") is True
    assert fake.calls_of("answerCallbackQuery")[0].params == {
        "callback_query_id": "4382bfdwdsb323b2d9",
        "text": "Thanks!",
    }


async def test_get_chat_and_the_bot_as_a_channel_admin(bot: Bot, fake: FakeTelegram) -> None:
    chat = await bot.get_chat("@helpdesk_news")
    assert (chat.id, chat.type, chat.title, chat.description) == (
        CHANNEL["id"],
        "channel",
        "News",
        "Our news",
    )
    assert isinstance(await bot.get_chat_member(CHANNEL["id"], BOT_ID), ChatMemberLeft)

    fake.set_chat_member(
        CHANNEL["id"], fake.bot_user(TOKEN), "administrator", can_post_messages=True
    )
    member = await bot.get_chat_member(CHANNEL["id"], BOT_ID)
    assert isinstance(member, ChatMemberAdministrator)
    assert member.can_post_messages is True
    assert member.can_delete_messages is False


async def test_unknown_chats_are_not_found_as_on_telegram(bot: Bot, fake: FakeTelegram) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "hello?")
    fake.learn(tg.text_message(1, chat=GROUP, from_=BOB, text="hi all", message_id=40))
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(BOB["id"], "hello Bob")


async def test_lenient_chats_are_made_up() -> None:
    with FakeTelegram(strict_chats=False) as lenient:
        lenient.add_bot(TOKEN, id=BOT_ID, username=BOT_USERNAME)
        client = _bot_for(lenient)
        try:
            sent = await client.send_message(999, "hello")
        finally:
            await client.session.close()
    assert (sent.chat.id, sent.chat.type) == (999, "private")


async def test_replies_to_a_learned_message(bot: Bot, fake: FakeTelegram) -> None:
    incoming = tg.text_message(
        10, chat=tg.private_chat(ANN), from_=ANN, text="My order is late", message_id=57
    )
    fake.learn(incoming)
    answer = await bot.send_message(
        ANN["id"], "Looking into it", reply_parameters=ReplyParameters(message_id=57)
    )
    assert answer.message_id == 58
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "My order is late"
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(ANN["id"], "?", reply_parameters=ReplyParameters(message_id=3))


# Scripted failures -----------------------------------------------------------------------------


async def test_a_scripted_429_raises_retry_after(bot: Bot, fake: FakeTelegram) -> None:
    fake.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_message(ANN["id"], "first")
    assert raised.value.retry_after == 7
    call = fake.calls_of("sendMessage")[0]
    assert call.answered_with == 429
    assert call.answer["parameters"] == {"retry_after": 7}
    assert fake.message(ANN["id"], 1) is None  # a refused send sends nothing

    assert (await bot.send_message(ANN["id"], "second")).message_id == 1


async def test_failures_for_one_chat_and_several_times(bot: Bot, fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", error_code=500, chat_id=GROUP["id"], times=2)
    assert (await bot.send_message(ANN["id"], "unaffected")).text == "unaffected"
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(GROUP["id"], "x")
    assert (await bot.send_message(GROUP["id"], "x")).message_id == 1

    fake.fail_next(
        "deleteMessage", error_code=400, description="Bad Request: message to delete not found"
    )
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(GROUP["id"], 1)


async def test_a_blocked_user_raises_forbidden(bot: Bot, fake: FakeTelegram) -> None:
    fake.block_user(ANN["id"])
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ANN["id"], "still there?")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_document(ANN["id"], BufferedInputFile(b"x", "x.txt"))
    assert [call.answered_with for call in fake.calls] == [403, 403]
    assert fake.sent_messages() == []

    fake.unblock_user(ANN["id"])
    assert await bot.send_message(ANN["id"], "welcome back")


async def test_learning_a_kicked_my_chat_member_blocks(bot: Bot, fake: FakeTelegram) -> None:
    fake.learn(tg.my_chat_member(3, chat=tg.private_chat(ANN), from_=ANN, bot=fake.bot_user(TOKEN)))
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(ANN["id"], "hello?")


async def test_learning_a_bot_start_makes_the_private_chat_known(
    bot: Bot, fake: FakeTelegram
) -> None:
    fake.learn(
        tg.my_chat_member(
            4,
            chat=tg.private_chat(BOB),
            from_=BOB,
            bot=fake.bot_user(TOKEN),
            old_status="kicked",
            new_status="member",
        )
    )
    assert (await bot.send_message(BOB["id"], "Hi Bob")).chat.first_name == "Bob"


async def test_a_slow_answer_times_out_after_the_send_took_effect(
    bot: Bot, fake: FakeTelegram
) -> None:
    fake.delay(1.5, method="sendMessage")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(ANN["id"], "slow", request_timeout=1)
    assert fake.sent_messages(ANN["id"])[0].params["text"] == "slow"
    fake.delay(0, method="sendMessage")
    started = time.monotonic()
    await bot.send_message(ANN["id"], "fast")
    assert time.monotonic() - started < 1


# Recording -------------------------------------------------------------------------------------


def test_wait_for_polls_until_a_call_arrives(fake: FakeTelegram) -> None:
    def send_later() -> None:
        time.sleep(0.2)
        _raw_post(
            f"{fake.base_url}/bot{TOKEN}/sendMessage",
            f"chat_id={ANN['id']}&text=later".encode(),
            "application/x-www-form-urlencoded",
        )

    thread = threading.Thread(target=send_later)
    thread.start()
    call = fake.wait_for(lambda c: c.method == "sendMessage" and c.params["text"] == "later")
    thread.join()
    assert call.params == {"chat_id": ANN["id"], "text": "later"}
    with pytest.raises(TimeoutError, match="sendMessage->200"):
        fake.wait_for("deleteMessage", timeout=0.1)


async def test_wait_for_async_lets_the_loop_run(bot: Bot, fake: FakeTelegram) -> None:
    task = asyncio.create_task(bot.send_message(ANN["id"], "from a task"))
    call = await fake.wait_for_async("sendMessage", timeout=5)
    await task
    assert call.params["text"] == "from a task"


async def test_reset_forgets_calls_and_scripts(bot: Bot, fake: FakeTelegram) -> None:
    await bot.get_me()
    fake.fail_next("getMe", error_code=500)
    fake.block_user(ANN["id"])
    fake.reset()
    assert fake.calls == []
    assert await bot.get_me()
    assert await bot.send_message(ANN["id"], "hi")


# Update builders -------------------------------------------------------------------------------


def _builders() -> dict[str, Callable[[], dict[str, Any]]]:
    ann_chat = tg.private_chat(ANN)
    helpdesk = tg.bot_user(BOT_ID, BOT_USERNAME)
    keyboard = {"inline_keyboard": [[{"text": "Close", "callback_data": "close:9"}]]}
    return {
        "text": lambda: tg.text_message(
            1, chat=ann_chat, from_=ANN, text="Hi /start", message_id=1
        ),
        "photo": lambda: tg.photo_message(
            2,
            chat=ann_chat,
            from_=ANN,
            message_id=2,
            photo=tg.photo_sizes("AgACAgIAAxkBAAIB", 1280, 960, file_size=120_000),
            caption="my screen",
        ),
        "document": lambda: tg.document_message(
            3,
            chat=ann_chat,
            from_=ANN,
            message_id=3,
            file_id="BQACAgIAAxkBAAIC",
            file_name="log.txt",
            mime_type="text/plain",
            file_size=2048,
        ),
        "voice": lambda: tg.voice_message(
            4, chat=ann_chat, from_=ANN, message_id=4, file_id="AwACAgIAAxkBAAID", duration=3
        ),
        "video": lambda: tg.video_message(
            5, chat=ann_chat, from_=ANN, message_id=5, file_id="BAACAgIAAxkBAAIE", duration=12
        ),
        "sticker": lambda: tg.sticker_message(
            6, chat=ann_chat, from_=ANN, message_id=6, file_id="CAACAgIAAxkBAAIF", emoji="👍"
        ),
        "location": lambda: tg.location_message(
            7, chat=ann_chat, from_=ANN, message_id=7, latitude=52.37, longitude=4.89
        ),
        "edited": lambda: tg.edited_text_message(
            8, chat=ann_chat, from_=ANN, text="Hi, fixed", message_id=1, date=1_700_000_000
        ),
        "callback": lambda: tg.callback_query_update(
            9,
            id="4382bfdwdsb323b2d9",
            from_=ANN,
            message=tg.bot_message(
                chat=ann_chat, bot=helpdesk, message_id=10, text="Done?", reply_markup=keyboard
            ),
            data="close:9",
        ),
        "group_mention": lambda: tg.group_mention(
            10, group=GROUP, from_=BOB, bot_username=BOT_USERNAME, text="help", message_id=11
        ),
        "reply_to_bot": lambda: tg.reply_to_bot(
            11,
            chat=GROUP,
            from_=BOB,
            bot=helpdesk,
            text="Still broken",
            message_id=12,
            replied_message_id=9,
        ),
        "channel_post": lambda: tg.channel_post(
            12, channel=CHANNEL, text="Release 2.0", message_id=3
        ),
        "discussion_comment": lambda: tg.discussion_comment(
            13,
            group=GROUP,
            channel=CHANNEL,
            from_=BOB,
            text="Does it fix login?",
            message_id=21,
            forward_message_id=20,
            channel_post_id=3,
        ),
        "my_chat_member": lambda: tg.my_chat_member(14, chat=ann_chat, from_=ANN, bot=helpdesk),
        "poll": lambda: tg.poll_update(
            15, poll_id="5012", question="Useful?", options=["Yes", "No"], voter_counts=[3, 1]
        ),
    }


@pytest.mark.parametrize("kind", list(_builders()))
def test_every_builder_parses_as_an_update(kind: str) -> None:
    data = _builders()[kind]()
    parsed = Update.model_validate(data)
    assert parsed.update_id == data["update_id"]
    assert parsed.event_type == next(key for key in data if key != "update_id")
    assert _no_none(data), "builders leave out fields that have no value"


def _no_none(value: Any) -> bool:
    if isinstance(value, dict):
        return all(item is not None and _no_none(item) for item in value.values())
    if isinstance(value, list):
        return all(_no_none(item) for item in value)
    return True


def test_utf16_lengths_count_astral_characters_twice() -> None:
    assert tg.utf16_len("abc") == 3
    assert tg.utf16_len("👍") == 2
    assert tg.utf16_len("é") == 1
    assert tg.entity("bold", "👍 ok 👍 ok", "ok", start=3) == {
        "offset": 9,
        "length": 2,
        "type": "bold",
    }


def test_group_mention_entity_sits_at_the_utf16_offset() -> None:
    data = tg.group_mention(
        1,
        group=GROUP,
        from_=BOB,
        bot_username=BOT_USERNAME,
        text=f"🙏🏽 please @{BOT_USERNAME} help",
        message_id=5,
    )
    message = Update.model_validate(data).message
    assert message is not None
    assert message.entities is not None
    mention = message.entities[0]
    assert (mention.type, mention.offset, mention.length) == ("mention", 12, 18)
    assert mention.extract_from(message.text or "") == f"@{BOT_USERNAME}"


def test_a_mention_is_added_when_the_text_lacks_it() -> None:
    data = tg.group_mention(
        1, group=GROUP, from_=BOB, bot_username=BOT_USERNAME, text="help", message_id=5
    )
    assert data["message"]["text"] == f"@{BOT_USERNAME} help"
    assert data["message"]["entities"] == [{"offset": 0, "length": 18, "type": "mention"}]


def test_discussion_comment_replies_to_the_automatic_forward() -> None:
    data = tg.discussion_comment(
        7,
        group=GROUP,
        channel=CHANNEL,
        from_=BOB,
        text="Question",
        message_id=31,
        forward_message_id=30,
        channel_post_id=4,
    )
    comment = data["message"]
    forward = comment["reply_to_message"]
    assert comment["chat"] == GROUP
    assert comment["message_thread_id"] == 30
    assert forward["is_automatic_forward"] is True
    assert forward["sender_chat"] == CHANNEL
    assert forward["from"]["id"] == tg.TELEGRAM_SERVICE_USER_ID
    assert forward["forward_origin"]["type"] == "channel"
    assert forward["forward_origin"]["chat"] == CHANNEL
    assert forward["forward_origin"]["message_id"] == 4
    parsed = Update.model_validate(data).message
    assert parsed is not None
    assert parsed.reply_to_message is not None
    assert parsed.reply_to_message.is_automatic_forward is True


def test_blocked_by_user_is_a_kicked_my_chat_member() -> None:
    data = tg.my_chat_member(
        2, chat=tg.private_chat(ANN), from_=ANN, bot=tg.bot_user(BOT_ID, BOT_USERNAME)
    )
    changed = Update.model_validate(data).my_chat_member
    assert changed is not None
    assert changed.new_chat_member.status == "kicked"
    assert changed.old_chat_member.status == "member"
    assert data["my_chat_member"]["new_chat_member"]["until_date"] == 0


def test_reply_to_bot_is_authored_by_the_bot() -> None:
    helpdesk = tg.bot_user(BOT_ID, BOT_USERNAME)
    data = tg.reply_to_bot(
        3, chat=GROUP, from_=BOB, bot=helpdesk, text="Thanks", message_id=9, replied_message_id=8
    )
    replied = data["message"]["reply_to_message"]
    assert replied["from"] == helpdesk
    assert "reply_to_message" not in replied


def test_text_messages_carry_the_entities_telegram_detects() -> None:
    data = tg.text_message(
        1,
        chat=tg.private_chat(ANN),
        from_=ANN,
        text="/start@helpdesk_test_bot see https://example.com/a?b=1. #help",
        message_id=1,
    )
    assert [(e["type"], e["offset"], e["length"]) for e in data["message"]["entities"]] == [
        ("bot_command", 0, 24),
        ("url", 29, 25),
        ("hashtag", 56, 5),
    ]
    plain = tg.text_message(1, chat=tg.private_chat(ANN), from_=ANN, text="hello", message_id=2)
    assert "entities" not in plain["message"]
