"""A received mail (RFC 5322 bytes) read with the standard library's `email` package: who sent
it, how it threads, what kind it is (a person's mail, an automatic reply, a bounce), its text
and its files. Nothing here raises for a malformed mail: what cannot be read is left out, and
a mail with no readable header at all is `unreadable`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from chats.connectors.email.text import html_to_text, latest_reply, message_text
from chats.models import EmailKind

MSG_ID = re.compile(r"<[^<>\s]+>")
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}


@dataclass
class MailFile:
    name: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    kind: str
    sender: str = ""  # the address, lower-cased
    sender_name: str = ""
    subject: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    text: str = ""
    files: list[MailFile] = field(default_factory=list)
    bounced: list[str] = field(default_factory=list)  # the Message-IDs a bounce names
    diagnostic: str = ""

    @property
    def thread_ids(self) -> list[str]:
        """The ids this mail answers, nearest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        return ids + [ref for ref in reversed(self.references) if ref != self.in_reply_to]


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot parse
        raw = message.get_all(name, failobj=[]) if hasattr(message, "get_all") else []
        value = raw[0] if raw else None
    return " ".join(str(value).split()) if value is not None else ""


def _ids(value: str) -> list[str]:
    return MSG_ID.findall(value)[:100]


def parse(raw: bytes, *, own_address: str) -> ParsedMail:
    digest = "<" + hashlib.sha256(raw).hexdigest()[:40] + "@helpdesk.invalid>"
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception:
        return ParsedMail(message_id=digest, kind=EmailKind.UNREADABLE, text=_raw_text(raw))
    found = _ids(_header(message, "Message-ID"))
    name, address = parseaddr(_header(message, "From"))
    mail = ParsedMail(
        message_id=found[0][:998] if found else digest,
        kind=EmailKind.MAIL,
        sender=address.strip().lower()[:320],
        sender_name=name.strip()[:200],
        subject=_header(message, "Subject")[:998],
        in_reply_to=next(iter(_ids(_header(message, "In-Reply-To"))), "")[:998],
        references=_ids(_header(message, "References")),
    )
    if not address or "@" not in address:
        mail.kind = EmailKind.UNREADABLE
    elif _is_bounce(message, mail.sender):
        mail.kind = EmailKind.BOUNCE
        mail.bounced, mail.diagnostic = _bounce_facts(message)
    elif _is_automatic(message):
        mail.kind = EmailKind.AUTO_REPLY
    elif mail.sender == own_address.strip().lower():
        mail.kind = EmailKind.OWN
    body_part = _body_part(message)
    mail.text = _text_of(body_part)
    mail.files = _files(message, skip=body_part)
    return mail


def _raw_text(raw: bytes) -> str:
    return message_text(raw.decode("utf-8", errors="replace"))


def _is_automatic(message: Message) -> bool:
    """RFC 3834's Auto-Submitted, the headers of common responders, and bulk mail."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return True
    if _header(message, "Precedence").lower() in AUTO_PRECEDENCE:
        return True
    return bool(_header(message, "X-Auto-Response-Suppress") and _header(message, "List-Id"))


def _is_bounce(message: Message, sender: str) -> bool:
    report = message.get_content_type() == "multipart/report" and (
        str(message.get_param("report-type", "")).lower() == "delivery-status"
    )
    return report or sender.split("@", 1)[0] in BOUNCE_SENDERS


def _bounce_facts(message: Message) -> tuple[list[str], str]:
    """The Message-IDs of the mail that bounced (from the returned headers) and why."""
    ids: list[str] = []
    diagnostic = ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind in {"message/rfc822", "text/rfc822-headers"}:
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else payload
            if isinstance(inner, Message):
                ids += _ids(_header(inner, "Message-ID"))
            elif isinstance(inner, str):
                match = re.search(r"(?im)^message-id:\s*(<[^>\s]+>)", inner)
                ids += [match.group(1)] if match else []
        elif kind == "message/delivery-status":
            text = part.as_string() if hasattr(part, "as_string") else ""
            codes = re.findall(r"(?im)^(?:diagnostic-code|status):\s*(.+)$", text)
            diagnostic = diagnostic or (codes[-1].strip() if codes else "")
    ids += _ids(_header(message, "In-Reply-To")) + _ids(_header(message, "References"))
    return list(dict.fromkeys(ids)), diagnostic[:300]


def _body_part(message: Message) -> Message | None:
    if not isinstance(message, EmailMessage):
        return None
    try:
        return message.get_body(preferencelist=("plain", "html"))
    except Exception:
        return None


def _content(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except Exception:  # an unknown charset, a broken transfer encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _text_of(part: Message | None) -> str:
    if part is None:
        return ""
    content = _content(part)
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return message_text(latest_reply(message_text(content)))


def _files(message: Message, *, skip: Message | None) -> list[MailFile]:
    """Attachments and inline images (a part with a file name, or any part that is not a
    text body or a structure)."""
    files = []
    for number, part in enumerate(message.walk(), start=1):
        if part is skip or part.is_multipart():
            continue
        kind = part.get_content_type()
        name = part.get_filename() or ""
        disposition = part.get_content_disposition()
        if not name and kind in {"text/plain", "text/html"} and disposition != "attachment":
            continue  # another body (the HTML twin of the text)
        if kind.startswith("message/") or kind == "text/rfc822-headers":
            continue  # a bounce's report and returned headers
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            continue
        extension = kind.split("/", 1)[1] if "/" in kind else "bin"
        files.append(MailFile(name=name or f"part-{number}.{extension}", data=data))
    return files[:20]


def addresses(value: str) -> list[str]:
    return [address.lower() for _name, address in getaddresses([value]) if "@" in address]
