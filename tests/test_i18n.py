"""Russian and English: the catalogues are complete and compiled, and every entry point answers
in the client's language (REST by `Accept-Language`, websockets by the handshake's
`Accept-Language`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import polib
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from helpdesk.asgi import application
from tests.factories import PASSWORD, InboxFactory, OperatorFactory, visitor_for

LOCALE = Path(settings.BASE_DIR) / "locale"
RU_PO = LOCALE / "ru" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TIMEOUT = 5.0


def _translations(catalogue: polib._BaseFile) -> dict[tuple[str | None, str], str]:
    return {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in catalogue
        if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags and entry.msgstr
    }


# --- the catalogues ---------------------------------------------------------------------------


def test_the_catalogues_hold_every_string_of_the_code_translated():
    """A string added to the code without `scripts/i18n_update.sh` (and its Russian) fails here,
    not in a Russian operator's console."""
    if shutil.which("msgfmt") is None:
        pytest.fail("GNU gettext is needed to check the catalogues: apt-get install gettext")
    check = subprocess.run(
        ["bash", str(Path(settings.BASE_DIR) / "scripts" / "i18n_check.sh")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable},
        check=False,
    )
    assert check.returncode == 0, check.stderr[-3000:]


def test_every_russian_msgid_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(RU_PO))
    active = [entry for entry in catalogue if not entry.obsolete]
    assert len(active) > 50, "the Russian catalogue looks empty: run scripts/i18n_update.sh"
    untranslated = [entry.msgid for entry in active if not entry.translated()]
    fuzzy = [entry.msgid for entry in active if "fuzzy" in entry.flags]
    assert untranslated == [], f"untranslated in {RU_PO}: {untranslated}"
    assert fuzzy == [], f"fuzzy in {RU_PO}: {fuzzy}"
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.metadata["Language"] == "ru"


def test_russian_translations_keep_every_placeholder():
    for entry in polib.pofile(str(RU_PO)):
        if entry.obsolete or not entry.msgstr:
            continue
        assert set(PLACEHOLDER.findall(entry.msgstr)) == set(PLACEHOLDER.findall(entry.msgid)), (
            entry.msgid
        )


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_compiled_catalogue_matches_its_po(language):
    """A stale .mo would serve old translations: `scripts/i18n_update.sh` recompiles it."""
    directory = LOCALE / language / "LC_MESSAGES"
    po = polib.pofile(str(directory / "django.po"))
    mo = polib.mofile(str(directory / "django.mo"))
    assert _translations(mo) == _translations(po)


# --- REST ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "Неверное имя пользователя или пароль."), ("en", "The username or password is wrong.")],
    ids=["ru", "en"],
)
def test_a_wrong_password_is_refused_in_the_clients_language(api_client, language, expected):
    operator = OperatorFactory()
    response = api_client.post(
        "/api/v1/auth/token",
        {"username": operator.username, "password": PASSWORD + "-wrong"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "invalid_credentials", "message": expected}}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.5", "Тело запроса не является корректным JSON."),
        ("en-US,en;q=0.9", "The request body is not valid JSON."),
    ],
    ids=["ru", "en"],
)
def test_a_malformed_json_body_is_refused_in_the_clients_language(api_client, language, expected):
    response = api_client.generic(
        "POST",
        "/api/v1/auth/token",
        '{"username": "x", "password": ',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "malformed_json", "message": expected}}


@pytest.mark.django_db
def test_a_validation_error_of_the_framework_is_in_russian_too(api_client):
    response = api_client.post(
        "/api/v1/auth/token", {"username": "anna"}, format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "password: Обязательное поле."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "Тело запроса больше 1 МиБ."), ("en", "The request body is larger than 1 MiB.")],
    ids=["ru", "en"],
)
def test_an_oversized_body_is_refused_in_the_clients_language(api_client, language, expected):
    """Refused by `ApiGuardMiddleware` before the body is read and before `LocaleMiddleware`."""
    response = api_client.generic(
        "POST",
        "/api/v1/auth/token",
        "x" * (settings.API_MAX_BODY_BYTES + 1),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 413
    assert response.json() == {"error": {"code": "too_large", "message": expected}}


@pytest.mark.django_db
def test_an_error_without_accept_language_is_in_english(api_client):
    response = api_client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Authentication is required."


# --- websockets -------------------------------------------------------------------------------


async def _widget_socket(inbox: Any, language: str | None) -> WebsocketCommunicator:
    headers = [(b"origin", b"https://shop.example")]
    if language is not None:
        headers.append((b"accept-language", language.encode()))
    communicator = WebsocketCommunicator(
        application, f"/ws/widget/v1/?inbox_key={inbox.inbox_key}", headers=headers
    )
    connected, code = await communicator.connect(timeout=TIMEOUT)
    assert connected, f"the handshake was refused with {code}"
    return communicator


async def _error_frame(communicator: WebsocketCommunicator) -> dict[str, Any]:
    frame = json.loads(await communicator.receive_from(timeout=TIMEOUT))
    assert frame["type"] == "error", frame
    return frame


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "malformed", "bad_token"),
    [
        (
            "ru-RU,ru;q=0.9",
            "Фрейм не является корректным JSON.",
            "Токен посетителя недействителен.",
        ),
        ("en-GB,en;q=0.8", "The frame is not valid JSON.", "The visitor token is invalid."),
        (None, "The frame is not valid JSON.", "The visitor token is invalid."),
    ],
    ids=["ru", "en", "no-accept-language"],
)
async def test_widget_error_frames_use_the_connections_language(language, malformed, bad_token):
    inbox = await database_sync_to_async(InboxFactory)()
    communicator = await _widget_socket(inbox, language)
    try:
        await communicator.send_to(text_data="{not json")
        frame = await _error_frame(communicator)
        assert frame == {"type": "error", "code": "malformed_json", "message": malformed}

        await communicator.send_json_to({"type": "hello", "visitor_token": "no-such-token"})
        frame = await _error_frame(communicator)
        assert frame == {"type": "error", "code": "not_authenticated", "message": bad_token}
        closed = await communicator.receive_output(timeout=TIMEOUT)
        assert closed == {"type": "websocket.close", "code": 4401}
    finally:
        await communicator.disconnect(timeout=TIMEOUT)


@pytest.mark.django_db(transaction=True)
async def test_a_service_error_raised_on_a_database_thread_is_in_the_connections_language():
    """`db_call` carries the connection's language into the thread that runs the service."""
    inbox = await database_sync_to_async(InboxFactory)()
    _visitor, token = await database_sync_to_async(visitor_for)(inbox)
    communicator = await _widget_socket(inbox, "ru")
    try:
        await communicator.send_json_to({"type": "hello", "visitor_token": token, "last_seq": 0})
        welcome = json.loads(await communicator.receive_from(timeout=TIMEOUT))
        assert welcome["type"] == "welcome"
        await communicator.send_json_to({"type": "message", "client_id": "c1", "body": "  \n "})
        frame = await _error_frame(communicator)
        assert frame == {
            "type": "error",
            "code": "empty_body",
            "message": "Сообщение пустое.",
            "client_id": "c1",
        }
    finally:
        await communicator.disconnect(timeout=TIMEOUT)
