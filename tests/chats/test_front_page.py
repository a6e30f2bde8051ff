"""The front page (`/`) and the widget demo page (`/widget/demo/`) a newcomer lands on."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from chats.selectors import DEMO_INBOX_NAME
from tests.factories import InboxFactory

pytestmark = pytest.mark.django_db

# Channels and features that do not exist yet: the front page must not claim them.
NOT_BUILT = re.compile(r"telegram|e-?mail|почт|report|отчёт|отчет|api channel", re.IGNORECASE)


def _page(path: str, language: str = "en") -> str:
    response = Client().get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_front_page_says_what_the_product_is_and_leads_to_sign_in_and_the_demo():
    html = _page("/")

    assert "Live chat for your website" in html
    assert 'href="/login/"' in html and ">Sign in<" in html
    assert 'href="/widget/demo/"' in html
    assert '<link rel="stylesheet" href="/static/console/console.css' in html


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_front_page_claims_no_channel_or_report_that_is_not_built(language):
    assert NOT_BUILT.findall(_page("/", language)) == []


def test_the_front_page_answers_in_russian_to_a_russian_browser():
    html = _page("/", "ru")

    assert '<html lang="ru">' in html
    assert "Онлайн-чат для вашего сайта" in html and ">Войти<" in html


def test_the_language_switch_keeps_the_choice_over_the_browsers_language():
    client = Client()
    client.get("/")
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ru">' in html


def test_the_widget_demo_without_a_key_shows_the_demo_inbox():
    demo = InboxFactory(name=DEMO_INBOX_NAME, channel="web")

    assert f'data-inbox-key="{demo.inbox_key}"' in _page("/widget/demo/")


def test_the_widget_demo_shows_the_configured_inbox_or_the_one_in_the_address(settings):
    InboxFactory(name=DEMO_INBOX_NAME, channel="web")
    configured, named = InboxFactory(), InboxFactory()
    settings.WIDGET_DEMO_INBOX_KEY = configured.inbox_key

    assert f'data-inbox-key="{configured.inbox_key}"' in _page("/widget/demo/")
    page = _page(f"/widget/demo/?inbox_key={named.inbox_key}")
    assert f'data-inbox-key="{named.inbox_key}"' in page


def test_the_widget_demo_without_any_inbox_says_how_to_get_one():
    html = _page("/widget/demo/")

    assert 'data-testid="no-demo-inbox"' in html
    assert "loader.js" not in html
