"""A received mail (RFC 5322 bytes) read with the standard library's `email` package: who sent
it, how it threads, what kind it is (a person's mail, an automatic reply, a bounce), its text
and its files. Nothing here raises for a malformed mail: what cannot be read is left out, and
a mail with no readable header at all is `unreadable`."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr

from chats.connectors.email.text import html_to_text, latest_reply, message_text
from chats.models import EmailKind

MSG_ID = re.compile(r"<[^<>\s]+>")
MESSAGE_ID_MAX_BYTES = 255  # longer ones are kept as their digest (an index holds them)
ADDRESS_MAX_CHARS = 254
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
    more_files: list[str] = field(default_factory=list)  # the names of files past the limit

    @property
    def thread_ids(self) -> list[str]:
        """The ids this mail answers, nearest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        return ids + [ref for ref in reversed(self.references) if ref != self.in_reply_to]


def _header(message: Message, name: str, legacy: Message | None = None) -> str:
    """A header's text, whitespace (and any CR or LF) collapsed, NUL removed; a header the
    modern policy cannot parse is read as the legacy policy reads it (`legacy`)."""
    try:
        value = message.get(name)
    except Exception:
        try:
            value = legacy.get(name) if legacy is not None else None
        except Exception:
            value = None
    return " ".join(str(value).replace("\x00", "").split()) if value is not None else ""


def _ids(value: str) -> list[str]:
    return MSG_ID.findall(value)[:100]


def _digest(value: bytes) -> str:
    return "<" + hashlib.sha256(value).hexdigest()[:40] + "@helpdesk.invalid>"


def _message_id(value: str) -> str:
    """An id as the mail gave it; one too long to index is replaced by its digest."""
    return value if len(value.encode()) <= MESSAGE_ID_MAX_BYTES else _digest(value.encode())


def parse(raw: bytes, *, own_address: str) -> ParsedMail:
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        legacy = BytesParser(policy=compat32).parsebytes(raw, headersonly=True)
    except Exception:
        return ParsedMail(message_id=_digest(raw), kind=EmailKind.UNREADABLE, text=_raw_text(raw))
    header = functools.partial(_header, message, legacy=legacy)
    found = _ids(header("Message-ID"))
    name, address = parseaddr(header("From"))
    address = address.strip().lower()
    mail = ParsedMail(
        message_id=_message_id(found[0]) if found else _digest(raw),
        kind=EmailKind.MAIL,
        sender=address if len(address) <= ADDRESS_MAX_CHARS else "",
        sender_name=name.strip()[:200],
        subject=header("Subject")[:998],
        in_reply_to=_message_id(next(iter(_ids(header("In-Reply-To"))), "")),
        references=[_message_id(ref) for ref in _ids(header("References"))],
    )
    if not mail.sender or "@" not in mail.sender:
        mail.kind = EmailKind.UNREADABLE
    elif _is_bounce(message, mail.sender):
        mail.kind = EmailKind.BOUNCE
        mail.bounced, mail.diagnostic = _bounce_facts(message)
    elif _is_automatic(header):
        mail.kind = EmailKind.AUTO_REPLY
    elif mail.sender == own_address.strip().lower():
        mail.kind = EmailKind.OWN
    body_part = _body_part(message)
    mail.text = _text_of(body_part)
    mail.files = _files(message, skip=body_part)
    return mail


def _raw_text(raw: bytes) -> str:
    return message_text(raw.decode("utf-8", errors="replace"))


def _is_automatic(header: Callable[[str], str]) -> bool:
    """RFC 3834's Auto-Submitted, the headers of common responders, and bulk mail."""
    auto = header("Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if header("X-Autoreply") or header("X-Autorespond"):
        return True
    if header("Precedence").lower() in AUTO_PRECEDENCE:
        return True
    return bool(header("X-Auto-Response-Suppress") and header("List-Id"))


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
    return files


def addresses(value: str) -> list[str]:
    return [address.lower() for _name, address in getaddresses([value]) if "@" in address]
