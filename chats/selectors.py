"""Reads. Every list the API serves comes from here, with its query count under test."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from chats.models import Contact, Conversation, ConversationStatus, Inbox, Message, Visitor
from operators.models import Operator


def visible_conversations_filter(operator: Operator) -> Q:
    if operator.sees_everything:
        return Q()
    team_ids = list(operator.teams.values_list("id", flat=True))
    return Q(inbox__team_id__in=team_ids) | Q(team_id__in=team_ids) | Q(assignee_id=operator.pk)


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


def conversation_base() -> QuerySet[Conversation]:
    return with_queue_position(
        Conversation.objects.select_related("contact", "assignee").prefetch_related("labels")
    )


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
    queryset = conversation_base().filter(visible_conversations_filter(operator))
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
    if settings.USES_POSTGRES:
        from chats.search import message_search_subquery

        matching = message_search_subquery(text)
        return (
            Q(id__in=matching)
            | Q(contact__name__icontains=text)
            | Q(contact__email__icontains=text)
        )
    matching_ids = Message.objects.filter(body__icontains=text).values("conversation_id")
    return (
        Q(id__in=matching_ids)
        | Q(contact__name__icontains=text)
        | Q(contact__email__icontains=text)
    )


def conversation_get_visible(*, operator: Operator, conversation_id: int) -> Conversation | None:
    return (
        conversation_base()
        .filter(visible_conversations_filter(operator), pk=conversation_id)
        .first()
    )


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


def visitor_open_conversation_id(*, contact_id: int, inbox_id: int) -> int | None:
    return (
        Conversation.objects.filter(contact_id=contact_id, inbox_id=inbox_id)
        .exclude(status=ConversationStatus.RESOLVED)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def inbox_list_visible(*, operator: Operator) -> QuerySet[Inbox]:
    queryset = Inbox.objects.select_related("team").order_by("id")
    if operator.sees_everything:
        return queryset
    return queryset.filter(team__in=operator.teams.all())


def contact_get_visible(*, operator: Operator, contact_id: int) -> Contact | None:
    if operator.sees_everything:
        return Contact.objects.filter(pk=contact_id).first()
    visible = Conversation.objects.filter(
        visible_conversations_filter(operator), contact_id=contact_id
    )
    return Contact.objects.filter(pk=contact_id, conversations__in=visible).distinct().first()


def contact_conversations(*, contact: Contact) -> QuerySet[Conversation]:
    return conversation_base().filter(contact=contact).order_by("-id")
