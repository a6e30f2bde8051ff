"""What the email connector keeps: a mailbox per `email` inbox (IMAP in, SMTP out), and every
mail in or out with its threading headers, stored once per `Message-ID` and inbox."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chats.models.core import Conversation, Inbox, Message


class EmailAccount(models.Model):
    """An `email` inbox's mailbox. Its passwords are never shown again. Polling reads mail by
    UID after `last_uid` (committed with each stored mail, so a poll cut short goes on where
    it stopped); `polling_until` is the lease of the poll in progress."""

    inbox = models.OneToOneField(Inbox, on_delete=models.CASCADE, related_name="email_account")
    address = models.EmailField(_("address"))
    imap_host = models.CharField(max_length=255)
    imap_port = models.PositiveIntegerField(default=993)
    imap_user = models.CharField(max_length=255)
    imap_password = models.CharField(max_length=255)
    imap_tls = models.BooleanField(default=True)
    smtp_host = models.CharField(max_length=255)
    smtp_port = models.PositiveIntegerField(default=587)
    smtp_user = models.CharField(max_length=255, blank=True)
    smtp_password = models.CharField(max_length=255, blank=True)
    smtp_tls = models.BooleanField(default=True)
    # added under every reply (the team's name when blank)
    signature = models.TextField(_("signature"), blank=True)
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    polling_until = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.address


class EmailKind(models.TextChoices):
    MAIL = "mail", _("Mail")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    BOUNCE = "bounce", _("Bounce")
    OWN = "own", _("From the inbox's own address")
    UNREADABLE = "unreadable", _("Unreadable")
    REPLY = "reply", _("Operator's reply")


class EmailMessage(models.Model):
    """A mail of an inbox's mailbox: one received, or one the helpdesk sent (`REPLY`, written
    before it is handed to SMTP so that a retry sends the same `Message-ID`)."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="emails")
    message_id = models.CharField(max_length=998)
    kind = models.CharField(max_length=20, choices=EmailKind.choices)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    # the helpdesk's message it became, or the reply it carries
    chat_message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # a reply accepted by SMTP
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbox", "message_id"], name="email_once_per_inbox")
        ]
        indexes = [models.Index(fields=["conversation", "id"], name="email_of_conversation")]

    def __str__(self) -> str:
        return self.message_id
