"""Reads. Every list the API serves comes from here, with its query count under test."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import JSONObject, Left, Replace, Right

from chats.audience import visible_to
from chats.business_hours import has_hours, schedule_of
from chats.models import (
    AuthorKind,
    CannedResponse,
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    Inbox,
    Label,
    Message,
    TelegramChat,
    Visitor,
)
from operators.models import Operator


def with_queue_position(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    ahead = (
        Conversation.objects.filter(
            team_id=OuterRef("team_id"),
            queued_at__isnull=False,
        )
        .filter(
            Q(queued_at__lt=OuterRef("queued_at"))
            | Q(queued_at=OuterRef("queued_at"), id__lte=OuterRef("id"))
        )
        .order_by()
        .values("team_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return queryset.annotate(
        queue_position_value=Case(
            When(queued_at__isnull=False, then=Subquery(ahead)),
            default=Value(None),
            output_field=IntegerField(),
        )
    )


LAST_MESSAGE_PREVIEW_CHARS = 140


def _last_message(*, public_only: bool = False) -> Subquery:
    """The conversation's last message as one JSON object: a correlated subquery that walks the
    `(conversation, seq)` unique index backwards, so a list page costs no extra query however
    many rows it has. Operators' (notes too); `public_only` for those outside the team (the
    API channel, webhooks without private notes)."""
    messages = Message.objects.filter(conversation_id=OuterRef("pk"))
    if public_only:
        messages = messages.filter(private=False)
    return Subquery(
        messages.order_by("-seq").values(
            preview=JSONObject(
                body=Left("body", LAST_MESSAGE_PREVIEW_CHARS),
                author_kind="author_kind",
                private="private",
                created_at="created_at",
            )
        )[:1],
        output_field=JSONField(),
    )


def with_last_message(
    queryset: QuerySet[Conversation], *, public_only: bool = False
) -> QuerySet[Conversation]:
    """`last_message_value`, the console's preview line."""
    return queryset.annotate(last_message_value=_last_message(public_only=public_only))


@functools.cache
def _conversation_base_template(public_only: bool = False) -> QuerySet[Conversation]:
    # Never evaluated itself: resolving the annotations' subqueries was a third of the CPU of
    # fetching one conversation, so each process builds them once and hands out clones.
    return with_last_message(
        with_queue_position(
            Conversation.objects.select_related(
                "contact", "assignee", "csat", "inbox", "telegram_chat"
            ).prefetch_related("labels")
        ),
        public_only=public_only,
    )


def conversation_base() -> QuerySet[Conversation]:
    """Conversations as the API shows them: contact, assignee, labels, queue position and last
    messages (`chats.serializers.conversation_data`)."""
    return _conversation_base_template().all()


def conversation_base_public() -> QuerySet[Conversation]:
    """The same, for those who never see private notes: the last message is the last public
    one (the API channel, webhooks without `include_private`)."""
    return _conversation_base_template(public_only=True).all()


def conversation_list(
    *,
    operator: Operator,
    status: str | None = None,
    assignee: str | None = None,
    team: int | None = None,
    inbox: int | None = None,
    label: str | None = None,
    q: str | None = None,
) -> QuerySet[Conversation]:
    queryset = conversation_base().filter(visible_to(operator))
    if status:
        queryset = queryset.filter(status=status)
    if assignee == "me":
        queryset = queryset.filter(assignee_id=operator.pk)
    elif assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee:
        queryset = queryset.filter(assignee_id=int(assignee))
    if team is not None:
        queryset = queryset.filter(team_id=team)
    if inbox is not None:
        queryset = queryset.filter(inbox_id=inbox)
    if label:
        queryset = queryset.filter(labels__name=label)
    if q:
        queryset = queryset.filter(_search_filter(q))
    return queryset.order_by("-last_activity_at", "-id")


def _search_filter(text: str) -> Q:
    """Messages by full text, contacts by name or email. Both are subqueries (not a join on
    the contact), so PostgreSQL hashes each matching set once and walks the activity index
    until the page is full: 2 to 4 times faster with 10,000 conversations (docs/benchmarks.md)."""
    contacts = Contact.objects.filter(Q(name__icontains=text) | Q(email__icontains=text))
    if settings.USES_POSTGRES:
        from chats.search import message_search_subquery

        matching = message_search_subquery(text)
    else:
        matching = Message.objects.filter(body__icontains=text).values("conversation_id")
    return Q(id__in=matching) | Q(contact_id__in=contacts.values("id"))


def conversation_get_visible(*, operator: Operator, conversation_id: int) -> Conversation | None:
    return conversation_base().filter(visible_to(operator), pk=conversation_id).first()


def conversation_with_position(*, conversation_id: int) -> Conversation:
    return conversation_base().get(pk=conversation_id)


def message_list_after(
    *, conversation_id: int, after_seq: int, include_private: bool, limit: int
) -> list[Message]:
    queryset = Message.objects.filter(conversation_id=conversation_id, seq__gt=after_seq)
    if not include_private:
        queryset = queryset.filter(private=False)
    return list(
        queryset.select_related("author_operator", "author_contact").order_by("seq")[:limit]
    )


def visitor_current_conversation(*, visitor: Visitor) -> Conversation | None:
    """The visitor's latest conversation in their inbox, whatever its status."""
    return (
        conversation_base()
        .filter(contact_id=visitor.contact_id, inbox_id=visitor.inbox_id)
        .order_by("-id")
        .first()
    )


def visitor_conversation(*, visitor: Visitor, conversation_id: int) -> Conversation | None:
    return (
        conversation_base()
        .filter(contact_id=visitor.contact_id, inbox_id=visitor.inbox_id, pk=conversation_id)
        .first()
    )


_SEND_LOOKUP = """
SELECT
  (SELECT m.id FROM chats_message m JOIN chats_conversation c ON c.id = m.conversation_id
    WHERE m.sender_key = %s AND m.client_id = %s AND c.contact_id = %s AND c.inbox_id = %s
    ORDER BY m.id DESC LIMIT 1),
  (SELECT id FROM chats_conversation
    WHERE contact_id = %s AND inbox_id = %s AND status <> 'resolved'
    ORDER BY id DESC LIMIT 1)
"""


def visitor_send_lookup(
    *, contact_id: int, inbox_id: int, sender_key: str, client_id: str | None
) -> tuple[int | None, int | None]:
    """One round trip on every visitor send: the id of an earlier message with this
    `client_id` (a resend), and the id of the visitor's open conversation."""
    with connection.cursor() as cursor:
        cursor.execute(
            _SEND_LOOKUP, [sender_key, client_id, contact_id, inbox_id, contact_id, inbox_id]
        )
        earlier_id, open_id = cursor.fetchone()
    return earlier_id, open_id


def visitor_open_conversation_id(*, contact_id: int, inbox_id: int) -> int | None:
    return (
        Conversation.objects.filter(contact_id=contact_id, inbox_id=inbox_id)
        .exclude(status=ConversationStatus.RESOLVED)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def inbox_list_visible(*, operator: Operator) -> QuerySet[Inbox]:
    queryset = Inbox.objects.select_related(
        "team", "telegram_bot", "api_webhook", "email_account"
    ).order_by("id")
    if operator.sees_everything:
        return queryset
    return queryset.filter(team__in=operator.teams.all())


def contact_get_visible(*, operator: Operator, contact_id: int) -> Contact | None:
    if operator.sees_everything:
        return Contact.objects.filter(pk=contact_id).first()
    visible = Conversation.objects.filter(visible_to(operator), contact_id=contact_id)
    return Contact.objects.filter(pk=contact_id, conversations__in=visible).distinct().first()


def contact_conversations(*, operator: Operator, contact: Contact) -> QuerySet[Conversation]:
    """The contact's conversations that `operator` may see: a contact written to by two teams
    is no door from one team into the other's conversations."""
    return conversation_base().filter(visible_to(operator), contact=contact).order_by("-id")


def contact_search(*, operator: Operator, q: str | None = None) -> QuerySet[Contact]:
    """The contacts the operator may see (`contact_get_visible`'s rule: one of their
    conversations is visible; supervisors and admins see all), newest first, `q` matching the
    name, email or phone."""
    queryset = Contact.objects.all()
    if not operator.sees_everything:
        visible = Conversation.objects.filter(visible_to(operator), contact_id=OuterRef("pk"))
        queryset = queryset.filter(Exists(visible))
    if q:
        queryset = queryset.filter(
            Q(name__icontains=q) | Q(email__icontains=q) | Q(phone__icontains=q)
        )
    return queryset.prefetch_related(private_telegram_chats()).order_by("-id")


MERGE_SUGGESTIONS_MAX = 5
PHONE_DIGITS_COMPARED = 10  # "+7 900 123-45-67" and "8 (900) 123-45-67" are one number


def _phone_digits(expression: Any) -> Any:
    """The phone's digits (the usual separators removed), in SQL both databases speak."""
    for separator in (" ", "-", "(", ")", "+", ".", "/"):
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def contact_merge_suggestions(*, contact: Contact) -> QuerySet[Contact]:
    """Other contacts with the same email, or the same phone number written another way: the
    same person, met on another channel (a supervisor may merge them)."""
    match = Q(pk__in=[])
    if contact.email:
        match |= Q(email__iexact=contact.email)
    digits = re.sub(r"\D", "", contact.phone)[-PHONE_DIGITS_COMPARED:]
    if len(digits) >= 7:
        match |= Q(phone_tail=digits)
    return (
        Contact.objects.exclude(pk=contact.pk)
        .annotate(phone_tail=Right(_phone_digits(F("phone")), PHONE_DIGITS_COMPARED))
        .filter(match)
        .order_by("id")[:MERGE_SUGGESTIONS_MAX]
    )


def private_telegram_chats() -> Prefetch[Any]:
    """A contact's private Telegram chats, newest first (`serializers.contact_telegram`)."""
    return Prefetch(
        "telegram_chats",
        queryset=TelegramChat.objects.filter(kind="private").order_by("-id"),
        to_attr="private_telegram_chats",
    )


# --- the console's counters -------------------------------------------------------------------


def unread_for_operators() -> Q:
    """Whether a conversation is *unread* for the console: a message from its contact came after
    what the operators have read (`operator_last_read_seq`). An operator's reply or note moves
    that mark to itself (`message_create`), so what lies past it is the contact's messages, and
    system or bot messages, which do not count. The column test comes first: the unique index
    `(conversation, seq)` is probed, on the range between the mark and `last_seq`, only for
    conversations with something past the mark."""
    contact_message_past_the_mark = Message.objects.filter(
        conversation_id=OuterRef("pk"),
        seq__gt=OuterRef("operator_last_read_seq"),
        seq__lte=OuterRef("last_seq"),
        author_kind=AuthorKind.VISITOR,
    )
    return Q(last_seq__gt=F("operator_last_read_seq")) & Q(Exists(contact_message_past_the_mark))


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _list_count() -> dict[str, int]:
    return {"unread": 0, "open": 0, "pending": 0}


def _tally(bucket: dict[str, int], *, status: str, unread: bool, count: int) -> None:
    bucket[status] += count
    if unread:
        bucket["unread"] += count


def conversation_counts(*, operator: Operator) -> dict[str, Any]:
    """The console's counters: for each list the operator sees (mine, unassigned, all, each team,
    each label, resolved) how many of its conversations are unread, and how many are open and
    pending. The lists are those of `conversation_list` under the same visibility rule; every
    list but *resolved* counts the conversations that are not resolved.

    Two queries (three for an agent, whose team ids the visibility rule reads first): the
    visible conversations grouped by team, status and the three flags (unread, mine,
    unassigned), which PostgreSQL computes once per row in one scan, summed here (a few dozen
    rows); and the same over the labels of those that are not resolved."""
    visible = Conversation.objects.filter(visible_to(operator)).order_by()
    flagged = visible.annotate(
        is_unread=_flag(unread_for_operators()),
        is_mine=_flag(Q(assignee_id=operator.pk)),
        is_unassigned=_flag(Q(assignee_id__isnull=True)),
    )
    mine, unassigned, everything = _list_count(), _list_count(), _list_count()
    teams: dict[int, dict[str, int]] = {}
    resolved_unread = 0
    groups = flagged.values_list("team_id", "status", "is_unread", "is_mine", "is_unassigned")
    for team_id, status, unread, is_mine, is_unassigned, count in groups.annotate(n=Count("id")):
        team = teams.setdefault(team_id, _list_count()) if team_id is not None else None
        if status == ConversationStatus.RESOLVED:
            resolved_unread += count if unread else 0
            continue
        lists = (everything, team, mine if is_mine else None, unassigned if is_unassigned else None)
        for bucket in lists:
            if bucket is not None:
                _tally(bucket, status=status, unread=unread, count=count)
    labels: dict[str, dict[str, int]] = {}
    label_groups = (
        flagged.exclude(status=ConversationStatus.RESOLVED)
        .filter(labels__isnull=False)
        .values_list("labels__name", "status", "is_unread")
        .annotate(n=Count("id"))
    )
    for name, status, unread, count in label_groups:
        _tally(labels.setdefault(name, _list_count()), status=status, unread=unread, count=count)
    return {
        "mine": mine,
        "unassigned": unassigned,
        "all": everything,
        "resolved": {"unread": resolved_unread},
        "teams": [{"id": team_id, **teams[team_id]} for team_id in sorted(teams)],
        "labels": [{"name": name, **labels[name]} for name in sorted(labels)],
    }


def label_list(*, operator: Operator, q: str | None = None) -> QuerySet[Label]:
    """The labels `operator` may be offered: those of the conversations they may see, and
    those on no conversation (the shared vocabulary an admin keeps); supervisors and admins:
    every label. Labels are free words, made by setting them on a conversation, so a label only
    another team's conversations carry is that team's words about them."""
    queryset = Label.objects.all()
    if not operator.sees_everything:
        on_any = Conversation.labels.through.objects.filter(label_id=OuterRef("pk"))
        on_visible = on_any.filter(visible_to(operator, prefix="conversation__"))
        queryset = queryset.filter(Exists(on_visible) | ~Exists(on_any))
    if q:
        queryset = queryset.filter(name__icontains=q)
    return queryset.order_by("name")


def canned_responses_visible(*, operator: Operator) -> QuerySet[CannedResponse]:
    """The operator's own personal responses and the team responses of their teams (of every
    team, for supervisors and admins)."""
    team_rule = (
        Q(team__isnull=False)
        if operator.sees_everything
        else Q(team_id__in=operator.teams.values("id"))
    )
    return CannedResponse.objects.filter(Q(owner_id=operator.pk) | team_rule)


def canned_response_list(*, operator: Operator, q: str | None = None) -> QuerySet[CannedResponse]:
    queryset = canned_responses_visible(operator=operator)
    if q:
        queryset = queryset.filter(
            Q(shortcut__icontains=q) | Q(title__icontains=q) | Q(body__icontains=q)
        )
    return queryset.order_by("shortcut", "id")


def canned_response_get_visible(
    *, operator: Operator, canned_response_id: int
) -> CannedResponse | None:
    return canned_responses_visible(operator=operator).filter(pk=canned_response_id).first()


# --- the widget's per-inbox settings ------------------------------------------------------------

WIDGET_PRECHAT_FIELDS = ("name", "email", "phone")
WIDGET_COLOR_LENGTH = 7  # "#1f6feb"


def inbox_widget_settings(*, inbox: Inbox) -> dict[str, Any]:
    """The widget's look and pre-chat form, from `Inbox.settings` (admin-written JSON, so read
    defensively): `color` ("#rrggbb" or None), `prechat_fields` (in the configured order, only
    `name`, `email`, `phone`) and `prechat_required` (those of them that must be filled)."""
    raw = inbox.settings if isinstance(inbox.settings, dict) else {}
    wanted = raw.get("prechat_fields")
    fields: list[str] = []
    for name in wanted if isinstance(wanted, list) else []:
        if name in WIDGET_PRECHAT_FIELDS and name not in fields:
            fields.append(name)
    required_raw = raw.get("prechat_required")
    required = [name for name in fields if isinstance(required_raw, list) and name in required_raw]
    color = raw.get("color")
    if not (
        isinstance(color, str)
        and len(color) == WIDGET_COLOR_LENGTH
        and color.startswith("#")
        and all(char in "0123456789abcdefABCDEF" for char in color[1:])
    ):
        color = None
    return {
        "color": color.lower() if color else None,
        "prechat_fields": fields,
        "prechat_required": required,
    }


# --- business hours and auto-resolve ----------------------------------------------------------


def conversation_ids_idle_past_auto_resolve(*, now: datetime, limit: int) -> list[int]:
    """Open and pending conversations of inboxes with `auto_resolve_after` whose last activity
    is older than that, oldest first (one query per such inbox: there are few). Not those
    waiting in a queue: they wait for an operator (held outside business hours, say), and
    closing them would leave the visitor's message unanswered."""
    found: list[tuple[datetime, int]] = []
    for inbox in Inbox.objects.filter(auto_resolve_after__isnull=False).only(
        "pk", "auto_resolve_after"
    ):
        seconds = inbox.auto_resolve_after or 0
        rows = (
            Conversation.objects.filter(
                inbox_id=inbox.pk,
                status__in=[ConversationStatus.OPEN, ConversationStatus.PENDING],
                last_activity_at__lte=now - timedelta(seconds=seconds),
                queued_at__isnull=True,
            )
            .order_by("last_activity_at", "id")
            .values_list("last_activity_at", "id")[:limit]
        )
        found.extend(rows)
    return [pk for _at, pk in sorted(found)[:limit]]


def team_ids_waiting_on_opened_inboxes(*, now: datetime) -> list[int]:
    """Teams with conversations waiting in an inbox that has business hours and is open now:
    routing held them while it was closed."""
    waiting = (
        Conversation.objects.filter(queued_at__isnull=False, assignee__isnull=True)
        .exclude(status=ConversationStatus.RESOLVED)
        .exclude(team_id__isnull=True)
        .values_list("team_id", "inbox_id")
        .distinct()
    )
    pairs = list(waiting)
    inboxes = Inbox.objects.filter(pk__in={inbox_id for _team, inbox_id in pairs})
    opened = {
        inbox.pk
        for inbox in inboxes.only("pk", "timezone", "business_hours", "holidays")
        if has_hours(inbox) and schedule_of(inbox).is_open(now)
    }
    return sorted({team_id for team_id, inbox_id in pairs if inbox_id in opened})


# --- the widget demo page -----------------------------------------------------------------------

DEMO_INBOX_NAME = "Demo website"  # the web inbox `seed_demo` makes


def demo_inbox_key() -> str | None:
    """The inbox `/widget/demo/` shows when given none: `WIDGET_DEMO_INBOX_KEY`, or else the
    demo inbox of `seed_demo`; None when there is neither."""
    if settings.WIDGET_DEMO_INBOX_KEY:
        return str(settings.WIDGET_DEMO_INBOX_KEY)
    key: str | None = (
        Inbox.objects.filter(name=DEMO_INBOX_NAME, channel=Channel.WEB)
        .values_list("inbox_key", flat=True)
        .first()
    )
    return key
