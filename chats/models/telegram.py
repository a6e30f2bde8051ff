"""What the Telegram connector keeps: the bot of an inbox, the updates it received (each stored
once), the chats behind conversations, the Telegram messages behind messages, channel posts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chats.models.core import Attachment, Contact, Inbox, Message
from operators.models import Operator

TELEGRAM_API_URL = "https://api.telegram.org"


class TelegramBot(models.Model):
    """The bot of a `telegram` inbox. Its token is a secret: it is never shown again."""

    inbox = models.OneToOneField(Inbox, on_delete=models.CASCADE, related_name="telegram_bot")
    token = models.CharField(max_length=200)
    api_url = models.URLField(default=TELEGRAM_API_URL)
    bot_id = models.BigIntegerField()
    username = models.CharField(max_length=64)
    # Telegram sends it back in X-Telegram-Bot-Api-Secret-Token with every update.
    webhook_secret = models.CharField(max_length=64)
    # Mentions of the bot and replies to it in groups open conversations.
    groups = models.BooleanField(default=False)
    # The channel the bot publishes posts in ("@name" or its id), and its id once known.
    channel = models.CharField(max_length=100, blank=True)
    channel_chat_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Telegram bot")
        verbose_name_plural = _("Telegram bots")

    def __str__(self) -> str:
        return f"@{self.username}"


class TelegramUpdate(models.Model):
    """An update as Telegram sent it, stored before it is acknowledged, once per `update_id`."""

    bot = models.ForeignKey(TelegramBot, on_delete=models.CASCADE, related_name="updates")
    update_id = models.BigIntegerField()
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bot", "update_id"], name="telegram_update_once")
        ]

    def __str__(self) -> str:
        return f"update {self.update_id} of {self.bot_id}"


class TelegramChatKind(models.TextChoices):
    PRIVATE = "private", _("Private chat")
    GROUP = "group", _("Group")


class TelegramChat(models.Model):
    """Where a contact talks to a bot: a private chat (`chat_id` is the user's id), or one user
    in a group (a conversation per group and user)."""

    bot = models.ForeignKey(TelegramBot, on_delete=models.CASCADE, related_name="chats")
    chat_id = models.BigIntegerField()
    user_id = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=TelegramChatKind.choices)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="telegram_chats")
    username = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=255, blank=True)  # a group's
    language = models.CharField(max_length=10, blank=True)  # the user's, as Telegram says
    # The user blocked the bot (a send answered 403): nothing more is sent until they write.
    blocked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bot", "chat_id", "user_id"], name="telegram_chat_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.chat_id}/{self.user_id}"


class TelegramMessage(models.Model):
    """A Telegram message behind a message of the helpdesk: one that arrived, or one an
    operator's reply was sent as (a reply with files may be several)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="telegram")
    bot = models.ForeignKey(TelegramBot, on_delete=models.CASCADE, related_name="+")
    chat_id = models.BigIntegerField()
    telegram_id = models.BigIntegerField()  # the message_id in its chat
    # The attachment a part carried, for a reply sent as several Telegram messages.
    attachment = models.ForeignKey(
        Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bot", "chat_id", "telegram_id"], name="telegram_message_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.chat_id}:{self.telegram_id}"


class TelegramPostState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")


class TelegramPost(models.Model):
    """A post for the bot's channel: drafted, scheduled, published once by beat."""

    bot = models.ForeignKey(TelegramBot, on_delete=models.CASCADE, related_name="posts")
    text = models.TextField(blank=True)
    photo = models.ForeignKey(
        Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    buttons = models.JSONField(default=list, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=12, choices=TelegramPostState.choices, default=TelegramPostState.DRAFT
    )
    # Set just before the Bot API is called: a post found publishing with it set may be in
    # the channel already, and is never sent again by itself.
    sending_since = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    telegram_id = models.BigIntegerField(null=True, blank=True)  # the channel post's message_id
    error = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(
        Operator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["publish_at"],
                name="telegram_post_due_idx",
                condition=models.Q(state="scheduled"),
            )
        ]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"post {self.pk} of {self.bot_id}"
