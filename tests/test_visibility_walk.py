"""One visibility rule for everything that carries conversations (`chats.audience`).

The world: two teams, Sales and Support, an inbox each, and one customer who signs in with the
same identity in both and writes to each. Sales works on its conversation (replies, a private
note, labels, an assignment). A Support agent then walks every operator-facing REST endpoint,
enumerated from the URL conf (a new endpoint fails the walk until it is walked here or listed
as carrying no conversations), and keeps a console socket open while Sales works, and finds
nothing of the Sales conversation: not its id, not a body, not its note, not its label.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from chats.connectors.webhooks import fan_out, subscriptions
from chats.events.domain import audience_of
from chats.models import (
    Attachment,
    CannedResponse,
    Contact,
    Conversation,
    Inbox,
    Label,
    Webhook,
    WebhookDelivery,
    WebhookEventName,
)
from chats.routing import websocket_urlpatterns
from chats.services import assigning, authors, contacts, conversations, messages, reading, visitors
from chats.services.attachments import attachment_store
from operators import notifications
from operators.models import Notification, Operator, Role, Team
from operators.services import token_issue
from tests.factories import InboxFactory, OperatorFactory, TeamFactory
from tests.ws_helpers import on_db, receive_json

# The Sales conversation gets an id no other number in a response is likely to spell, so a
# leak of the bare id is found as text; every Sales word carries the marker.
SALES_CONVERSATION_ID = 7_340_001
MARKER = "zqsales"
PHONE = "+7 900 000-00-00"  # the walk's PATCH of the contact writes what is there
SALES_ID_AS_NUMBER = re.compile(rf"(?<![\d.]){SALES_CONVERSATION_ID}(?!\d)")


@dataclass
class World:
    sales: Team
    support: Team
    sales_inbox: Inbox
    support_inbox: Inbox
    sales_agent: Operator
    sales_colleague: Operator
    support_agent: Operator
    contact_id: int
    sales_conversation: Conversation
    support_conversation: Conversation
    sales_visitor: Any
    support_visitor: Any
    sales_notification: Notification
    sales_canned: CannedResponse
    sales_attachment: Attachment
    sales_message_id: int
    sales_webhook: Webhook
    sales_delivery: WebhookDelivery


def _signed_in(inbox: Inbox, external_id: str, page: str) -> tuple[Any, str]:
    digest = hmac.new(inbox.identity_secret.encode(), external_id.encode(), hashlib.sha256)
    session = visitors.visitor_session_start(
        inbox=inbox,
        visitor_token=None,
        locale="en",
        page={"url": page, "title": "Shop"},
        identity=visitors.Identity(
            external_id=external_id,
            hash=digest.hexdigest(),
            name="Maria Ivanova",
            email="maria@example.com",
        ),
    )
    return session.visitor, session.token


def _bump_conversation_ids_to(next_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('chats_conversation', 'id'), %s)",
            [max(next_id - 1, 1)],
        )


def build_world() -> World:
    sales, support = TeamFactory(name="Sales"), TeamFactory(name="Support")
    sales_inbox = InboxFactory(team=sales, name="Sales chat")
    support_inbox = InboxFactory(team=support, name="Support chat")
    sales_agent = OperatorFactory(username="sally", teams=[sales])
    sales_colleague = OperatorFactory(username="sam", teams=[sales])
    support_agent = OperatorFactory(username="petra", teams=[support])

    support_visitor, _ = _signed_in(support_inbox, "customer-42", "https://shop.example/help")
    support_message, _ = messages.visitor_message_send(
        visitor=support_visitor, body="My router blinks red", client_id=None
    )
    _bump_conversation_ids_to(SALES_CONVERSATION_ID)
    sales_visitor, _ = _signed_in(sales_inbox, "customer-42", f"https://shop.example/{MARKER}")
    assert sales_visitor.contact_id == support_visitor.contact_id  # one person, two teams
    Contact.objects.filter(pk=sales_visitor.contact_id).update(phone=PHONE)
    sales_message, _ = messages.visitor_message_send(
        visitor=sales_visitor, body=f"{MARKER} what does the gold plan cost?", client_id=None
    )
    sales_conversation = Conversation.objects.get(pk=sales_message.conversation_id)
    assert sales_conversation.pk == SALES_CONVERSATION_ID
    _bump_conversation_ids_to(SALES_CONVERSATION_ID + 100_000)  # none other comes near it
    # an admin's webhook hears everything, notes too: its log holds Sales' words
    webhook = Webhook.objects.create(
        url="https://crm.example/hook",
        events=[name for name in WebhookEventName.values],
        include_private=True,
        secret="s",
    )
    subscriptions.forget()
    sales_work(sales_conversation.pk, sales_agent, sales_colleague)
    fan_out.fan_out()
    canned = CannedResponse.objects.create(
        team=sales, shortcut="gold", title=f"{MARKER} gold", body=f"{MARKER} gold plan prices"
    )
    return World(
        sales=sales,
        support=support,
        sales_inbox=sales_inbox,
        support_inbox=support_inbox,
        sales_agent=sales_agent,
        sales_colleague=sales_colleague,
        support_agent=support_agent,
        contact_id=support_visitor.contact_id,
        sales_conversation=sales_conversation,
        support_conversation=Conversation.objects.get(pk=support_message.conversation_id),
        sales_visitor=sales_visitor,
        support_visitor=support_visitor,
        sales_notification=Notification.objects.filter(operator=sales_colleague).first(),
        sales_canned=canned,
        sales_attachment=Attachment.objects.get(conversation=sales_conversation),
        sales_message_id=sales_message.pk,
        sales_webhook=webhook,
        sales_delivery=WebhookDelivery.objects.filter(conversation_id=sales_conversation.pk)
        .order_by("id")
        .first(),
    )


def sales_work(conversation_id: int, agent: Operator, colleague: Operator) -> None:
    """What Sales does with its conversation: every kind of change an operator makes."""
    conversation = Conversation.objects.get(pk=conversation_id)
    assigning.conversation_assign(conversation=conversation, actor=agent, operator=agent)
    price_list = attachment_store(
        author=authors.Author.of_operator(agent),
        data=f"{MARKER} gold plan price list".encode(),
        name=f"{MARKER}-prices.txt",
    )
    messages.message_create(
        conversation_id=conversation_id,
        author=authors.Author.of_operator(agent),
        body=f"{MARKER} the gold plan is 90 a month",
        attachment_ids=[price_list.pk],
    )
    messages.message_create(
        conversation_id=conversation_id,
        author=authors.Author.of_operator(agent),
        body=f"{MARKER} note: big account, @sam offer the discount",
        private=True,
    )
    conversations.conversation_labels_set(conversation=conversation, labels=[f"{MARKER}-upsell"])
    conversations.conversation_priority_set(conversation=conversation, priority="high")
    assigning.conversation_assign(
        conversation=conversation,
        actor=agent,
        team=Team.objects.get(pk=conversation.team_id),
        note=f"{MARKER} handoff: sam takes it",
    )
    conversations.conversation_status_set(conversation=conversation, actor=agent, status="pending")


def assert_nothing_of_sales(text: str, where: str) -> None:
    assert MARKER not in text.lower(), f"{where} shows Sales words: {text[:2000]}"
    assert not SALES_ID_AS_NUMBER.search(text), f"{where} names the Sales conversation: {text}"


# --- the routes -------------------------------------------------------------------------------


def _routes(patterns: list[Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


Call = tuple[str, str, dict[str, Any] | None]  # method, path, JSON body or query


def walks(w: World) -> dict[str, list[Call]]:
    """Every operator-facing route, with what the Support agent asks of it. Paths with an id
    name the Sales object where there is one (the answer must be 404)."""
    sales_id, support_id = w.sales_conversation.pk, w.support_conversation.pk
    conversation_actions = {
        "assign": {"operator": w.support_agent.pk},
        "status": {"status": "resolved"},
        "labels": {"labels": ["mine-now"]},
        "priority": {"priority": "low"},
    }
    return {
        "api/v1/me": [("GET", "/api/v1/me", None)],
        "api/v1/operators": [("GET", "/api/v1/operators", None)],
        "api/v1/operators/<int:operator_id>": [
            ("PATCH", f"/api/v1/operators/{w.sales_agent.pk}", {"max_chats": 1})
        ],
        "api/v1/teams": [("GET", "/api/v1/teams", None)],
        "api/v1/notifications": [("GET", "/api/v1/notifications", None)],
        "api/v1/notifications/<int:notification_id>/read": [
            ("POST", f"/api/v1/notifications/{w.sales_notification.pk}/read", None)
        ],
        "api/v1/inboxes": [("GET", "/api/v1/inboxes", None)],
        "api/v1/inboxes/<int:inbox_id>": [
            ("GET", f"/api/v1/inboxes/{w.sales_inbox.pk}", None),
            ("GET", f"/api/v1/inboxes/{w.support_inbox.pk}", None),
        ],
        "api/v1/conversations": [
            ("GET", "/api/v1/conversations", query)
            for query in (
                None,
                {"q": MARKER},
                {"q": "gold plan"},
                {"q": "Maria"},
                {"q": "maria@example.com"},
                {"label": f"{MARKER}-upsell"},
                {"inbox": w.sales_inbox.pk},
                {"team": w.sales.pk},
                {"assignee": w.sales_agent.pk},
                {"assignee": "none"},
                {"status": "pending"},
            )
        ],
        "api/v1/conversations/counts": [("GET", "/api/v1/conversations/counts", None)],
        "api/v1/conversations/<int:conversation_id>": [
            ("GET", f"/api/v1/conversations/{sales_id}", None),
            ("GET", f"/api/v1/conversations/{support_id}", None),
        ],
        "api/v1/conversations/<int:conversation_id>/messages": [
            ("GET", f"/api/v1/conversations/{sales_id}/messages", None),
            ("POST", f"/api/v1/conversations/{sales_id}/messages", {"body": "hello?"}),
            ("GET", f"/api/v1/conversations/{support_id}/messages", None),
        ],
        **{
            f"api/v1/conversations/<int:conversation_id>/{action}": [
                ("POST", f"/api/v1/conversations/{sales_id}/{action}", body)
            ]
            for action, body in conversation_actions.items()
        },
        "api/v1/contacts": [
            ("GET", "/api/v1/contacts", None),
            ("GET", "/api/v1/contacts", {"q": "maria"}),
        ],
        "api/v1/contacts/<int:contact_id>": [
            ("GET", f"/api/v1/contacts/{w.contact_id}", None),
            ("PATCH", f"/api/v1/contacts/{w.contact_id}", {"phone": PHONE}),
        ],
        "api/v1/contacts/<int:contact_id>/merge": [
            ("POST", f"/api/v1/contacts/{w.contact_id}/merge", {"other": w.contact_id})
        ],
        "api/v1/labels": [
            ("GET", "/api/v1/labels", None),
            ("GET", "/api/v1/labels", {"q": MARKER}),
        ],
        "api/v1/canned-responses": [("GET", "/api/v1/canned-responses", {"q": "gold"})],
        "api/v1/canned-responses/<int:canned_response_id>": [
            ("GET", f"/api/v1/canned-responses/{w.sales_canned.pk}", None),
            ("PATCH", f"/api/v1/canned-responses/{w.sales_canned.pk}", {"title": "x"}),
        ],
        **{
            f"api/v1/conversations/<int:conversation_id>/messages/<int:message_id>/{action}": [
                (
                    "POST",
                    f"/api/v1/conversations/{sales_id}/messages/{w.sales_message_id}/{action}",
                    None,
                )
            ]
            for action in ("hide", "retry")
        },
        "api/v1/inboxes/<int:inbox_id>/posts": [
            ("GET", f"/api/v1/inboxes/{w.sales_inbox.pk}/posts", None),
            ("POST", f"/api/v1/inboxes/{w.sales_inbox.pk}/posts", {"text": "hi"}),
        ],
        "api/v1/inboxes/<int:inbox_id>/posts/<int:post_id>": [
            ("GET", f"/api/v1/inboxes/{w.sales_inbox.pk}/posts/1", None),
        ],
        "api/v1/attachments": [("POST", "/api/v1/attachments", {"file": "x"})],
        "api/v1/attachments/<int:attachment_id>": [
            ("GET", f"/api/v1/attachments/{w.sales_attachment.pk}", None)
        ],
        # The link is the permission, and only those who see the message get it: a guessed one.
        "files/<str:token>/<str:name>": [
            ("GET", f"/files/{w.sales_attachment.pk}.9999999999:guess/prices.txt", None),
            ("GET", f"/files/{w.sales_attachment.pk}/prices.txt", None),
        ],
        **report_walks(w),
        **webhook_walks(w),
        "console/": [("GET", "/console/", None)],
        "admin/": [
            ("GET", "/admin/", None),
            ("GET", "/admin/chats/conversation/", None),
            ("GET", f"/admin/chats/conversation/{sales_id}/change/", None),
        ],
    }


def webhook_walks(w: World) -> dict[str, list[Call]]:
    """Webhooks and their deliveries are admins' only; the API channel answers inbox tokens
    only. Sales has a webhook whose deliveries carry its conversation."""
    hook = f"/api/v1/webhooks/{w.sales_webhook.pk}"
    delivery = f"{hook}/deliveries/{w.sales_delivery.uid}"
    conversation = f"/api/channel/v1/conversations/{w.sales_conversation.pk}"
    return {
        "api/v1/webhooks": [
            ("GET", "/api/v1/webhooks", None),
            (
                "POST",
                "/api/v1/webhooks",
                {"url": "https://x.example/h", "events": ["csat.created"]},
            ),
        ],
        "api/v1/webhooks/<int:webhook_id>": [("GET", hook, None), ("PATCH", hook, {"events": []})],
        "api/v1/webhooks/<int:webhook_id>/secret": [("POST", f"{hook}/secret", None)],
        "api/v1/webhooks/<int:webhook_id>/deliveries": [("GET", f"{hook}/deliveries", None)],
        "api/v1/webhooks/<int:webhook_id>/deliveries/<uuid:delivery_id>": [("GET", delivery, None)],
        "api/v1/webhooks/<int:webhook_id>/deliveries/<uuid:delivery_id>/resend": [
            ("POST", f"{delivery}/resend", None)
        ],
        "api/channel/v1/contacts": [("POST", "/api/channel/v1/contacts", {"external_id": "1"})],
        "api/channel/v1/conversations": [
            ("POST", "/api/channel/v1/conversations", {"contact": "1"})
        ],
        "api/channel/v1/conversations/<int:conversation_id>": [("GET", conversation, None)],
        "api/channel/v1/conversations/<int:conversation_id>/messages": [
            ("GET", f"{conversation}/messages", None)
        ],
    }


def report_walks(w: World) -> dict[str, list[Call]]:
    """The reports: supervisors' and admins' only; an agent of another team asks anyway."""
    sales = {"team": w.sales.pk, "inbox": w.sales_inbox.pk, "operator": w.sales_agent.pk}
    queries: list[dict[str, Any]] = [{}, sales, {**sales, "format": "csv"}]
    return {
        "api/v1/reports/summary": [("GET", "/api/v1/reports/summary", q) for q in queries],
        "api/v1/reports/timeseries": [
            ("GET", "/api/v1/reports/timeseries", {**q, "metric": "conversations"}) for q in queries
        ],
        "api/v1/reports/breakdown": [
            ("GET", "/api/v1/reports/breakdown", {**q, "by": by})
            for q in queries
            for by in ("operator", "team", "inbox", "channel", "label")
        ],
        "api/v1/reports/heatmap": [("GET", "/api/v1/reports/heatmap", q) for q in queries],
        "api/v1/reports/live": [("GET", "/api/v1/reports/live", q) for q in queries],
    }


# Routes that carry no conversation, and why; and those that are not the operators' at all.
CARRY_NO_CONVERSATIONS = {
    "healthz": "the service's health",
    "api/v1/schema/": "the OpenAPI document, the same for everyone",
    "api/v1/auth/token": "signs in and out: answers a token",
    "login/": "the sign-in form",
    "logout/": "signs out",
    "": "the front page",
    "widget/v1/<str:name>": "the widget's static assets",
    "widget/demo/": "the widget's demo page",
    "i18n/setlang/": "switches the page language",
    "reports/": "the dashboard's page: its data comes from the reports API, walked above",
    "channels/telegram/<int:inbox_id>/webhook": "Telegram's updates in, answered {ok: true}",
}
NOT_FOR_OPERATORS = {
    "api/widget/v1/": "the widget API: a visitor token reaches only its own conversations",
    "ws/widget/v1/": "the widget socket: the same",
}
# Walked by the socket test below.
SOCKETS_WALKED = {"ws/console/v1/"}


def _classified(route: str, walked: set[str]) -> bool:
    if route in walked or route in CARRY_NO_CONVERSATIONS or route in SOCKETS_WALKED:
        return True
    if route.startswith("admin/"):
        return True  # the Django admin, walked through its own pages above
    return any(route.startswith(prefix) for prefix in NOT_FOR_OPERATORS)


@pytest.mark.django_db
def test_every_route_is_walked_or_said_to_carry_no_conversations() -> None:
    walked = set(walks(build_world()))
    routes = _routes(get_resolver().url_patterns) + _routes(websocket_urlpatterns)
    unclassified = [route for route in routes if not _classified(route, walked)]
    assert unclassified == [], (
        "walk these routes in tests/test_visibility_walk.py, or list them as carrying no "
        f"conversations: {unclassified}"
    )
    assert walked <= set(routes), f"walked routes that no longer exist: {walked - set(routes)}"


def _request(client: APIClient, method: str, path: str, data: dict[str, Any] | None) -> Any:
    if method == "GET":
        return client.get(path, data or {})
    return getattr(client, method.lower())(path, data or {}, format="json")


def _walk(w: World) -> dict[tuple[str, str, str], tuple[int, str]]:
    """Every call of the table as the Support agent (bearer token for the API, the session
    for pages): (method, path, body) -> (status, text)."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(operator=w.support_agent)[1]}")
    pages = Client()
    pages.force_login(w.support_agent)
    answers = {}
    for route, calls in walks(w).items():
        for method, path, data in calls:
            client = api if path.startswith("/api/") else pages
            response = (
                _request(client, method, path, data)
                if client is api
                else pages.get(path, follow=False)
            )
            assert response.status_code < 500, (route, path, response.status_code)
            text = response.content.decode()
            assert_nothing_of_sales(text, f"{method} {path} {data or ''}")
            answers[(method, path, json.dumps(data))] = (response.status_code, text)
    return answers


@pytest.mark.django_db
def test_support_agent_finds_nothing_of_sales_in_a_shared_contact(client_for) -> None:
    w = build_world()
    contact = client_for(w.support_agent).get(f"/api/v1/contacts/{w.contact_id}")

    assert contact.status_code == 200, contact.content
    assert [c["id"] for c in contact.json()["conversations"]] == [w.support_conversation.pk]
    assert_nothing_of_sales(contact.content.decode(), "the contact")


@pytest.mark.django_db
def test_support_agent_finds_nothing_of_sales_on_any_endpoint() -> None:
    w = build_world()

    answers = _walk(w)

    sales_paths = [
        key
        for key in answers
        if str(w.sales_conversation.pk) in key[1]
        or f"/inboxes/{w.sales_inbox.pk}" in key[1]
        or f"/canned-responses/{w.sales_canned.pk}" in key[1]
        or f"/notifications/{w.sales_notification.pk}/" in key[1]
    ]
    assert sales_paths
    for key in sales_paths:
        if key[1].startswith("/api/channel/"):  # an operator's token is no inbox token
            assert answers[key][0] == 401, (key, answers[key])
        elif key[1].startswith("/api/"):
            assert answers[key][0] == 404, (key, answers[key])


@pytest.mark.django_db
def test_what_support_sees_does_not_change_when_sales_works() -> None:
    """Nothing Support can read moves with Sales' work: no count, no date, no label."""
    w = build_world()
    gets = {key: value for key, value in _walk(w).items() if key[0] == "GET"}

    sales_work(w.sales_conversation.pk, w.sales_colleague, w.sales_agent)
    messages.visitor_message_send(
        visitor=w.sales_visitor, body=f"{MARKER} still there?", client_id=None
    )
    after = {key: value for key, value in _walk(w).items() if key[0] == "GET"}

    for key, (status, text) in gets.items():
        if key[1] in ("/console/",) or key[1].startswith("/admin/"):
            continue  # pages: a fresh CSRF token each time
        assert after[key] == (status, text), key


# --- the console socket -----------------------------------------------------------------------


async def _support_console(ws: Any, w: World) -> Any:
    token = await on_db(lambda: token_issue(operator=w.support_agent)[1])
    return await ws.connect_console(token)


def _conversation_named(frame: dict[str, Any]) -> Any:
    """The conversation a console frame is about, if any."""
    if isinstance(frame.get("message"), dict):
        return frame["message"]["conversation"]
    if isinstance(frame.get("conversation"), dict):
        return frame["conversation"]["id"]
    return frame.get("conversation")


async def _frames_until_support_message(console: Any, body: str) -> list[dict[str, Any]]:
    frames = []
    while True:
        frame = await receive_json(console)
        frames.append(frame)
        if frame["type"] == "message" and frame["message"]["body"] == body:
            return frames


@pytest.mark.django_db(transaction=True)
async def test_support_console_receives_nothing_of_sales_work(ws) -> None:
    w = await on_db(build_world)
    console = await _support_console(ws, w)
    sales_id = w.sales_conversation.pk

    def more_sales_work() -> None:
        messages.visitor_message_send(
            visitor=w.sales_visitor, body=f"{MARKER} hello again", client_id=None
        )
        conversation = Conversation.objects.get(pk=sales_id)
        reading.typing_by_visitor(visitor=w.sales_visitor, conversation=conversation, active=True)
        reading.typing_by_operator(
            operator=w.sales_agent, conversation=conversation, active=True, private=True
        )
        reading.conversation_read_by_visitor(
            visitor=w.sales_visitor, conversation=conversation, seq=conversation.last_seq
        )
        reading.conversation_read_by_operator(conversation=conversation, seq=conversation.last_seq)
        contacts.contact_update(
            contact=conversation.contact, changes={"notes": "prefers email"}
        )  # every conversation of the contact is announced: Sales' to Sales only
        sales_work(sales_id, w.sales_colleague, w.sales_agent)
        conversations.conversation_status_set(
            conversation=conversation, actor=None, status="resolved"
        )
        messages.visitor_message_send(
            visitor=w.support_visitor, body="support: done", client_id=None
        )

    # what the console may send about a conversation, naming the Sales one: each is refused
    # exactly as for a conversation that does not exist
    for frame in (
        {"type": "message", "conversation": sales_id, "client_id": "c1", "body": "hi"},
        {"type": "typing", "conversation": sales_id, "active": True},
        {"type": "read", "conversation": sales_id, "seq": 1},
    ):
        await console.send_json_to(frame)
        refused = await receive_json(console)
        assert (refused["type"], refused["code"]) == ("error", "not_found"), refused

    await on_db(more_sales_work)

    frames = await _frames_until_support_message(console, "support: done")
    assert_nothing_of_sales(json.dumps(frames, ensure_ascii=False), "the Support console")
    assert sales_id not in {_conversation_named(frame) for frame in frames}


@pytest.mark.django_db(transaction=True)
async def test_an_agent_who_loses_a_conversation_sees_where_it_went_not_the_handoff_note(ws):
    """Support's agent held the Sales conversation for a while (a supervisor lent it); Sales
    takes it back with a hand-off note: Support's last frame says where it went, and shows
    neither the note nor anything that happened in it since."""
    w = await on_db(build_world)
    supervisor = await on_db(OperatorFactory, role=Role.SUPERVISOR)
    sales_id = w.sales_conversation.pk
    await on_db(
        lambda: assigning.conversation_assign(
            conversation=Conversation.objects.get(pk=sales_id),
            actor=supervisor,
            operator=w.support_agent,
        )
    )
    console = await _support_console(ws, w)

    def take_back() -> None:
        assigning.conversation_assign(
            conversation=Conversation.objects.get(pk=sales_id),
            actor=w.sales_agent,
            operator=w.sales_agent,
            note=f"{MARKER} petra got the prices wrong",
        )
        messages.visitor_message_send(
            visitor=w.support_visitor, body="support: done", client_id=None
        )

    await on_db(take_back)

    frames = await _frames_until_support_message(console, "support: done")
    assert MARKER not in json.dumps(frames, ensure_ascii=False).lower()
    departed = [f["conversation"] for f in frames if f["type"] == "conversation"]
    assert [c["id"] for c in departed] == [sales_id]
    assert departed[0]["assignee"]["id"] == w.sales_agent.pk
    assert departed[0]["team"] == w.sales.pk
    assert not {"last_message", "last_seq", "queue_position"} & set(departed[0])


@pytest.mark.django_db
def test_support_agent_is_offered_only_the_labels_of_its_own_conversations(client_for) -> None:
    w = build_world()
    conversations.conversation_labels_set(conversation=w.support_conversation, labels=["router"])
    Label.objects.create(name="delivery")  # on no conversation: the shared vocabulary

    support = client_for(w.support_agent).get("/api/v1/labels").json()["results"]
    sales = client_for(w.sales_agent).get("/api/v1/labels").json()["results"]

    assert [label["name"] for label in support] == ["delivery", "router"]
    assert [label["name"] for label in sales] == ["delivery", f"{MARKER}-upsell"]


@pytest.mark.django_db
def test_a_notification_of_a_conversation_moved_out_of_sight_is_no_longer_listed(
    client_for,
) -> None:
    """Petra was mentioned while she held the Sales conversation; Sales took it back: her
    notifications no longer name it, and being taken back sends her none."""
    w = build_world()
    supervisor = OperatorFactory(role=Role.SUPERVISOR)
    conversation = Conversation.objects.get(pk=w.sales_conversation.pk)
    assigning.conversation_assign(
        conversation=conversation, actor=supervisor, operator=w.support_agent
    )
    messages.message_create(
        conversation_id=conversation.pk,
        author=authors.Author.of_operator(w.sales_agent),
        body="@petra the customer asked for you",
        private=True,
    )
    listed = client_for(w.support_agent).get("/api/v1/notifications").json()["results"]
    assert {n["kind"] for n in listed} == {"assigned", "mention"}

    assigning.conversation_assign(
        conversation=conversation, actor=w.sales_agent, operator=w.sales_agent
    )

    assert client_for(w.support_agent).get("/api/v1/notifications").json()["results"] == []
    taken_back = Conversation.objects.get(pk=conversation.pk)
    assert (
        notifications.reassigned_notify(
            operator_id=w.support_agent.pk,
            conversation_id=taken_back.pk,
            audience=audience_of(taken_back),
        )
        == []
    )
