"""A mail's text as a message: HTML reduced to plain text (html2text), the quoted history under
a reply trimmed (mail-parser-reply, taught the headers Russian mail clients write above the
quote), the result within the length of a message."""

from __future__ import annotations

import re

import html2text
from django.conf import settings
from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES

# What Gmail, Yandex Mail, Mail.ru and Outlook write above the quoted mail in Russian, in the
# shape of the library's own languages (each line starting with the year's date and ending with
# the sender's address and a colon): "ср, 4 дек. 2026 г. в 10:00, Имя <a@b.ru>:",
# "4 декабря 2026 г., в 10:00, Имя <a@b.ru> написал(а):", "Среда, 4 декабря 2026, 10:00 +03:00
# от Имя <a@b.ru>:", and Outlook's "От: / Отправлено: / Кому: / Тема:" block.
MAIL_LANGUAGES.setdefault(
    "ru",
    {
        # One address in angle brackets, a four-digit year before it, a colon at the end; no
        # class overlaps another around the "@" or the "<", so a line is matched in linear
        # time whatever it holds (a line of "@"s, a long one).
        "wrote_header": (
            r"^((?:> ?)*[^\n@<]{0,160}\d{4}[^\n@<]{0,80}<[^\n@<>]{1,64}@[^\n@<>]{1,255}>"
            r"[^\n@<>:]{0,40}:)$"
        ),
        "from_header": (
            r"((?:(?:^|\n|\n(?:> ?)*)[* ]*(?:От|Отправлено|Дата|Кому|Копия|Тема):[ *]*"
            r"(?:\s{,2}).*){2,}(?:\n.*){,1})"
        ),
        "disclaimers": ["Конфиденциально:", "Внимание:"],
        "signatures": ["С уважением", "С наилучшими пожеланиями", "Спасибо,"],
        "sent_from": "Отправлено с|Отправлено из|Sent from my",
    },
)
_reply_parser = EmailReplyParser(languages=["ru", "en", "de", "fr", "es"])
TRUNCATED = "\n[…]"


def html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0  # no hard wraps: the console wraps
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.unicode_snob = True
    return converter.handle(html)


def latest_reply(text: str) -> str:
    """The new part of a reply: the quoted mail below it dropped. A mail that is all quote
    (or that the parser cannot split) keeps its text."""
    try:
        reply = _reply_parser.parse_reply(text=text)
    except Exception:  # the parser's regexes on a pathological mail: keep it whole
        return text
    return reply.strip() if reply and reply.strip() else text


def message_text(text: str) -> str:
    """Tidied and within a message's length (the rest marked as cut)."""
    text = text.replace("\r\n", "\n").replace("\x00", "")
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    limit = settings.MESSAGE_MAX_CHARS
    if len(text) > limit:
        text = text[: limit - len(TRUNCATED)].rstrip() + TRUNCATED
    return text
