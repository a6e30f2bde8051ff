"""A widget visitor who left their email gets the replies they have not read by email, from an
email inbox of the team (the web inbox's `settings.email_inbox`, else the team's first), and
their answer by email comes back into the same conversation (it threads under that mail).

The replies go together, in one mail, a while after the last one (`EMAIL_CONTINUITY_DELAY`),
and only those the visitor has not read in the widget by then. The mail is written down
before it is sent (as `outbound` does), so a retry sends it once, with the same id.
"""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chats.connectors.email import mailbox
from chats.connectors.email.compose import compose, team_name
from chats.connectors.email.outbound import written_down
from chats.models import (
    AuthorKind,
    Channel,
    Conversation,
    EmailAccount,
    EmailKind,
    EmailMessage,
    Inbox,
    Message,
    Visitor,
)


def account_for(inbox: Inbox) -> EmailAccount | None:
    """The mailbox that writes to this web inbox's visitors, if it has one."""
    accounts = EmailAccount.objects.select_related("inbox").filter(inbox__channel=Channel.EMAIL)
    chosen = inbox.settings.get("email_inbox") if isinstance(inbox.settings, dict) else None
    if isinstance(chosen, int) and not isinstance(chosen, bool):
        return accounts.filter(inbox_id=chosen).first()
    return accounts.filter(inbox__team_id=inbox.team_id).order_by("inbox_id").first()


def may_apply(conversation: Conversation) -> bool:
    return conversation.inbox.channel == Channel.WEB and bool(conversation.contact.email)


def unread_replies(conversation: Conversation) -> list[Message]:
    emailed = (
        EmailMessage.objects.filter(
            conversation=conversation, kind=EmailKind.REPLY, sent_at__isnull=False
        ).aggregate(seq=Max("chat_message__seq"))["seq"]
        or 0
    )
    return list(
        Message.objects.filter(
            conversation=conversation,
            author_kind=AuthorKind.OPERATOR,
            private=False,
            seq__gt=max(emailed, conversation.visitor_last_read_seq),
        ).order_by("seq")
    )


def replies_email(*, conversation_id: int) -> bool:
    """Email the replies the visitor has not read; answers whether a mail went out. Raises
    a mail server's error (the task tries again)."""
    conversation = (
        Conversation.objects.select_related("inbox", "contact", "team")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None or not may_apply(conversation):
        return False
    account = account_for(conversation.inbox)
    replies = unread_replies(conversation)
    if account is None or not replies:
        return False
    record = written_down(account, conversation, replies[-1])
    language = (
        Visitor.objects.filter(contact=conversation.contact, inbox=conversation.inbox)
        .exclude(locale="")
        .values_list("locale", flat=True)
        .last()
    )
    with translation.override(language or None):
        subject = _("New reply from %(team)s") % {"team": team_name(account, conversation)}
        mail = compose(
            account=account,
            conversation=conversation,
            messages=replies,
            message_id=record.message_id,
            to=conversation.contact.email,
            subject=subject,
        )
    mailbox.smtp_send(account, mail)
    EmailMessage.objects.filter(pk=record.pk).update(sent_at=timezone.now())
    return True
