"""Operators' replies out by SMTP, one at a time per conversation, in `seq` order.

Before a reply is handed to SMTP its mail is written down (`EmailMessage` of kind `reply`,
with its `Message-ID`), so a send tried again after a crash goes out with the same id (mail
clients show one mail for one id). A refusal (a 5xx answer, a recipient refused) fails the
reply with the server's words; a network or 4xx failure is tried again by the task, and the
reply fails after the last try.
"""

from __future__ import annotations

import smtplib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chats.connectors.email import mailbox
from chats.connectors.email.compose import compose, new_message_id
from chats.models import Conversation, Delivery, EmailAccount, EmailKind, EmailMessage, Message
from chats.services.message_changes import message_delivery_set


class TransientFailure(Exception):
    """The server or the network failed in a way worth trying again."""


def _pending(conversation_id: int) -> Message | None:
    return (
        Message.objects.filter(conversation_id=conversation_id, delivery=Delivery.PENDING)
        .order_by("seq")
        .first()
    )


def deliver_next(conversation_id: int) -> bool:
    """Send the conversation's oldest pending reply; answers whether another may follow.
    Raises `TransientFailure` when it should be tried again later."""
    conversation = (
        Conversation.objects.select_related("contact", "team", "inbox")
        .filter(pk=conversation_id)
        .first()
    )
    account = (
        EmailAccount.objects.select_related("inbox").filter(inbox_id=conversation.inbox_id).first()
        if conversation is not None
        else None
    )
    message = _pending(conversation_id) if account is not None else None
    if conversation is None or account is None or message is None:
        return False
    to = reply_address(conversation)
    if not to:
        message_delivery_set(
            message_id=message.pk,
            delivery=Delivery.FAILED,
            error=_("The contact has no email address."),
        )
        return True
    record = written_down(account, conversation, message)
    mail = compose(
        account=account,
        conversation=conversation,
        messages=[message],
        message_id=record.message_id,
        to=to,
    )
    try:
        mailbox.smtp_send(account, mail)
    except (
        smtplib.SMTPRecipientsRefused,
        smtplib.SMTPSenderRefused,
        smtplib.SMTPDataError,
    ) as refused:
        if _temporary(refused):
            raise TransientFailure(str(refused)) from refused
        message_delivery_set(
            message_id=message.pk, delivery=Delivery.FAILED, error=_refusal(refused)
        )
        return True
    except mailbox.MAIL_ERRORS as failure:
        raise TransientFailure(str(failure) or type(failure).__name__) from failure
    EmailMessage.objects.filter(pk=record.pk).update(sent_at=timezone.now())
    message_delivery_set(message_id=message.pk, delivery=Delivery.SENT)
    return True


def reply_address(conversation: Conversation) -> str:
    """Where the conversation's mail came from (its latest sender): never the contact's
    editable `email` field, which anyone who chats as that contact could change."""
    return (
        EmailMessage.objects.filter(conversation=conversation, kind=EmailKind.MAIL)
        .order_by("-id")
        .values_list("sender", flat=True)
        .first()
        or ""
    )


def written_down(
    account: EmailAccount, conversation: Conversation, message: Message
) -> EmailMessage:
    """The mail that carries `message`, with its `Message-ID`: written before it is sent, so
    every try sends the same id."""
    with transaction.atomic():
        found = EmailMessage.objects.filter(chat_message=message, kind=EmailKind.REPLY).first()
        if found is not None:
            return found
        return EmailMessage.objects.create(
            inbox=account.inbox,
            message_id=new_message_id(account),
            kind=EmailKind.REPLY,
            conversation=conversation,
            chat_message=message,
            sender=account.address,
            subject=conversation.subject,
        )


def _temporary(error: smtplib.SMTPException) -> bool:
    codes: list[int] = []
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
    elif isinstance(error, smtplib.SMTPResponseException):
        codes = [error.smtp_code]
    return bool(codes) and all(400 <= code < 500 for code in codes)


def _refusal(error: smtplib.SMTPException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [text.decode(errors="replace") for _code, text in error.recipients.values()]
        return _("The mail server refused the address: %(reason)s") % {"reason": "; ".join(answers)}
    return _("The mail server refused the mail: %(reason)s") % {"reason": str(error)}


def fail_oldest_pending(conversation_id: int, reason: str) -> None:
    message = _pending(conversation_id)
    if message is not None:
        message_delivery_set(message_id=message.pk, delivery=Delivery.FAILED, error=reason)
