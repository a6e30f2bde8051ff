"""Who may take a conversation and who is chosen: the candidates of a team, locked with their
loads, and the choice among them (account manager, last operator, then the inbox's strategy:
`least_busy` or `round_robin`). Used by the drain and by the watchdog's reassignment."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery

from chats.models import AuthorKind, Conversation, ConversationStatus, Message, RoutingStrategy
from operators.models import Operator, Status


@dataclass
class Candidate:
    operator_id: int
    max_chats: int
    load: int
    last_assigned_at: datetime | None
    team_member: bool = field(default=True)

    @property
    def free(self) -> bool:
        return self.load < self.max_chats

    def least_recent_key(self) -> tuple[int, datetime]:
        moment = self.last_assigned_at
        return (0, datetime.min.replace(tzinfo=UTC)) if moment is None else (1, moment)


def team_candidates(*, team_id: int, others: set[int]) -> dict[int, Candidate]:
    """Lock and load the team's online members and the `others` (account managers, ...) who
    are online, each marked as a member of the team or not."""
    membership = Operator.teams.through.objects.filter(operator_id=OuterRef("pk"), team_id=team_id)
    locked = dict(
        Operator.objects.select_for_update()
        .annotate(team_member=Exists(membership))
        .filter(Q(team_member=True) | Q(pk__in=others), is_active=True, status=Status.ONLINE)
        .order_by("pk")
        .values_list("pk", "team_member")
    )
    if not locked:
        return {}
    # Counted only now that the rows are locked: a statement that waited for a lock still reads
    # what was committed before it began, so the locking one cannot count the loads itself.
    open_filter = Q(assigned_conversations__isnull=False) & ~Q(
        assigned_conversations__status=ConversationStatus.RESOLVED
    )
    rows = (
        Operator.objects.filter(pk__in=locked)
        .annotate(load=Count("assigned_conversations", filter=open_filter))
        .values_list("pk", "max_chats", "load", "last_assigned_at")
    )
    return {
        pk: Candidate(
            operator_id=pk,
            max_chats=max_chats,
            load=load,
            last_assigned_at=last,
            team_member=locked[pk],
        )
        for pk, max_chats, load, last in rows
    }


def _pick(candidates: list[Candidate], strategy: str) -> Candidate | None:
    free = [c for c in candidates if c.team_member and c.free]
    if not free:
        return None
    if strategy == RoutingStrategy.ROUND_ROBIN:
        return min(free, key=lambda c: (c.least_recent_key(), c.operator_id))
    return min(free, key=lambda c: (c.load, c.least_recent_key(), c.operator_id))


def last_operators(conversations: Sequence[Conversation]) -> dict[int, int]:
    """For the conversations of inboxes that `route_to_last_operator`: who served each one's
    contact last, by conversation id. That is the assignee of the contact's latest other
    conversation (in any inbox), or, if it has none, the last operator who wrote a public reply
    in it. At most two queries for the whole batch."""
    wanted = [c for c in conversations if c.inbox.route_to_last_operator]
    if not wanted:
        return {}
    latest = (
        Conversation.objects.filter(contact_id__in={c.contact_id for c in wanted})
        .exclude(pk__in=[c.pk for c in wanted])
        .values("contact_id")
        .annotate(latest=Max("pk"))
        .values("latest")
    )
    previous = {
        contact: (pk, assignee)
        for contact, pk, assignee in Conversation.objects.filter(pk__in=latest).values_list(
            "contact_id", "pk", "assignee_id"
        )
    }
    unassigned = [pk for pk, assignee in previous.values() if assignee is None]
    repliers: dict[int, int] = {}
    if unassigned:
        last_reply = (
            Message.objects.filter(
                conversation=OuterRef("pk"),
                author_kind=AuthorKind.OPERATOR,
                private=False,
                author_operator__isnull=False,
            )
            .order_by("-seq")
            .values("author_operator_id")[:1]
        )
        repliers = {
            pk: replier
            for pk, replier in Conversation.objects.filter(pk__in=unassigned)
            .annotate(replier=Subquery(last_reply))
            .values_list("pk", "replier")
            if replier is not None
        }
    chosen: dict[int, int] = {}
    for conversation in wanted:
        if conversation.contact_id not in previous:
            continue
        pk, assignee = previous[conversation.contact_id]
        operator_id = assignee if assignee is not None else repliers.get(pk)
        if operator_id is not None:
            chosen[conversation.pk] = operator_id
    return chosen


def choose_operator(
    conversation: Conversation,
    candidates: dict[int, Candidate],
    *,
    last_operator_id: int | None = None,
    exclude: Collection[int] = (),
    held: bool = False,
) -> tuple[Candidate | None, int | None]:
    """Who gets `conversation`: its account manager, its last operator (a member of the team),
    then the inbox's strategy; never one of `exclude`. A `held` conversation (its inbox is
    closed) goes to its account manager or to nobody. Answers the choice and the account
    manager it passed over, if any (one who is not excluded)."""
    usable = {pk: c for pk, c in candidates.items() if pk not in exclude}
    manager_id = conversation.contact.account_manager_id
    manager = usable.get(manager_id or -1)
    if manager is not None and manager.free:
        return manager, None
    passed_over = manager_id if manager_id not in exclude else None
    if held:
        return None, passed_over
    last = usable.get(last_operator_id or -1)
    if last is not None and last.team_member and last.free:
        return last, passed_over
    if conversation.inbox.routing == RoutingStrategy.MANUAL:
        return None, passed_over
    return _pick(list(usable.values()), conversation.inbox.routing), passed_over
