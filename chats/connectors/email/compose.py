"""An operator's reply as a proper email: from the inbox's address, to the contact, threaded
under the mail it answers (`In-Reply-To`, `References`, the subject with "Re:"), with a plain
and an HTML part, the team's signature and the conversation's reference, and its files."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid
from html import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from chats.models import Attachment, Conversation, EmailAccount, EmailKind, EmailMessage, Message

REFERENCES_KEPT = 20


def new_message_id(account: EmailAccount) -> str:
    return make_msgid(domain=account.address.rsplit("@", 1)[-1])


def reply_subject(subject: str) -> str:
    subject = subject.strip() or _("Your request")
    return subject if subject.lower().startswith(("re:", "на:")) else f"Re: {subject}"


def thread_of(
    conversation: Conversation, account: EmailAccount, *, sending: str
) -> tuple[str, list[str]]:
    """What the mail `sending` answers: the latest mail in the conversation before it, and the
    ids of the thread."""
    mails = list(
        EmailMessage.objects.filter(conversation=conversation, inbox=account.inbox)
        .exclude(kind__in=[EmailKind.BOUNCE, EmailKind.OWN, EmailKind.UNREADABLE])
        .exclude(message_id=sending)
        .order_by("id")
        .values_list("message_id", "references")
    )
    if not mails:
        return "", []
    references: list[str] = []
    for message_id, earlier in mails:
        for item in [*earlier.split(), message_id]:
            if item not in references:
                references.append(item)
    return mails[-1][0], references[-REFERENCES_KEPT:]


def team_name(account: EmailAccount, conversation: Conversation) -> str:
    return conversation.team.name if conversation.team else account.inbox.name


def compose(
    *,
    account: EmailAccount,
    conversation: Conversation,
    messages: list[Message],
    message_id: str,
    to: str,
    subject: str | None = None,
) -> MimeMessage:
    """One mail carrying `messages` (one reply; or the replies a widget visitor has not read)."""
    mail = MimeMessage()
    team = team_name(account, conversation)
    local, _at, domain = account.address.partition("@")
    mail["From"] = Address(display_name=team, username=local, domain=domain)
    mail["To"] = to
    mail["Subject"] = subject or reply_subject(conversation.subject)
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id
    answered, references = thread_of(conversation, account, sending=message_id)
    if answered:
        mail["In-Reply-To"] = answered
        mail["References"] = " ".join(references)
    mail["X-Helpdesk-Conversation"] = str(conversation.pk)
    signature = account.signature.strip() or team
    reference = _("Conversation #%(id)s") % {"id": conversation.pk}
    text = "\n\n".join(message.body for message in messages if message.body)
    mail.set_content(f"{text}\n\n-- \n{signature}\n{reference}\n")
    paragraphs = "<br>\n".join(escape(line) for line in text.splitlines())
    mail.add_alternative(
        "<!doctype html><html><body>"
        f'<div style="white-space:pre-wrap">{paragraphs}</div>'
        '<hr style="border:none;border-top:1px solid #ccc">'
        f'<div style="color:#666">{escape(signature).replace(chr(10), "<br>")}<br>'
        f"{escape(reference)}</div></body></html>",
        subtype="html",
    )
    for attachment in Attachment.objects.filter(message__in=messages).order_by("id"):
        with attachment.file.open("rb") as handle:
            data = handle.read()
        main, _slash, sub = attachment.content_type.partition("/")
        mail.add_attachment(
            data, maintype=main, subtype=sub or "octet-stream", filename=attachment.name
        )
    return mail
