"""The conversation model shared by every channel.

An inbox is one channel instance (a web widget, a Telegram bot, a mailbox, an API source); a
contact is a person across channels; a conversation belongs to one inbox and one contact; a
message belongs to one conversation and carries its `seq`, 1, 2, 3, ... in commit order.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from operators.models import Operator, Team


class Channel(models.TextChoices):
    WEB = "web", _("Web widget")
    TELEGRAM = "telegram", _("Telegram")
    EMAIL = "email", _("Email")
    API = "api", _("API")


class RoutingStrategy(models.TextChoices):
    LEAST_BUSY = "least_busy", _("Least busy")
    ROUND_ROBIN = "round_robin", _("Round robin")
    MANUAL = "manual", _("Manual")


class Inbox(models.Model):
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="inboxes")
    # Public: it is in the embed snippet. Identifies the inbox, grants nothing by itself.
    inbox_key = models.CharField(max_length=64, unique=True)
    identity_secret = models.CharField(max_length=128)
    allowed_origins = models.JSONField(default=list, blank=True)
    greeting = models.TextField(_("greeting"), blank=True)
    routing = models.CharField(
        _("routing"),
        max_length=20,
        choices=RoutingStrategy.choices,
        default=RoutingStrategy.LEAST_BUSY,
    )
    settings = models.JSONField(default=dict, blank=True)
    # Business hours: an IANA time zone, weekly opening intervals
    # ({"mon": [["09:00", "18:00"]], ...}; empty: always open) and holidays ("YYYY-MM-DD").
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    business_hours = models.JSONField(_("business hours"), default=dict, blank=True)
    holidays = models.JSONField(_("holidays"), default=list, blank=True)
    # Seconds of silence after which an open conversation is resolved; null: never.
    auto_resolve_after = models.PositiveIntegerField(
        _("auto-resolve after (seconds)"), null=True, blank=True
    )
    # Seconds an assignee has to answer before the conversation goes to someone else; null: off.
    reassign_unanswered_after = models.PositiveIntegerField(
        _("reassign unanswered after (seconds)"), null=True, blank=True
    )
    # A returning contact goes back to the operator who served them last, when free.
    route_to_last_operator = models.BooleanField(_("route to the last operator"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("inbox")
        verbose_name_plural = _("inboxes")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person, whatever channel they write from."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    vip = models.BooleanField(_("VIP"), default=False)
    account_manager = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="key_accounts",
    )
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    notes = models.TextField(_("notes"), blank=True)
    # A picture of the person from their channel (a Telegram profile photo).
    avatar = models.ForeignKey(
        "chats.Attachment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or self.email or f"#{self.pk}"


class Visitor(models.Model):
    """One widget visitor token: a contact's access to their conversations in one inbox."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="visitors")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="visitors")
    token_hash = models.CharField(max_length=64, unique=True)
    locale = models.CharField(max_length=10, blank=True)
    page_url = models.CharField(max_length=2000, blank=True)
    page_title = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")

    def __str__(self) -> str:
        return f"visitor {self.pk} of contact {self.contact_id}"


class Label(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")


class Priority(models.TextChoices):
    NONE = "none", _("None")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Outcome(models.TextChoices):
    """How a conversation ended, given with its resolve (contract section 5)."""

    SOLVED = "solved", _("Solved")
    NOT_SOLVED = "not_solved", _("Not solved")
    SALE = "sale", _("Sale")
    FORWARDED = "forwarded", _("Forwarded to a department")
    SPAM = "spam", _("Spam")


class Conversation(models.Model):
    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="conversations")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    status = models.CharField(
        max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NONE)
    assignee = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    labels = models.ManyToManyField(Label, related_name="conversations", blank=True)
    # The highest seq handed out; the row lock on this column is what orders messages.
    last_seq = models.PositiveIntegerField(default=0)
    # Set while the conversation waits for an operator: its place in the team's queue.
    queued_at = models.DateTimeField(null=True, blank=True)
    # When the current assignee got it: the unanswered-reassignment watchdog counts from here.
    assigned_at = models.DateTimeField(null=True, blank=True)
    visitor_last_read_seq = models.PositiveIntegerField(default=0)
    operator_last_read_seq = models.PositiveIntegerField(default=0)
    page_url = models.CharField(max_length=2000, blank=True)
    # what it is about, where its channel says (an email's subject)
    subject = models.CharField(_("subject"), max_length=998, blank=True, db_default="")
    # Opening a conversation gives these and `queued_at` one moment, so the queue's order
    # (by queued_at) is the order of created_at too.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_activity_at = models.DateTimeField(default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The outcome of the last resolve; a reopen keeps it until the next resolve replaces it.
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    sale_amount = models.DecimalField(
        _("sale amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # A Telegram inbox's conversation: the private chat, or the user in a group, it is with.
    telegram_chat = models.ForeignKey(
        "chats.TelegramChat",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )

    class Meta:
        indexes = [
            models.Index(fields=["-last_activity_at", "-id"], name="conv_activity_idx"),
            models.Index(fields=["contact", "inbox", "-id"], name="conv_contact_idx"),
            models.Index(fields=["assignee", "status"], name="conv_assignee_idx"),
            # the few conversations not resolved, among all there ever were (the live view)
            models.Index(
                fields=["team"],
                name="conv_unresolved_idx",
                condition=Q(status__in=["open", "pending"]),
            ),
            models.Index(
                fields=["team", "queued_at", "id"],
                name="conv_queue_idx",
                condition=Q(queued_at__isnull=False),
            ),
        ]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return f"#{self.pk}"


class AuthorKind(models.TextChoices):
    VISITOR = "visitor", _("Visitor")
    OPERATOR = "operator", _("Operator")
    BOT = "bot", _("Bot")
    SYSTEM = "system", _("System")


class Delivery(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    author_operator = models.ForeignKey(
        Operator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who sent it, for client_id idempotency: "o<operator id>", "c<contact id>" or "s".
    sender_key = models.CharField(max_length=40)
    body = models.TextField()
    private = models.BooleanField(default=False)
    attachments = models.JSONField(default=list, blank=True)
    # NULL, not "", means "no client_id": the unique constraint then ignores the row.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the author changed it in their channel (a Telegram edit).
    edited_at = models.DateTimeField(null=True, blank=True)
    # Removed from where it was posted (a group comment deleted by an operator); kept here.
    # (Database defaults: the storing statement, `message_store`, names only what it sets.)
    hidden = models.BooleanField(default=False, db_default=False)
    # For an operator's reply that leaves through a channel: its way out ("" for the widget).
    delivery = models.CharField(
        max_length=10, choices=Delivery.choices, blank=True, default="", db_default=""
    )
    delivery_error = models.CharField(max_length=300, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "sender_key", "client_id"],
                condition=Q(client_id__isnull=False),
                name="message_client_id_unique",
            ),
        ]
        indexes = [
            # A visitor's resend is looked up across their conversations by sender and client_id.
            models.Index(
                fields=["sender_key", "client_id"],
                condition=Q(client_id__isnull=False),
                name="message_sender_client_idx",
            ),
        ]
        ordering = ["conversation", "seq"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    FILE = "file", _("File")


def attachment_path(attachment: Attachment, filename: str) -> str:
    """A random name in the storage: never the sender's, which is kept in `name`."""
    return timezone.now().strftime("attachments/%Y/%m/") + secrets.token_hex(16)


class Attachment(models.Model):
    """A file sent with a message, uploaded before the message that carries it.

    Until a message claims it, only its uploader (`sender_key`, as on `Message`) may use it;
    once claimed, whoever may see the message's conversation may fetch it (`chats.attachments`).
    """

    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    # Found from the content, never from the name or what the sender declared.
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sender_key = models.CharField(max_length=40)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="attachment_unclaimed_idx",
                condition=Q(message__isnull=True),
            ),
        ]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class CsatResponse(models.Model):
    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="csat")
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.conversation_id}"


class CannedResponse(models.Model):
    """A saved reply an operator inserts by its shortcut: personal (`owner` set) or shared by a
    team (`team` set), never both. The console fills `{{contact.name}}`, `{{contact.email}}` and
    `{{operator.name}}` in the body when inserting it."""

    shortcut = models.CharField(_("shortcut"), max_length=32)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    owner = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="canned_responses"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False, team__isnull=True)
                | Q(owner__isnull=True, team__isnull=False),
                name="canned_personal_or_team",
            ),
            models.UniqueConstraint(
                fields=["owner", "shortcut"],
                condition=Q(owner__isnull=False),
                name="canned_owner_shortcut_unique",
            ),
            models.UniqueConstraint(
                fields=["team", "shortcut"],
                condition=Q(team__isnull=False),
                name="canned_team_shortcut_unique",
            ),
        ]
        ordering = ["shortcut", "id"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self) -> str:
        return f"/{self.shortcut}"

    @property
    def scope(self) -> str:
        return "team" if self.team_id is not None else "personal"
