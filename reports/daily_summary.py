"""The nightly summary by email: yesterday's figures against the day before, to every active
supervisor with an email address, in their language, as text and HTML.

Sent once per supervisor and day (`DailySummarySent`: claimed before the send, marked sent
after it; a failed send gives its claim up, and a claim whose worker died is taken again after
`CLAIM_TIMEOUT`), by a beat task that runs every quarter of an hour and sends once the reports'
day is `DAILY_SUMMARY_HOUR` o'clock; nothing is computed once everyone has had it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from operators.models import Operator, Role
from reports import figures
from reports.cells import Filters
from reports.models import DailySummarySent
from reports.periods import Period, reports_zone

logger = logging.getLogger(__name__)


def summary_day_due(now: datetime) -> date | None:
    """Yesterday in the reports' zone, once today has reached the sending hour."""
    local = now.astimezone(reports_zone())
    if local.hour < settings.DAILY_SUMMARY_HOUR:
        return None
    return local.date() - timedelta(days=1)


def recipients() -> list[Operator]:
    operators = Operator.objects.filter(is_active=True, role=Role.SUPERVISOR).exclude(email="")
    return list(operators.order_by("pk"))


@dataclass(frozen=True, slots=True)
class Line:
    """One figure of the summary: its value, the day before's, and whether it went the good
    way (None: no change, or no way is better)."""

    label: str
    value: str
    before: str
    change: str
    better: bool | None


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)s min %(s)s s") % {"m": minutes, "s": secs}
    return _("%(s)s s") % {"s": secs}


def _number(value: float | int | None, places: int = 0) -> str:
    if value is None:
        return "—"
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _change(
    now: float | None, before: float | None, *, lower_is_better: bool
) -> tuple[str, bool | None]:
    if now is None or before is None or now == before:
        return "", None
    if before == 0:
        return f"+{_number(now)}", (now < before) == lower_is_better
    percent = (now - before) / before * 100
    sign = "+" if percent > 0 else "\u2212"  # a minus sign
    return f"{sign}{_number(abs(percent))} %", (now < before) == lower_is_better


def lines(summary: dict[str, Any]) -> list[Line]:
    before = summary["previous"]
    currency = settings.CURRENCY

    def line(
        label: str,
        read: Any,
        show: Any = _number,
        *,
        lower_is_better: bool = False,
    ) -> Line:
        now_value, before_value = read(summary), read(before)
        change, better = _change(now_value, before_value, lower_is_better=lower_is_better)
        return Line(label, show(now_value), show(before_value), change, better)

    def money(value: float | None) -> str:
        return f"{_number(value, 2)} {currency}"

    return [
        line(_("Conversations"), lambda s: s["conversations"]),
        line(pgettext("report figure", "Resolved"), lambda s: s["resolved"]),
        line(_("Replies"), lambda s: s["replies"]),
        line(
            _("First response, median"),
            lambda s: s["first_response_seconds"]["median"],
            duration,
            lower_is_better=True,
        ),
        line(
            _("Resolution, median"),
            lambda s: s["resolution_seconds"]["median"],
            duration,
            lower_is_better=True,
        ),
        line(
            _("Satisfaction (CSAT), average of 5"),
            lambda s: s["csat"]["average"],
            lambda v: _number(v, 2),
        ),
        line(_("Ratings"), lambda s: s["csat"]["responses"]),
        line(_("Sales"), lambda s: s["sales"]["count"]),
        line(_("Sales amount"), lambda s: float(Decimal(s["sales"]["amount"])), money),
    ]


def _message(operator: Operator, day: date, summary: dict[str, Any]) -> EmailMultiAlternatives:
    language = operator.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "language": language,
            "operator": operator,
            "day": formats.date_format(day, "DATE_FORMAT", use_l10n=True),
            "lines": lines(summary),
            "reports_link": f"{settings.PUBLIC_URL}/reports/" if settings.PUBLIC_URL else "",
            "conversations": summary["conversations"],
        }
        subject = ngettext(
            "Helpdesk, %(day)s: %(count)s conversation",
            "Helpdesk, %(day)s: %(count)s conversations",
            summary["conversations"],
        ) % {"day": context["day"], "count": summary["conversations"]}
        text = render_to_string("reports/email/daily_summary.txt", context)
        html = render_to_string("reports/email/daily_summary.html", context)
    message = EmailMultiAlternatives(subject, text, to=[operator.email])
    message.attach_alternative(html, "text/html")
    return message


# A claim older than this whose send never finished is taken again (at least once).
CLAIM_TIMEOUT = timedelta(minutes=10)


def _claim(day: date, operator: Operator, now: datetime) -> bool:
    """Take the send of `day`'s summary to `operator`: a first claim, or again one whose send
    never finished. False when it was sent, or another run is sending it now."""
    try:
        with transaction.atomic():
            DailySummarySent.objects.create(day=day, operator_id=operator.pk, claimed_at=now)
        return True
    except IntegrityError:
        stale = DailySummarySent.objects.filter(
            day=day,
            operator_id=operator.pk,
            sent_at__isnull=True,
            claimed_at__lt=now - CLAIM_TIMEOUT,
        )
        return stale.update(claimed_at=now) == 1


def daily_summary_send(day: date) -> list[int]:
    """Send `day`'s summary to each supervisor who has not had it; the ids it went to."""
    done = set(
        DailySummarySent.objects.filter(day=day, sent_at__isnull=False).values_list(
            "operator_id", flat=True
        )
    )
    waiting = [operator for operator in recipients() if operator.pk not in done]
    if not waiting:
        return []
    summary = figures.summary(Period(first=day, last=day, zone=reports_zone()), Filters())
    sent: list[int] = []
    for operator in waiting:
        if not _claim(day, operator, timezone.now()):
            continue
        try:
            _message(operator, day, summary).send()
        except Exception:
            DailySummarySent.objects.filter(day=day, operator_id=operator.pk).delete()
            logger.exception("the daily summary of %s to operator %s failed", day, operator.pk)
            continue
        DailySummarySent.objects.filter(day=day, operator_id=operator.pk).update(
            sent_at=timezone.now()
        )
        sent.append(operator.pk)
    return sent
