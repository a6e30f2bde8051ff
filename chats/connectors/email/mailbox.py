"""The mail servers of an email inbox: IMAP to read, SMTP to send (imaplib and smtplib), both
with TLS where the inbox asks for it: implicit TLS on the standard TLS ports (IMAP 993,
SMTP 465), STARTTLS on any other port. Certificates are checked against the system's roots
and `EMAIL_CA_FILE` (a private CA, the tests' own)."""

from __future__ import annotations

import contextlib
import imaplib
import re
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from email.message import EmailMessage

from django.conf import settings

from chats.models import EmailAccount

IMAP_TLS_PORT = 993
SMTP_TLS_PORT = 465
MAILBOX = "INBOX"
# the errors of a mail server or of the network: the poll or the send is tried again later
MAIL_ERRORS = (imaplib.IMAP4.error, smtplib.SMTPException, OSError, ssl.SSLError)


def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.EMAIL_CA_FILE or None)


@contextmanager
def imap_session(account: EmailAccount) -> Iterator[imaplib.IMAP4]:
    timeout = settings.EMAIL_TIMEOUT
    box: imaplib.IMAP4
    if account.imap_tls and account.imap_port == IMAP_TLS_PORT:
        box = imaplib.IMAP4_SSL(
            account.imap_host, account.imap_port, ssl_context=tls_context(), timeout=timeout
        )
    else:
        box = imaplib.IMAP4(account.imap_host, account.imap_port, timeout=timeout)
        if account.imap_tls:
            box.starttls(ssl_context=tls_context())
    try:
        box.login(account.imap_user, account.imap_password)
        yield box
    finally:
        with contextlib.suppress(*MAIL_ERRORS):
            box.logout()


def select(box: imaplib.IMAP4) -> tuple[int, int]:
    """Open the inbox: answers its UIDVALIDITY and UIDNEXT."""
    typ, _data = box.select(MAILBOX)
    if typ != "OK":
        raise imaplib.IMAP4.error(f"cannot open {MAILBOX}")
    typ, data = box.status(MAILBOX, "(UIDVALIDITY UIDNEXT)")
    text = data[0].decode() if typ == "OK" and data and isinstance(data[0], bytes) else ""
    validity = re.search(r"UIDVALIDITY (\d+)", text)
    next_uid = re.search(r"UIDNEXT (\d+)", text)
    if validity is None or next_uid is None:
        raise imaplib.IMAP4.error(f"no UIDVALIDITY/UIDNEXT in {text!r}")
    return int(validity.group(1)), int(next_uid.group(1))


def uids_after(box: imaplib.IMAP4, last_uid: int) -> list[int]:
    """The UIDs of the mail that came after `last_uid`, oldest first ("n:*" names the last
    mail even when it is older than n: that one is dropped)."""
    typ, data = box.uid("SEARCH", "UID", f"{last_uid + 1}:*")
    if typ != "OK":
        raise imaplib.IMAP4.error("UID SEARCH failed")
    found = b" ".join(part for part in data if isinstance(part, bytes)).split()
    return sorted(uid for uid in map(int, found) if uid > last_uid)


def uids_since(box: imaplib.IMAP4, day: date) -> list[int]:
    """The UIDs of the mail the server received on or after `day`, oldest first."""
    typ, data = box.uid("SEARCH", "SINCE", day.strftime("%d-%b-%Y"))
    if typ != "OK":
        raise imaplib.IMAP4.error("UID SEARCH SINCE failed")
    found = b" ".join(part for part in data if isinstance(part, bytes)).split()
    return sorted(map(int, found))


def size_of(box: imaplib.IMAP4, uid: int) -> int:
    typ, data = box.uid("FETCH", str(uid), "(RFC822.SIZE)")
    text = b" ".join(part for part in data if isinstance(part, bytes)) if typ == "OK" else b""
    found = re.search(rb"RFC822\.SIZE (\d+)", text)
    return int(found.group(1)) if found else 0


def fetch_header(box: imaplib.IMAP4, uid: int) -> bytes | None:
    return _fetched(box, uid, "(BODY.PEEK[HEADER])")


def fetch(box: imaplib.IMAP4, uid: int) -> bytes | None:
    """The mail as it is (RFC 5322 bytes), without marking it read; None if it is gone."""
    return _fetched(box, uid, "(BODY.PEEK[])")


def _fetched(box: imaplib.IMAP4, uid: int, what: str) -> bytes | None:
    typ, data = box.uid("FETCH", str(uid), what)
    if typ != "OK":
        raise imaplib.IMAP4.error(f"UID FETCH {uid} failed")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def mark_seen(box: imaplib.IMAP4, uid: int) -> None:
    box.uid("STORE", str(uid), "+FLAGS", r"(\Seen)")


@contextmanager
def smtp_session(account: EmailAccount) -> Iterator[smtplib.SMTP]:
    """Connected, with TLS as the inbox asks, and signed in when it has a user."""
    timeout = settings.EMAIL_TIMEOUT
    implicit = account.smtp_tls and account.smtp_port == SMTP_TLS_PORT
    server: smtplib.SMTP
    if implicit:
        server = smtplib.SMTP_SSL(
            account.smtp_host, account.smtp_port, context=tls_context(), timeout=timeout
        )
    else:
        server = smtplib.SMTP(account.smtp_host, account.smtp_port, timeout=timeout)
    with server:
        if account.smtp_tls and not implicit:
            server.starttls(context=tls_context())
        if account.smtp_user:
            server.login(account.smtp_user, account.smtp_password)
        yield server


def smtp_send(account: EmailAccount, message: EmailMessage) -> None:
    with smtp_session(account) as server:
        server.send_message(message)


def smtp_check(account: EmailAccount) -> None:
    """Connect and sign in, sending nothing (an inbox's settings checked when saved)."""
    with smtp_session(account) as server:
        server.noop()
