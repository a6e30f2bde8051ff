"""An admin adds a Telegram bot by its token: checked with getMe, its webhook registered at
PUBLIC_URL with a random secret, the token never shown again."""

from __future__ import annotations

import pytest

from chats.models import Inbox, TelegramBot
from operators.models import Role
from tests.connectors.telegram.conftest import (
    BOT_ID,
    BOT_USERNAME,
    PUBLIC_URL,
    TOKEN,
    create_telegram_inbox,
)
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_adds_a_bot_and_its_webhook_is_registered(
    fake_telegram, admin, client_for, team, public_url
):
    fake_telegram.add_bot(TOKEN, id=BOT_ID, username=BOT_USERNAME)

    created = create_telegram_inbox(client_for(admin), team.pk, fake_telegram)

    assert created.status_code == 201, created.content
    inbox = created.json()
    assert inbox["channel"] == "telegram"
    assert inbox["telegram"] == {
        "bot_username": BOT_USERNAME,
        "api_url": fake_telegram.base_url,
        "groups": False,
        "channel": "",
    }
    assert TOKEN not in created.content.decode()
    webhook = fake_telegram.webhook(TOKEN)
    assert webhook.url == f"{PUBLIC_URL}/channels/telegram/{inbox['id']}/webhook"
    secret = TelegramBot.objects.get(inbox_id=inbox["id"]).webhook_secret
    assert webhook.secret_token == secret and len(secret) >= 32
    assert [call.method for call in fake_telegram.calls] == ["getMe", "setWebhook"]


def test_the_token_is_never_shown_again_to_anyone(
    fake_telegram, admin, client_for, team, public_url, make_operator
):
    fake_telegram.add_bot(TOKEN, id=BOT_ID, username=BOT_USERNAME)
    inbox_id = create_telegram_inbox(client_for(admin), team.pk, fake_telegram).json()["id"]
    agent = make_operator(Role.AGENT, [team])

    for operator in (admin, agent):
        client = client_for(operator)
        for answer in (client.get("/api/v1/inboxes"), client.get(f"/api/v1/inboxes/{inbox_id}")):
            assert answer.status_code == 200
            assert TOKEN not in answer.content.decode()
            assert TOKEN.split(":")[1] not in answer.content.decode()


def test_a_bad_token_is_refused_and_nothing_is_created(
    fake_telegram, admin, client_for, team, public_url
):
    answer = create_telegram_inbox(client_for(admin), team.pk, fake_telegram)

    assert_error(answer, 400, "telegram_token_invalid")
    assert not Inbox.objects.exists()


def test_a_malformed_token_is_refused(fake_telegram, admin, client_for, team, public_url):
    answer = client_for(admin).post(
        "/api/v1/inboxes",
        {
            "name": "Telegram",
            "channel": "telegram",
            "team": team.pk,
            "telegram": {"bot_token": "not a token", "api_url": fake_telegram.base_url},
        },
        format="json",
    )

    assert_error(answer, 400, "telegram_token_invalid")


def test_telegram_needs_the_public_https_address(fake_telegram, admin, client_for, team, settings):
    settings.PUBLIC_URL = "http://localhost:8000"
    fake_telegram.add_bot(TOKEN, id=BOT_ID, username=BOT_USERNAME)

    answer = create_telegram_inbox(client_for(admin), team.pk, fake_telegram)

    assert_error(answer, 400, "public_url_required")
    assert not Inbox.objects.exists()


def test_a_refused_webhook_creates_nothing(fake_telegram, admin, client_for, team, public_url):
    fake_telegram.add_bot(TOKEN, id=BOT_ID, username=BOT_USERNAME)
    fake_telegram.fail_next("setWebhook", error_code=400, description="Bad Request: bad webhook")

    answer = create_telegram_inbox(client_for(admin), team.pk, fake_telegram)

    assert_error(answer, 400, "telegram_webhook_refused")
    assert not Inbox.objects.exists() and not TelegramBot.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"channel": "telegram"},
        {"channel": "web", "telegram": {"bot_token": TOKEN}},
        {"channel": "telegram", "telegram": {"bot_token": 5}},
        {"channel": "telegram", "telegram": {"bot_token": TOKEN, "api_url": "not a url"}},
        {"channel": "telegram", "telegram": "token"},
    ],
)
def test_telegram_settings_that_do_not_fit_are_refused(admin, client_for, team, body):
    answer = client_for(admin).post(
        "/api/v1/inboxes", {"name": "T", "team": team.pk, **body}, format="json"
    )

    assert answer.status_code == 400, answer.content
    assert not Inbox.objects.exists()


def test_only_admins_add_bots(fake_telegram, supervisor, client_for, team, public_url):
    fake_telegram.add_bot(TOKEN, id=BOT_ID, username=BOT_USERNAME)

    answer = create_telegram_inbox(client_for(supervisor), team.pk, fake_telegram)

    assert answer.status_code == 403
    assert fake_telegram.calls == []
