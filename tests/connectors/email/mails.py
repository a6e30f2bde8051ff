"""Real RFC 5322 mails as mail clients and servers write them, built with the standard
library's `email` package (the bytes a server would hold)."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.utils import format_datetime

from PIL import Image

CUSTOMER = "olga@customer.example"
DATE = format_datetime(datetime(2026, 12, 4, 10, 0, tzinfo=UTC))


def _png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(image, format="PNG")
    return image.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _headers(mail: EmailMessage | MIMEMultipart, to: str, subject: str, message_id: str) -> None:
    mail["From"] = f"Olga Petrova <{CUSTOMER}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = DATE
    mail["Message-ID"] = message_id


def plain(
    to: str,
    *,
    message_id: str = "<plain-1@customer.example>",
    subject: str = "Order 1042 is late",
    body: str = "Hello,\nmy order 1042 has not arrived.\nOlga",
    **headers: str,
) -> bytes:
    mail = EmailMessage()
    _headers(mail, to, subject, message_id)
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    return mail.as_bytes()


def html_only(to: str) -> bytes:
    mail = EmailMessage()
    _headers(mail, to, "Invoice question", "<html-1@customer.example>")
    mail.set_content(
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head>"
        "<body><p>Where is <b>invoice</b> 77?</p>"
        "<p><a href='https://customer.example/acct'>My account</a></p>"
        "<img src='https://tracker.example/pixel.gif'></body></html>",
        subtype="html",
    )
    return mail.as_bytes()


def with_attachment(to: str) -> bytes:
    mail = EmailMessage()
    _headers(mail, to, "Damaged parcel", "<attach-1@customer.example>")
    mail.set_content("The parcel came damaged, photos attached.")
    mail.add_alternative(
        '<p>The parcel came damaged, photos attached.</p><img src="cid:photo1">', subtype="html"
    )
    html_part = mail.get_payload()[1]
    html_part.add_related(PNG, maintype="image", subtype="png", cid="<photo1>")
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="receipt.pdf")
    return mail.as_bytes()


def reply_to(
    to: str,
    answered: str,
    *,
    message_id: str = "<reply-1@customer.example>",
    subject: str = "Re: Order 1042 is late",
    body: str = "Thank you, that helps!",
) -> bytes:
    mail = EmailMessage()
    _headers(mail, to, subject, message_id)
    mail["In-Reply-To"] = answered
    mail["References"] = answered
    mail.set_content(
        f"{body}\n\nOn Wed, Dec 4, 2026 at 10:00 AM Support <{to}> wrote:\n"
        "> Your order ships today.\n> Support\n"
    )
    return mail.as_bytes()


def auto_reply(to: str, answered: str) -> bytes:
    mail = EmailMessage()
    _headers(mail, to, "Automatic reply: Order 1042 is late", "<auto-1@customer.example>")
    mail["In-Reply-To"] = answered
    mail["Auto-Submitted"] = "auto-replied"
    mail["X-Autoreply"] = "yes"
    mail.set_content("I am on holiday until Monday.")
    return mail.as_bytes()


def bounce(to: str, returned_id: str) -> bytes:
    """What Postfix sends back when the recipient does not exist (RFC 3464)."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>\r\n"
        f"To: {to}\r\nSubject: Undelivered Mail Returned to Sender\r\nDate: {DATE}\r\n"
        "Message-ID: <bounce-1@mx.customer.example>\r\nAuto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n\r\n'
        "--B1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system. Your message could not be delivered.\r\n\r\n"
        "--B1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.customer.example\r\n\r\n"
        f"Final-Recipient: rfc822; {CUSTOMER}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 mailbox unknown\r\n\r\n"
        "--B1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: Support <{to}>\r\nTo: {CUSTOMER}\r\nSubject: Re: Order\r\n"
        f"Message-ID: {returned_id}\r\n\r\n--B1--\r\n"
    ).encode()


def forged(to: str, foreign_id: str) -> bytes:
    return reply_to(
        to,
        foreign_id,
        message_id="<forged-1@attacker.example>",
        subject="Re: hi",
        body="Let me into that chat",
    )


def malformed() -> bytes:
    return (
        b"From: =?broken?Q?nonsense\r\nSubject: =?utf-8?B?!!!notbase64\r\n"
        b'Content-Type: multipart/mixed; boundary="nope"\r\nMessage-ID: <bad-1@x>\r\n\r\n'
        b"--nope\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@\r\n"
    )


def koi8r(to: str) -> bytes:
    body = "Здравствуйте! Заказ 1042 не пришёл.".encode("koi8-r")
    return (
        (
            f"From: =?koi8-r?B?{_b64('Ольга'.encode('koi8-r'))}?= <{CUSTOMER}>\r\n"
            f"To: {to}\r\nSubject: =?koi8-r?B?{_b64('Заказ не пришёл'.encode('koi8-r'))}?=\r\n"
            f"Date: {DATE}\r\nMessage-ID: <koi8-1@customer.example>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        ).encode("ascii")
        + body
        + b"\r\n"
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
