"""The nightly summary by email: yesterday against the day before, to each supervisor once, in
their language, with text and HTML parts; through a real SMTP server on loopback."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from chats.assignment import requests
from helpdesk.email_config import CONSOLE, SMTP, email_settings
from operators.models import Role
from reports import daily_summary
from reports.models import DailySummarySent
from reports.tasks import send_daily_summaries
from tests.factories import OperatorFactory
from tests.live_server import free_port
from tests.reports import story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_routing_requests(monkeypatch) -> None:
    monkeypatch.setattr(requests, "request_team_drain", lambda team_id: None)
    monkeypatch.setattr(requests, "request_operator_drain", lambda operator_id: None)


@pytest.fixture
def told(settings) -> story.Story:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PUBLIC_URL = "https://help.example.com"
    told = story.tell()
    told.boss.email, told.boss.language = "boss@example.com", "en"
    told.boss.save()
    OperatorFactory(role=Role.SUPERVISOR, name="Vera", email="vera@example.ru", language="ru")
    OperatorFactory(role=Role.SUPERVISOR, name="Nobody", email="")  # no address: nothing
    OperatorFactory(role=Role.AGENT, email="agent@example.com")  # not a supervisor
    OperatorFactory(role=Role.SUPERVISOR, email="gone@example.com", is_active=False)
    return told


def test_tuesdays_summary_goes_to_each_supervisor_once_in_their_language(told):
    with story.at("2026-11-04 06:59"):
        assert send_daily_summaries() == []  # before the hour
    with story.at("2026-11-04 07:00"):
        sent = send_daily_summaries()
        again = send_daily_summaries()

    assert len(sent) == 2 and again == []
    assert DailySummarySent.objects.count() == 2
    english, russian = sorted(mail.outbox, key=lambda m: m.to[0])
    assert english.to == ["boss@example.com"] and russian.to == ["vera@example.ru"]
    assert english.subject == "Helpdesk, Nov. 3, 2026: 2 conversations"
    assert russian.subject.startswith("Служба поддержки, 3 ноября 2026")
    text = english.body
    assert "Conversations: 2" in text  # Tuesday: C and D; Monday: A and B, no change
    assert "Resolved: 3 (+200 %; the day before: 1)" in text
    assert "Resolution, median: 40 min 0 s (+33 %; the day before: 30 min 0 s)" in text
    assert "Satisfaction (CSAT), average of 5: 2.00 (\u221260 %; the day before: 5.00)" in text
    assert "https://help.example.com/reports/" in text
    [(html, mimetype)] = english.alternatives
    assert mimetype == "text/html" and "<table" in html and "40 min 0 s" in html
    assert "Обращения: 2" in russian.body
    assert "Решено: 3" in russian.body


def test_the_text_part_is_not_html_escaped(told):
    told.boss.name = "O'Brien & <Co>"
    told.boss.save(update_fields=["name"])

    with story.at("2026-11-04 07:00"):
        send_daily_summaries()

    english = next(m for m in mail.outbox if m.to == ["boss@example.com"])
    assert "Hello, O'Brien & <Co>!" in english.body
    assert "O&#x27;Brien &amp; &lt;Co&gt;" in english.alternatives[0][0]


def test_a_send_whose_worker_died_is_claimed_again_later_and_a_sent_one_never(told):
    with story.at("2026-11-04 07:00"):
        DailySummarySent.objects.create(
            day=story.moscow("2026-11-03 00:00").date(),
            operator_id=told.boss.pk,
            claimed_at=story.moscow("2026-11-04 07:00"),
        )  # claimed by a worker that died before sending
        assert [m.to for m in mail.outbox] == []
        first = send_daily_summaries()  # Vera's; the boss's claim is too fresh to take
    with story.at("2026-11-04 07:15"):
        second = send_daily_summaries()  # the stale claim is taken: the boss's
    with story.at("2026-11-04 08:00"):
        third = send_daily_summaries()

    assert len(first) == 1 and second == [told.boss.pk] and third == []
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.com", "vera@example.ru"]
    assert not DailySummarySent.objects.filter(sent_at__isnull=True).exists()


def test_a_failed_send_is_sent_again_at_the_next_run(told, monkeypatch):
    calls = []

    def broken(self, fail_silently=False):
        calls.append(self.to)
        raise OSError("the mail server is down")

    with monkeypatch.context() as patched, story.at("2026-11-04 07:15"):
        patched.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
        assert send_daily_summaries() == []
    assert len(calls) == 2 and not DailySummarySent.objects.exists()

    with story.at("2026-11-04 07:30"):
        assert len(send_daily_summaries()) == 2
    assert len(mail.outbox) == 2


class Inbox:
    """What a real SMTP server on loopback received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def test_the_summary_leaves_through_smtp_with_text_and_html_parts(told, settings):
    received = Inbox()
    port = free_port()
    server = Controller(received, hostname="127.0.0.1", port=port)
    server.start()
    try:
        configured = email_settings({"EMAIL_URL": f"smtp://127.0.0.1:{port}"})
        settings.EMAIL_BACKEND = configured.backend
        settings.EMAIL_HOST, settings.EMAIL_PORT = configured.host, configured.port
        with story.at("2026-11-04 08:00"):
            assert (
                len(daily_summary.daily_summary_send(story.moscow("2026-11-03 00:00").date())) == 2
            )
    finally:
        server.stop()

    assert sorted(message["To"] for message in received.messages) == [
        "boss@example.com",
        "vera@example.ru",
    ]
    message = next(m for m in received.messages if m["To"] == "vera@example.ru")
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Обращения: 2" in plain and "<table" in html and 'lang="ru"' in html


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, (CONSOLE, "localhost", 25, "", "", False, False)),
        ({"EMAIL_URL": "console://"}, (CONSOLE, "localhost", 25, "", "", False, False)),
        (
            {"EMAIL_URL": "smtp://mailer:p%40ss@mail.example.com:587?tls=1"},
            (SMTP, "mail.example.com", 587, "mailer", "p@ss", True, False),
        ),
        (
            {"EMAIL_URL": "smtps://mail.example.com"},
            (SMTP, "mail.example.com", 465, "", "", False, True),
        ),
        (
            {"EMAIL_HOST": "relay", "EMAIL_PORT": "2525", "EMAIL_USE_TLS": "true"},
            (SMTP, "relay", 2525, "", "", True, False),
        ),
    ],
)
def test_mail_is_configured_from_the_environment(env, expected):
    got = email_settings(env)

    assert (
        got.backend,
        got.host,
        got.port,
        got.user,
        got.password,
        got.use_tls,
        got.use_ssl,
    ) == expected


@pytest.mark.parametrize(
    "env",
    [
        {"EMAIL_URL": "http://mail.example.com"},
        {"EMAIL_URL": "smtp://h:x/"},
        {"EMAIL_HOST": "h", "EMAIL_PORT": "x"},
    ],
)
def test_a_wrong_mail_setting_stops_the_start_saying_why(env):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        email_settings(env)
