from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A department (sales, support, billing, ...). An inbox belongs to one team."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Admin")


class Status(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class OperatorManager(UserManager["Operator"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> Operator:
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class Operator(AbstractUser):
    """Anyone who works in the console: an agent, a supervisor or an admin."""

    name = models.CharField(_("display name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OFFLINE
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The operator's own last choice in the status switch. Opening a console makes them
    # `online` only when it is `online`; presence never changes it.
    chosen_status = models.CharField(max_length=10, choices=Status.choices, default=Status.ONLINE)
    max_chats = models.PositiveIntegerField(_("maximum open conversations"), default=5)
    teams = models.ManyToManyField(Team, related_name="operators", blank=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    # Bumped whenever the operator's sockets must be closed (deactivated, password changed).
    credentials_version = models.PositiveIntegerField(default=1)
    # When their last console socket closed: the presence grace period counts from here.
    console_left_at = models.DateTimeField(null=True, blank=True)
    # The language the helpdesk writes to them in (the nightly summary), as chosen in the
    # console; "" for the server's default.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )

    objects: ClassVar[OperatorManager] = OperatorManager()

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")

    def password_fingerprint(self) -> str:
        """What an API token records of the password it was issued under: a digest of the stored
        password hash. Any change of the password, whoever makes it (the API, Django admin,
        `changepassword`, a reset), changes it, so old tokens stop working, as Django's session
        auth hash does for sessions. Not derived from SECRET_KEY: rotating that keeps tokens."""
        return password_fingerprint(self.password)

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    def __str__(self) -> str:
        return self.display_name


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(f"helpdesk.api-token:{password_hash}".encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token of the operator API. Only its SHA-256 is stored. It works while the
    operator's password is the one it was issued under (`Operator.password_fingerprint`)."""

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    password_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token {self.pk} of {self.operator_id}"


class ConsoleConnection(models.Model):
    """One open console socket, for presence. Heartbeats keep `seen_at` fresh, so the sockets
    of a server process that died without closing them go stale and stop counting."""

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="connections")
    channel_name = models.CharField(max_length=200, unique=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()
    # The console says so after 15 minutes without input in a hidden tab.
    idle = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"console of {self.operator_id}"


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("Mention")
    ASSIGNED = "assigned", _("Assigned to you")
    TEAM_TRANSFER = "team_transfer", _("Transferred to your team")
    KEY_ACCOUNT = "key_account", _("Your key account is waiting")
    REASSIGNED = "reassigned", _("Reassigned for want of an answer")


class Notification(models.Model):
    """Something an operator should look at: an @mention, a conversation handed to them or their
    team, a key account routed elsewhere, a conversation taken back for want of an answer."""

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    conversation = models.ForeignKey(
        "chats.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    message = models.ForeignKey(
        "chats.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(
        Operator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A message mentions an operator once, however often it spells their name.
            models.UniqueConstraint(
                fields=["operator", "message", "kind"], name="notification_once_per_message"
            ),
        ]
        indexes = [models.Index(fields=["operator", "-id"], name="notification_inbox_idx")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} for {self.operator_id}"
