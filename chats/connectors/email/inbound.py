"""Mail in: an inbox's mailbox read by UID, each mail stored once, in order.

`mailbox_poll` reads what came after the inbox's `last_uid`. Each mail is stored in one
transaction with the new `last_uid`, so a poll cut short (the worker killed) goes on at the
next mail, and a mail met twice (UIDVALIDITY changed, another copy) is known by its
`Message-ID` and stored once. One poll at a time per inbox (a lease, `polling_until`).

A person's mail continues the conversation its `In-Reply-To` or `References` names, when that
conversation is one of this inbox's mail (the mail this inbox sent or received), and opens a
new one otherwise: a forged header naming another inbox's mail opens a new conversation. An
automatic reply or a bounce joins the conversation it answers and opens none (a bounce marks
the reply it returns failed); mail from the inbox's own address is only kept.
"""

from __future__ import annotations

import hashlib
import imaplib
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chats.connectors.email import mailbox
from chats.connectors.email.parsing import ParsedMail, parse
from chats.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Delivery,
    EmailAccount,
    EmailKind,
    EmailMessage,
    Message,
)
from chats.services.attachments import attachment_store
from chats.services.authors import Author
from chats.services.conversations import conversation_open, conversation_status_set
from chats.services.message_changes import message_delivery_set
from chats.services.messages import message_create
from helpdesk.errors import ServiceError

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
# A poll stops taking new mail after this long (the lease covers it); the next goes on.
POLL_BUDGET_SECONDS = 120.0


def _lease(account_id: int) -> bool:
    now = timezone.now()
    return bool(
        EmailAccount.objects.filter(pk=account_id)
        .filter(Q(polling_until__isnull=True) | Q(polling_until__lt=now))
        .update(polling_until=now + LEASE)
    )


def mailbox_poll(*, account_id: int) -> int:
    """Read the mail that came since the last poll; answers how many mails were stored."""
    if not _lease(account_id):
        return 0  # another worker is reading this mailbox
    account = EmailAccount.objects.select_related("inbox").get(pk=account_id)
    stored, error = 0, ""
    try:
        with mailbox.imap_session(account) as box:
            stored = _read_new_mail(account, box)
    except mailbox.MAIL_ERRORS as failure:
        error = str(failure)[:500] or type(failure).__name__
        logger.warning("polling %s failed: %s", account.address, error)
    finally:
        EmailAccount.objects.filter(pk=account_id).update(
            polling_until=None, last_polled_at=timezone.now(), last_error=error
        )
    return stored


def _read_new_mail(account: EmailAccount, box: imaplib.IMAP4) -> int:
    stored = 0
    started = time.monotonic()
    validity, _next_uid = mailbox.select(box)
    if validity != account.uid_validity:
        # The server renumbered its mail: what came since the last poll is found by date (a
        # day's margin) and known again by its Message-ID; older mail is not imported.
        since = account.last_polled_at or timezone.now()
        uids = mailbox.uids_since(box, (since - timedelta(days=1)).date())
        EmailAccount.objects.filter(pk=account.pk).update(uid_validity=validity, last_uid=0)
        account.uid_validity, account.last_uid = validity, 0
    else:
        uids = mailbox.uids_after(box, account.last_uid)
    for uid in uids:
        if time.monotonic() - started > POLL_BUDGET_SECONDS:
            break
        stored += _take(account, box, uid)
        mailbox.mark_seen(box, uid)
    return stored


def _take(account: EmailAccount, box: imaplib.IMAP4, uid: int) -> int:
    """Store one mail of the mailbox. A mail too large is kept by its headers with a word
    for the operators; a mail that cannot be stored at all is recorded as unreadable and
    passed, so that it never stops the mail behind it."""
    size = mailbox.size_of(box, uid)
    if size > settings.EMAIL_MAX_BYTES:
        return mail_receive(
            account=account, uid=uid, raw=mailbox.fetch_header(box, uid) or b"", too_large=size
        )
    raw = mailbox.fetch(box, uid) or b""
    try:
        return mail_receive(account=account, uid=uid, raw=raw)
    except Exception:
        logger.exception("mail %s of %s could not be stored; kept as unreadable", uid, account)
        return mail_unreadable(account=account, uid=uid, raw=raw)


def mail_receive(*, account: EmailAccount, uid: int | None, raw: bytes, too_large: int = 0) -> int:
    """Store one mail (and move `last_uid` past it) in one transaction; 1 if it was new.
    `too_large`: `raw` is only the headers of a mail of that many bytes."""
    mail = parse(raw, own_address=account.address)
    if too_large:
        mail.files = []
        mail.text = _(
            "This mail (%(size)s MB) is too large for the helpdesk: read it in the mailbox."
        ) % {"size": f"{too_large / 1024 / 1024:.1f}"}
    with transaction.atomic():
        locked = EmailAccount.objects.select_for_update().get(pk=account.pk)
        if uid is not None and uid <= locked.last_uid:
            return 0  # stored by a poll before this one
        if uid is not None:
            locked.last_uid = uid
            locked.save(update_fields=["last_uid"])
        if EmailMessage.objects.filter(inbox=account.inbox, message_id=mail.message_id).exists():
            return 0
        _store(account, mail, uid)
    return 1


def mail_unreadable(*, account: EmailAccount, uid: int, raw: bytes) -> int:
    """A mail that could not be stored: recorded by its digest, and passed."""
    digest = "<" + hashlib.sha256(raw).hexdigest()[:40] + "@helpdesk.invalid>"
    with transaction.atomic():
        locked = EmailAccount.objects.select_for_update().get(pk=account.pk)
        if uid <= locked.last_uid:
            return 0
        locked.last_uid = uid
        locked.save(update_fields=["last_uid"])
        EmailMessage.objects.get_or_create(
            inbox=account.inbox,
            message_id=digest,
            defaults={"kind": EmailKind.UNREADABLE, "uid": uid},
        )
    return 0


def _thread(account: EmailAccount, mail: ParsedMail) -> Conversation | None:
    """The conversation of the nearest mail this one answers, among this inbox's mail."""
    ids = mail.thread_ids
    if not ids:
        return None
    known = {
        row.message_id: row
        for row in EmailMessage.objects.select_related("conversation")
        .filter(inbox=account.inbox, message_id__in=ids, conversation__isnull=False)
        .order_by("id")
    }
    for message_id in ids:
        if message_id in known:
            return known[message_id].conversation
    return None


def _record(
    account: EmailAccount,
    mail: ParsedMail,
    uid: int | None,
    conversation: Conversation | None = None,
    message: Message | None = None,
) -> None:
    EmailMessage.objects.create(
        inbox=account.inbox,
        message_id=mail.message_id,
        kind=mail.kind,
        conversation=conversation,
        chat_message=message,
        sender=mail.sender,
        subject=mail.subject,
        in_reply_to=mail.in_reply_to,
        references=" ".join(mail.references)[:10_000],
        uid=uid,
    )


def _store(account: EmailAccount, mail: ParsedMail, uid: int | None) -> None:
    conversation = _thread(account, mail)
    if mail.kind == EmailKind.BOUNCE:
        _bounce(account, mail, uid, conversation)
        return
    if mail.kind in (EmailKind.OWN, EmailKind.UNREADABLE) or (
        mail.kind == EmailKind.AUTO_REPLY and conversation is None
    ):
        _record(account, mail, uid)  # kept, never a conversation: no loop can start
        return
    contact = _contact(mail)
    if conversation is None:
        conversation = conversation_open(inbox=account.inbox, contact=contact, subject=mail.subject)
    message = _message(conversation, contact, mail)
    _record(account, mail, uid, conversation, message)
    if mail.kind == EmailKind.MAIL and conversation.status == ConversationStatus.RESOLVED:
        conversation_status_set(
            conversation=conversation, actor=None, status=ConversationStatus.OPEN
        )


def _contact(mail: ParsedMail) -> Contact:
    """The contact this address wrote as before, by mail; else a new one. A contact's `email`
    field alone (which a widget visitor types) never claims someone's mail: a merge
    suggestion offers to join the two instead."""
    known = (
        EmailMessage.objects.filter(sender=mail.sender, chat_message__author_contact__isnull=False)
        .order_by("-id")
        .values_list("chat_message__author_contact", flat=True)
        .first()
    )
    found = Contact.objects.filter(pk=known).first() if known is not None else None
    if found is not None:
        return found
    return Contact.objects.create(name=mail.sender_name or mail.sender, email=mail.sender)


def _message(conversation: Conversation, contact: Contact, mail: ParsedMail) -> Message:
    """The mail as the contact's message, with the files the helpdesk keeps; a file it
    refuses (a type it does not take, too large) is named in the text."""
    author = Author.of_contact(contact)
    kept: list[int] = []
    refused: list[str] = []
    for item in mail.files:
        if len(kept) == settings.ATTACHMENTS_PER_MESSAGE:
            refused.append(
                _("%(name)s: more files than a message carries (%(limit)s)")
                % {"name": item.name, "limit": settings.ATTACHMENTS_PER_MESSAGE}
            )
            continue
        try:
            kept.append(attachment_store(author=author, data=item.data, name=item.name).pk)
        except ServiceError as why:
            refused.append(f"{item.name}: {why.message}")
    text = mail.text
    if refused:
        note = _("Files not kept:") + "\n" + "\n".join(refused)
        text = f"{text}\n\n{note}" if text else note
    if not text and not kept:
        text = mail.subject or _("(an empty mail)")
    message, _created = message_create(
        conversation_id=conversation.pk,
        author=author,
        body=text,
        client_id="mail:" + hashlib.sha256(mail.message_id.encode()).hexdigest()[:40],
        attachment_ids=kept,
    )
    return message


def _bounce(
    account: EmailAccount, mail: ParsedMail, uid: int | None, conversation: Conversation | None
) -> None:
    """A returned mail: the reply it returns is marked failed, with the server's reason."""
    returned = (
        EmailMessage.objects.filter(
            inbox=account.inbox, kind=EmailKind.REPLY, message_id__in=mail.bounced
        )
        .select_related("conversation")
        .first()
    )
    if returned is not None and returned.chat_message_id is not None:
        reason = _("The mail server returned it: %(reason)s") % {
            "reason": mail.diagnostic or mail.subject
        }
        message_delivery_set(
            message_id=returned.chat_message_id, delivery=Delivery.FAILED, error=reason
        )
        conversation = returned.conversation
    _record(account, mail, uid, conversation)
