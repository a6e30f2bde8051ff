from __future__ import annotations

from collections.abc import Collection
from importlib import import_module

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from chats.audience import Scope, visible_to
from chats.models import ConversationStatus
from operators.models import Notification, Operator, Role, Status, Team


def operator_scope(*, operator: Operator) -> Scope:
    team_ids = frozenset(operator.teams.values_list("id", flat=True))
    from chats.models import Inbox

    inbox_ids = frozenset(Inbox.objects.filter(team_id__in=team_ids).values_list("id", flat=True))
    return Scope(
        operator_id=operator.pk,
        sees_everything=operator.sees_everything,
        inbox_ids=inbox_ids,
        team_ids=team_ids,
    )


def operator_list_with_load() -> QuerySet[Operator]:
    open_filter = ~Q(assigned_conversations__status=ConversationStatus.RESOLVED) & Q(
        assigned_conversations__isnull=False
    )
    return (
        Operator.objects.annotate(open_count=Count("assigned_conversations", filter=open_filter))
        .prefetch_related("teams")
        .order_by("id")
    )


def team_has_online_operator(*, team: Team | int) -> bool:
    team_id = team if isinstance(team, int) else team.pk
    return Operator.objects.filter(teams=team_id, status=Status.ONLINE, is_active=True).exists()


def operator_colleagues(*, operator: Operator) -> QuerySet[Operator]:
    """Who the console offers for @mentions and hand-offs: a supervisor or an admin sees every
    active operator; an agent sees those of its teams, plus the supervisors and admins."""
    queryset = Operator.objects.filter(is_active=True)
    if not operator.sees_everything:
        team_ids = operator.teams.values_list("id", flat=True)
        queryset = queryset.filter(
            Q(teams__in=team_ids) | Q(role__in=[Role.SUPERVISOR, Role.ADMIN]) | Q(pk=operator.pk)
        ).distinct()
    return queryset.prefetch_related("teams").order_by("name", "username")


def notification_list(*, operator: Operator) -> QuerySet[Notification]:
    """The operator's notifications of conversations they may still see (one transferred out
    of their sight since is another team's now); the API pages them newest first."""
    return (
        Notification.objects.filter(operator=operator)
        .filter(visible_to(operator, prefix="conversation__"))
        .select_related("by")
    )


def notification_get(*, operator: Operator, notification_id: int) -> Notification | None:
    return notification_list(operator=operator).filter(pk=notification_id).first()


def sessions_alive(*, session_keys: Collection[str]) -> set[str]:
    """Those of the login sessions that still exist and have not expired: a logout, an expiry
    or a flush ends one. One query with the database session backends."""
    if not session_keys:
        return set()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store, "get_model_class"):
        model = store.get_model_class()
        alive = model.objects.filter(session_key__in=session_keys, expire_date__gt=timezone.now())
        return set(alive.values_list("session_key", flat=True))
    return {key for key in session_keys if store(session_key=key).load()}
