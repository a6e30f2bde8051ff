"""Report events: every fact the reports count, one row each, written in the transaction of
the fact (`reports.listeners`), with the conversation's inbox, channel, team and operator as
they were at that moment. Append-only but for one kind: a conversation's rating is one row
that a new rating replaces. The nightly rollups (and today's live figures) are computed from
these rows, never from the conversations as they are now.

The ids are kept without foreign keys on purpose: a report keeps its counts when a contact is
erased or an inbox, team or operator is deleted.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.fields import NumberListField


class ReportEventKind(models.TextChoices):
    OPENED = "opened", _("Conversation opened")
    FIRST_RESPONSE = "first_response", _("First response")
    REPLY = "reply", _("Reply")
    ASSIGNED = "assigned", _("Assigned")
    TRANSFERRED = "transferred", _("Transferred")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    RATED = "rated", _("Rated")


# `rated`: a second rating replaces the first (contract section 5), so its row is updated.
ONCE_PER_CONVERSATION = (
    ReportEventKind.OPENED,
    ReportEventKind.FIRST_RESPONSE,
    ReportEventKind.RATED,
)


class ReportEvent(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ReportEventKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    conversation_id = models.BigIntegerField(_("conversation"))
    inbox_id = models.BigIntegerField(_("inbox"))
    channel = models.CharField(_("channel"), max_length=20)
    team_id = models.BigIntegerField(_("team"), null=True)
    # the conversation's assignee at that moment: whose figures it counts in
    operator_id = models.BigIntegerField(_("operator"), null=True)
    # who did it, where someone did (the replier, who resolved or assigned), else null
    actor_id = models.BigIntegerField(_("actor"), null=True)
    # seconds (first_response: from the contact's first message; resolved: from the
    # conversation's creation) or the rating (rated); null where the kind has none
    value = models.FloatField(_("value"), null=True)
    # the conversation's `created_at`: `first_response` counts in the period it was opened in
    opened_at = models.DateTimeField(_("opened at"), null=True)
    outcome = models.CharField(_("outcome"), max_length=20, blank=True, default="")
    sale_amount = models.DecimalField(_("sale amount"), max_digits=14, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        indexes = [
            models.Index(fields=["occurred_at", "kind"], name="report_event_time_kind"),
            models.Index(fields=["conversation_id", "kind"], name="report_event_conversation"),
            models.Index(
                fields=["opened_at"],
                name="report_event_first_response",
                condition=models.Q(kind="first_response"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation_id", "kind"],
                condition=models.Q(kind__in=ONCE_PER_CONVERSATION),
                name="report_event_once_per_conversation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of conversation {self.conversation_id} at {self.occurred_at}"


class RollupDay(models.Model):
    """One calendar day of the reports in a time zone, and whether its cells are current.

    `version` takes a new random value whenever something lands in a day already rolled up (a
    first response to a conversation opened that day, a replaced rating, a changed outcome or
    labels); the rollup records the version it read. The day's cells answer only while
    `rolled_version == version`; otherwise its figures come from the report events."""

    time_zone = models.CharField(_("time zone"), max_length=64)
    day = models.DateField(_("day"))
    version = models.BigIntegerField(_("version"), default=0)
    rolled_version = models.BigIntegerField(_("rolled-up version"), null=True)
    rolled_at = models.DateTimeField(_("rolled up at"), null=True)

    class Meta:
        verbose_name = _("rolled-up day")
        verbose_name_plural = _("rolled-up days")
        constraints = [models.UniqueConstraint(fields=["time_zone", "day"], name="rollup_day_once")]

    def __str__(self) -> str:
        return f"{self.day} ({self.time_zone})"


class ReportCell(models.Model):
    """The partial figures (`reports.tally.Tally`) of one day's report events that share an
    inbox, a team, an operator and a set of labels: what the nightly rollup stores. Counts in
    columns and the values and ids in arrays, so that PostgreSQL adds cells up natively
    (`reports.totals`)."""

    time_zone = models.CharField(_("time zone"), max_length=64)
    day = models.DateField(_("day"))
    inbox_id = models.BigIntegerField(_("inbox"))
    channel = models.CharField(_("channel"), max_length=20)
    team_id = models.BigIntegerField(_("team"), null=True)
    operator_id = models.BigIntegerField(_("operator"), null=True)
    labels = models.JSONField(_("labels"), default=list)  # label ids, sorted
    opened = models.PositiveIntegerField(_("opened"), default=0)
    replies = models.PositiveIntegerField(_("replies"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    sales = models.PositiveIntegerField(_("sales"), default=0)
    sales_amount = models.DecimalField(
        _("sales amount"), max_digits=16, decimal_places=2, default=0
    )
    ratings = NumberListField(_("ratings"), element_type="integer")  # count of 1 .. 5
    outcomes = NumberListField(_("outcomes"), element_type="integer")  # by OUTCOME_KEYS
    opened_by_hour = NumberListField(_("opened by hour"), element_type="integer")
    first_response = NumberListField(_("first responses"))  # seconds
    resolution = NumberListField(_("resolutions"))  # seconds
    assigned = NumberListField(_("assigned"), element_type="bigint")  # conversation ids
    entered_team = NumberListField(_("entered the team"), element_type="bigint")

    class Meta:
        verbose_name = _("report cell")
        verbose_name_plural = _("report cells")
        indexes = [models.Index(fields=["time_zone", "day"], name="report_cell_day")]

    def __str__(self) -> str:
        return f"cell of {self.day} ({self.time_zone})"


class DailySummarySent(models.Model):
    """The nightly summary of `day` to `operator_id`: claimed by a run before it is sent, sent
    once `sent_at` is set. A claim that never became a send (the worker died in between) is
    claimed again after a while; a sent one is never sent again."""

    day = models.DateField(_("day"))
    operator_id = models.BigIntegerField(_("operator"))
    claimed_at = models.DateTimeField(_("claimed at"))
    sent_at = models.DateTimeField(_("sent at"), null=True)

    class Meta:
        verbose_name = _("daily summary sent")
        verbose_name_plural = _("daily summaries sent")
        constraints = [
            models.UniqueConstraint(fields=["day", "operator_id"], name="daily_summary_once")
        ]

    def __str__(self) -> str:
        return f"summary of {self.day} to operator {self.operator_id}"
