"""Outbound webhooks and the API channel.

A fact that a webhook subscribes to is written to the outbox (`WebhookEvent`) in the fact's own
transaction; a task fans each outbox row out into one `WebhookDelivery` per webhook that takes
it (its JSON body fixed then, so every retry signs the same bytes), and the sender posts the
deliveries in commit order per conversation, recording each `WebhookAttempt`.

An `api` inbox (`ApiInbox`) keeps a hash of its token and its own webhook, which hears only the
operators' public replies in that inbox; its contacts are known by the external system's ids
(`ApiContact`).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chats.models.core import Contact, Inbox
from operators.models import Operator


class WebhookEventName(models.TextChoices):
    CONVERSATION_CREATED = "conversation.created", "conversation.created"
    CONVERSATION_ASSIGNED = "conversation.assigned", "conversation.assigned"
    CONVERSATION_RESOLVED = "conversation.resolved", "conversation.resolved"
    CONVERSATION_REOPENED = "conversation.reopened", "conversation.reopened"
    MESSAGE_CREATED = "message.created", "message.created"
    CSAT_CREATED = "csat.created", "csat.created"
    CONTACT_UPDATED = "contact.updated", "contact.updated"


class Webhook(models.Model):
    """An endpoint that hears the helpdesk's events. An admin's hears every inbox; an API
    inbox's own (`inbox` set) hears the operators' public replies of that inbox."""

    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=64)
    include_private = models.BooleanField(_("include private notes"), default=False)
    inbox = models.OneToOneField(
        Inbox, on_delete=models.CASCADE, null=True, blank=True, related_name="api_webhook"
    )
    created_by = models.ForeignKey(
        Operator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The endpoint's health: failures in a row; while it fails, one delivery at a time probes
    # it, no sooner than `paused_until`, and the others wait for the probe's success.
    failures_in_row = models.PositiveIntegerField(default=0)
    paused_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """The outbox: a fact some webhook subscribes to, written in the fact's transaction and
    deleted when fanned out into deliveries (in one transaction, so once)."""

    name = models.CharField(max_length=40, choices=WebhookEventName.choices)
    occurred_at = models.DateTimeField()
    inbox_id = models.BigIntegerField(null=True)
    conversation_id = models.BigIntegerField(null=True)
    # what `data` is built from: a message, a conversation or a contact
    object_id = models.BigIntegerField()
    private = models.BooleanField(default=False)
    operator_reply = models.BooleanField(default=False)  # a public message of an operator

    def __str__(self) -> str:
        return f"{self.name} {self.object_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one webhook, posted until it is answered with a 2xx or 24 hours pass.
    Deliveries of one conversation to one webhook go in `id` (creation) order: the next waits
    for the one before it to be delivered or given up."""

    # the delivery's public id (`X-Helpdesk-Delivery`), the same on every retry
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    conversation_id = models.BigIntegerField(null=True)
    body = models.TextField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    # retried until then (24 hours after it was made or sent again by hand), then given up
    expires_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=Q(state="pending"),
            ),
            models.Index(
                fields=["webhook", "id"],
                name="webhook_delivery_pending",
                condition=Q(state="pending"),
            ),
            models.Index(
                fields=["webhook", "conversation_id", "id"],
                name="webhook_delivery_order",
                condition=Q(state="pending"),
            ),
            models.Index(fields=["webhook", "-id"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook_id} ({self.state})"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField()
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"attempt of {self.delivery_id} at {self.at}"


class ApiInbox(models.Model):
    """An `api` inbox's credentials: the hash of its token (shown once) and its webhook."""

    inbox = models.OneToOneField(Inbox, on_delete=models.CASCADE, related_name="api_channel")
    token_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"API channel of {self.inbox_id}"


class ApiContact(models.Model):
    """A contact as an API inbox's external system knows it, by its own id."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="api_contacts")
    external_id = models.CharField(max_length=200)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="api_identities")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbox", "external_id"], name="api_contact_once")
        ]

    def __str__(self) -> str:
        return f"{self.external_id} in {self.inbox_id}"
