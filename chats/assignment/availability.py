"""Who may be handed a conversation by hand: an active operator; for an agent's hand, a
member of the conversation's team who is online, within their capacity. Supervisors and
admins may assign anyone, past capacity too."""

from __future__ import annotations

from django.utils.translation import gettext as _

from chats.models import Conversation, ConversationStatus
from helpdesk.errors import ServiceError
from operators.models import Operator, Status


def open_load(operator: Operator) -> int:
    return (
        Conversation.objects.filter(assignee=operator)
        .exclude(status=ConversationStatus.RESOLVED)
        .count()
    )


def check_may_assign_operator(
    *, actor: Operator, conversation: Conversation, operator: Operator
) -> None:
    if not operator.is_active:
        raise ServiceError("operator_inactive", _("This operator is deactivated."))
    if actor.sees_everything:
        return
    if operator.pk != actor.pk:
        if (
            conversation.team_id is None
            or not operator.teams.filter(pk=conversation.team_id).exists()
        ):
            raise ServiceError(
                "operator_not_in_team", _("This operator is not in the conversation's team.")
            )
        if operator.status != Status.ONLINE:
            raise ServiceError("operator_not_online", _("This operator is not online."))
    if open_load(operator) >= operator.max_chats and conversation.assignee_id != operator.pk:
        raise ServiceError("over_capacity", _("This operator has no free capacity."), status=409)
