"""Widget extensions: the inbox's widget settings in the session, and the visitor's own contact
details (`/api/widget/v1/contact`: the pre-chat form, the offline email, `identify()`)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from rest_framework.test import APIClient

from chats.models import Contact
from chats.selectors import inbox_widget_settings
from tests.factories import InboxFactory, visitor_for
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

SESSIONS = "/api/widget/v1/sessions"
CONTACT = "/api/widget/v1/contact"
SHOP = "https://shop.example.com"


def test_the_session_carries_the_inboxs_widget_settings(team):
    inbox = InboxFactory(
        team=team,
        settings={
            "color": "#0F766E",
            "prechat_fields": ["email", "name", "fax", "email"],
            "prechat_required": ["email", "phone"],
        },
    )

    body = APIClient().post(SESSIONS, {"inbox_key": inbox.inbox_key}, format="json").json()

    assert body["inbox"]["color"] == "#0f766e"
    assert body["inbox"]["prechat_fields"] == ["email", "name"]
    assert body["inbox"]["prechat_required"] == ["email"]


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"color": "red", "prechat_fields": "name", "prechat_required": True},
        {"color": "#12345g", "prechat_fields": [1, None]},
        {"color": None},
    ],
)
def test_bad_widget_settings_fall_back_to_the_defaults(team, settings):
    inbox = InboxFactory(team=team, settings=settings)

    assert inbox_widget_settings(inbox=inbox) == {
        "color": None,
        "prechat_fields": [],
        "prechat_required": [],
    }


def test_the_visitor_sets_their_name_email_and_phone(inbox, widget_client_for):
    visitor, token = visitor_for(inbox)

    response = widget_client_for(token).patch(
        CONTACT,
        {"name": "  Мария Иванова ", "email": "maria@example.ru", "phone": "+7 (900) 123-45-67"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "name": "Мария Иванова",
        "email": "maria@example.ru",
        "phone": "+7 (900) 123-45-67",
    }
    contact = Contact.objects.get(pk=visitor.contact_id)
    assert (contact.name, contact.email, contact.phone) == (
        "Мария Иванова",
        "maria@example.ru",
        "+7 (900) 123-45-67",
    )
    assert widget_client_for(token).get(CONTACT).json()["email"] == "maria@example.ru"


def test_a_partial_update_keeps_the_other_fields(inbox, widget_client_for):
    _visitor, token = visitor_for(inbox)
    client = widget_client_for(token)
    client.patch(CONTACT, {"name": "Ann", "phone": "12345"}, format="json")

    response = client.patch(CONTACT, {"email": "ann@example.com", "name": ""}, format="json")

    assert response.json() == {"name": "Ann", "email": "ann@example.com", "phone": "12345"}


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "not an email"},
        {"phone": "call me"},
        {"phone": "12-34"},
        {"name": "x" * 201},
        {"email": 5},
    ],
)
def test_bad_contact_details_answer_400(inbox, widget_client_for, payload):
    visitor, token = visitor_for(inbox)

    assert_error(widget_client_for(token).patch(CONTACT, payload, format="json"), 400, "invalid")
    contact = Contact.objects.get(pk=visitor.contact_id)
    assert (contact.email, contact.phone) == ("", "")


def test_the_contact_needs_a_visitor_token(inbox):
    assert_error(APIClient().patch(CONTACT, {"name": "x"}, format="json"), 401, "not_authenticated")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer nope")
    assert_error(client.patch(CONTACT, {"name": "x"}, format="json"), 401, "not_authenticated")


def test_the_contact_respects_the_inboxs_allowed_origins(team, widget_client_for):
    inbox = InboxFactory(team=team, allowed_origins=[SHOP])
    _visitor, token = visitor_for(inbox)

    refused = widget_client_for(token, origin="https://evil.example.com")
    assert_error(refused.patch(CONTACT, {"name": "x"}, format="json"), 403, "origin_not_allowed")
    allowed = widget_client_for(token, origin=SHOP).patch(CONTACT, {"name": "x"}, format="json")
    assert allowed.status_code == 200


def test_a_verified_contact_keeps_what_the_site_said(inbox, widget_client_for):
    digest = hmac.new(inbox.identity_secret.encode(), b"user-42", hashlib.sha256).hexdigest()
    session = APIClient().post(
        SESSIONS,
        {
            "inbox_key": inbox.inbox_key,
            "identity": {"external_id": "user-42", "email": "real@example.com", "hash": digest},
        },
        format="json",
    )
    token = session.json()["visitor_token"]

    response = widget_client_for(token).patch(
        CONTACT, {"email": "other@example.com", "name": "Bob"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"name": "Bob", "email": "real@example.com", "phone": ""}


def test_a_contact_change_is_announced_to_the_console(
    inbox, widget_client_for, published, django_capture_on_commit_callbacks
):
    from chats.services.conversations import conversation_open

    visitor, token = visitor_for(inbox)
    conversation_open(inbox=inbox, contact=visitor.contact)
    published.clear()

    with django_capture_on_commit_callbacks(execute=True):
        widget_client_for(token).patch(CONTACT, {"name": "Maria"}, format="json")

    frames = [json.loads(event["frame"]) for _group, event in published if "frame" in event]
    assert any(
        frame["type"] == "conversation" and frame["conversation"]["contact"]["name"] == "Maria"
        for frame in frames
    ), frames


def test_the_preflight_allows_patch():
    response = APIClient().options(
        CONTACT, HTTP_ORIGIN=SHOP, HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH"
    )

    assert response.status_code == 204
    assert "PATCH" in response["Access-Control-Allow-Methods"]
