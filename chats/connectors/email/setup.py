"""An email inbox: its servers checked (IMAP sign-in and the mailbox opened, SMTP sign-in)
before anything is saved; its mail read from then on (what is in the mailbox already is
left alone: the first poll starts at the mail that comes next)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from chats.connectors.email import mailbox
from chats.models import Channel, EmailAccount, Inbox
from chats.services.inboxes import inbox_create
from helpdesk.errors import ServiceError


@dataclass(frozen=True, slots=True)
class EmailSettings:
    address: str
    imap_host: str
    imap_user: str
    imap_password: str
    smtp_host: str
    imap_port: int = 993
    imap_tls: bool = True
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: bool = True
    signature: str = ""


def _unusable(server: str, error: Exception) -> ServiceError:
    return ServiceError(
        "email_server_unusable",
        _("The %(server)s server cannot be used: %(reason)s")
        % {"server": server, "reason": str(error)[:200] or type(error).__name__},
    )


def mailbox_check(account: EmailAccount) -> tuple[int, int]:
    """Sign in to both servers; answers the mailbox's UIDVALIDITY and UIDNEXT."""
    try:
        with mailbox.imap_session(account) as box:
            state = mailbox.select(box)
    except mailbox.MAIL_ERRORS as error:
        raise _unusable("IMAP", error) from error
    try:
        mailbox.smtp_check(account)
    except mailbox.MAIL_ERRORS as error:
        raise _unusable("SMTP", error) from error
    return state


def email_inbox_create(*, email: EmailSettings, **fields: Any) -> Inbox:
    account = EmailAccount(**asdict(email))
    validity, next_uid = mailbox_check(account)
    with transaction.atomic():
        inbox = inbox_create(channel=Channel.EMAIL, **fields)
        account.inbox = inbox
        account.uid_validity, account.last_uid = validity, next_uid - 1
        account.save()
    return inbox


EDITABLE = tuple(EmailSettings.__dataclass_fields__)


def email_settings_update(*, inbox: Inbox, changes: dict[str, Any]) -> None:
    """New servers or credentials are checked before they are saved."""
    account = EmailAccount.objects.get(inbox=inbox)
    for field, value in changes.items():
        if field not in EDITABLE:
            raise ServiceError("invalid", _("Unknown field: %(field)s") % {"field": field})
        setattr(account, field, value)
    fields = list(changes)
    if set(changes) - {"signature"}:
        validity, next_uid = mailbox_check(account)
        if any(field.startswith("imap_") for field in changes):  # maybe another mailbox
            account.uid_validity, account.last_uid = validity, next_uid - 1
            fields += ["uid_validity", "last_uid"]
    account.save(update_fields=fields)
