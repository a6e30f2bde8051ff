"""Operator and admin REST endpoints of the chats domain (`/api/v1/`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from chats import selectors
from chats.api.pagination import (
    MAX_SEARCH_CHARS,
    ActivityPagination,
    KeysetPagination,
    ListPagination,
    SeqPagination,
    search_text,
)
from chats.business_hours import OpenState, open_state
from chats.connectors.api_channel import setup as api_setup
from chats.connectors.email import setup as email_setup
from chats.connectors.telegram import setup as telegram_setup
from chats.models import Channel, ConversationStatus, Inbox, Outcome, Priority, RoutingStrategy
from chats.models.telegram import TELEGRAM_API_URL
from chats.serializers import (
    NO_NUL_PATTERN,
    TEXT_PATTERN,
    AttachmentIdsField,
    ClientIdField,
    ContactSerializer,
    ConversationSerializer,
    MessageBodyField,
    MessageSerializer,
    body_or_files_schema,
    conversation_data,
    iso_or_none,
    message_data,
    require_body_or_files,
)
from chats.services import assigning, contacts, conversations, inboxes
from chats.validation import clean_body
from helpdesk.api_errors import ApiError
from helpdesk.openapi import ErrorSerializer
from helpdesk.strict_input import OPERATOR_NOT_FOUND, TEAM_NOT_FOUND, ReferenceField, StrictInput
from helpdesk.throttles import OperatorApiThrottle, OperatorMessageThrottle
from operators.api.views import IsAdmin, IsSupervisorOrAdmin, OperatorApiView, strict_data
from operators.models import Operator, Team

SALE_AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"

# --- inboxes ----------------------------------------------------------------------------------


BUSINESS_HOURS_SCHEMA = {
    "type": "object",
    "description": (
        'Weekly opening intervals in the inbox\'s time zone, e.g. {"mon": [["09:00", "18:00"]]}; '
        'keys mon..sun, each a list of non-overlapping [start, end] ("HH:MM", "24:00" may '
        "end a day); a day left out is closed; {} is open all day every day."
    ),
    "additionalProperties": {
        "type": "array",
        "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
    },
}
HOLIDAYS_SCHEMA = {
    "type": "array",
    "items": {"type": "string", "format": "date"},
    "description": "dates (YYYY-MM-DD, in the inbox's time zone) closed all day",
}


@extend_schema_field(BUSINESS_HOURS_SCHEMA)
class BusinessHoursField(serializers.JSONField):
    """Any JSON in; its shape is checked by the service, which names what is wrong."""


@extend_schema_field(HOLIDAYS_SCHEMA)
class HolidaysField(serializers.JSONField):
    pass


class InboxTelegramSerializer(serializers.Serializer):
    """A Telegram inbox's bot as anyone may see it: never its token."""

    bot_username = serializers.CharField(source="username")
    api_url = serializers.CharField()
    groups = serializers.BooleanField()
    channel = serializers.CharField(allow_blank=True)


class InboxEmailPublicSerializer(serializers.Serializer):
    """An email inbox's mailbox as its operators see it: its address."""

    address = serializers.EmailField()


class InboxEmailSerializer(InboxEmailPublicSerializer):
    """An email inbox's mailbox as admins see it: never its passwords."""

    imap_host = serializers.CharField()
    imap_port = serializers.IntegerField()
    imap_user = serializers.CharField()
    imap_tls = serializers.BooleanField()
    smtp_host = serializers.CharField()
    smtp_port = serializers.IntegerField()
    smtp_user = serializers.CharField(allow_blank=True)
    smtp_tls = serializers.BooleanField()
    signature = serializers.CharField(allow_blank=True)
    last_polled_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True, help_text="the last poll's failure")


class InboxApiSerializer(serializers.Serializer):
    webhook_url = serializers.URLField(help_text="where the operators' replies are delivered")


class InboxSerializer(serializers.ModelSerializer):
    business_hours = BusinessHoursField()
    holidays = HolidaysField()
    open_now = serializers.SerializerMethodField(
        help_text="whether the inbox is within its business hours now"
    )
    next_open_at = serializers.SerializerMethodField(
        help_text="when it opens next (UTC); null while open, or if it never opens"
    )
    telegram = serializers.SerializerMethodField(help_text="a Telegram inbox's bot; else null")
    api = serializers.SerializerMethodField(help_text="an API inbox's webhook; else null")
    email = serializers.SerializerMethodField(help_text="an email inbox's mailbox; else null")

    class Meta:
        model = Inbox
        fields = [
            "id",
            "name",
            "channel",
            "team",
            "inbox_key",
            "allowed_origins",
            "greeting",
            "routing",
            "settings",
            "reassign_unanswered_after",
            "route_to_last_operator",
            "created_at",
            "timezone",
            "business_hours",
            "holidays",
            "auto_resolve_after",
            "open_now",
            "next_open_at",
            "telegram",
            "api",
            "email",
        ]

    @extend_schema_field(InboxTelegramSerializer(allow_null=True))
    def get_telegram(self, inbox: Inbox) -> dict[str, Any] | None:
        bot = getattr(inbox, "telegram_bot", None) if inbox.channel == Channel.TELEGRAM else None
        return None if bot is None else dict(InboxTelegramSerializer(bot).data)

    @extend_schema_field(InboxApiSerializer(allow_null=True))
    def get_api(self, inbox: Inbox) -> dict[str, Any] | None:
        webhook = getattr(inbox, "api_webhook", None) if inbox.channel == Channel.API else None
        return None if webhook is None else {"webhook_url": webhook.url}

    mailbox_serializer: type[serializers.Serializer] = InboxEmailPublicSerializer

    @extend_schema_field(InboxEmailPublicSerializer(allow_null=True))
    def get_email(self, inbox: Inbox) -> dict[str, Any] | None:
        account = getattr(inbox, "email_account", None) if inbox.channel == Channel.EMAIL else None
        return None if account is None else dict(self.mailbox_serializer(account).data)

    def _state(self, inbox: Inbox) -> OpenState:
        """Computed once per inbox for both fields (a list serializes with one child)."""
        cache: dict[int, OpenState] = self.__dict__.setdefault("_open_states", {})
        if inbox.pk not in cache:
            cache[inbox.pk] = open_state(inbox, timezone.now())
        return cache[inbox.pk]

    def get_open_now(self, inbox: Inbox) -> bool:
        return self._state(inbox).open

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_open_at(self, inbox: Inbox) -> str | None:
        return iso_or_none(self._state(inbox).next_open_at)


class InboxAdminSerializer(InboxSerializer):
    mailbox_serializer = InboxEmailSerializer

    class Meta(InboxSerializer.Meta):
        fields = [*InboxSerializer.Meta.fields, "identity_secret"]

    @extend_schema_field(InboxEmailSerializer(allow_null=True))
    def get_email(self, inbox: Inbox) -> dict[str, Any] | None:
        """The servers, users, signature and last poll's state: admins only."""
        return super().get_email(inbox)


class InboxWithSecretsSerializer(InboxAdminSerializer):
    """An inbox as its admin sees it once: with an API inbox's new credentials (when it is
    made, or given its first webhook); null at any other time."""

    inbox_token = serializers.SerializerMethodField(
        help_text="an API inbox's: Authorization: Bearer <inbox_token> on /api/channel/v1/"
    )
    webhook_secret = serializers.SerializerMethodField(
        help_text="an API inbox's: signs its webhook deliveries (X-Helpdesk-Signature)"
    )

    class Meta(InboxAdminSerializer.Meta):
        fields = [*InboxAdminSerializer.Meta.fields, "inbox_token", "webhook_secret"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_inbox_token(self, inbox: Inbox) -> str | None:
        return self.context.get("inbox_token")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_webhook_secret(self, inbox: Inbox) -> str | None:
        return self.context.get("webhook_secret")


# The watchdog's pass runs every 10 seconds; a day is the longest wait that is still "unanswered".
REASSIGN_UNANSWERED_MIN_SECONDS = 10
REASSIGN_UNANSWERED_MAX_SECONDS = 86_400


class InboxHoursInput(StrictInput):
    timezone = serializers.CharField(
        max_length=64, default="UTC", help_text="an IANA time zone name, e.g. Europe/Moscow"
    )
    business_hours = BusinessHoursField(default=dict)
    holidays = HolidaysField(default=list)  # type: ignore[arg-type]
    auto_resolve_after = serializers.IntegerField(
        min_value=inboxes.AUTO_RESOLVE_MIN_SECONDS,
        max_value=inboxes.AUTO_RESOLVE_MAX_SECONDS,
        allow_null=True,
        default=None,
        help_text="seconds of silence after which an open or pending conversation is resolved; "
        "null: never",
    )


class TelegramSettingsInput(StrictInput):
    bot_token = serializers.CharField(max_length=200, help_text="from @BotFather; never shown")
    api_url = serializers.URLField(
        max_length=200,
        default=TELEGRAM_API_URL,
        help_text="Telegram's Bot API (tests: a local one)",
    )
    groups = serializers.BooleanField(
        default=False,
        help_text="mentions of the bot and replies to it in groups open conversations",
    )
    channel = serializers.CharField(
        max_length=100,
        default="",
        allow_blank=True,
        help_text='the channel for posts, "@name" or its id; the bot must be its administrator',
    )


class TelegramChangesInput(StrictInput):
    closed = True

    groups = serializers.BooleanField(required=False)
    channel = serializers.CharField(max_length=100, required=False, allow_blank=True)


class EmailSettingsInput(StrictInput):
    closed = True

    address = serializers.EmailField(max_length=254, help_text="the inbox's own address")
    imap_host = serializers.CharField(max_length=255)
    imap_port = serializers.IntegerField(min_value=1, max_value=65535, default=993)
    imap_user = serializers.CharField(max_length=255)
    imap_password = serializers.CharField(max_length=255, help_text="never shown again")
    imap_tls = serializers.BooleanField(
        default=True, help_text="TLS: implicit on port 993, STARTTLS on any other"
    )
    smtp_host = serializers.CharField(max_length=255)
    smtp_port = serializers.IntegerField(min_value=1, max_value=65535, default=587)
    smtp_user = serializers.CharField(max_length=255, default="", allow_blank=True)
    smtp_password = serializers.CharField(
        max_length=255, default="", allow_blank=True, help_text="never shown again"
    )
    smtp_tls = serializers.BooleanField(
        default=True, help_text="TLS: implicit on port 465, STARTTLS on any other"
    )
    signature = serializers.CharField(
        max_length=2000, default="", allow_blank=True, help_text="under every reply"
    )


class ApiSettingsInput(StrictInput):
    closed = True

    webhook_url = serializers.URLField(
        max_length=500, help_text="http(s); never a private address (WEBHOOK_ALLOWED_HOSTS)"
    )


class InboxCreateSerializer(InboxHoursInput):
    name = serializers.CharField(max_length=100)
    channel = serializers.ChoiceField(choices=Channel.choices)
    team = ReferenceField(queryset=Team.objects.all(), not_found=TEAM_NOT_FOUND)
    allowed_origins = serializers.ListField(
        child=serializers.URLField(max_length=300), default=list, max_length=50
    )
    greeting = serializers.CharField(max_length=2000, default="", allow_blank=True)
    routing = serializers.ChoiceField(
        choices=RoutingStrategy.choices, default=RoutingStrategy.LEAST_BUSY
    )
    settings = serializers.DictField(default=dict)
    reassign_unanswered_after = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=REASSIGN_UNANSWERED_MIN_SECONDS,
        max_value=REASSIGN_UNANSWERED_MAX_SECONDS,
        help_text="Seconds an assignee has to answer before the conversation goes to another "
        "free operator; null: never.",
    )
    route_to_last_operator = serializers.BooleanField(
        required=False,
        help_text="A returning contact goes first to the operator who served them last.",
    )
    telegram = TelegramSettingsInput(
        required=False, help_text='required with "channel": "telegram"'
    )
    api = ApiSettingsInput(
        required=False,
        help_text='with "channel": "api": where operators\' replies are delivered (optional)',
    )
    email = EmailSettingsInput(required=False, help_text='required with "channel": "email"')

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("channel") == Channel.EMAIL) != ("email" in attrs):
            raise serializers.ValidationError(
                {"email": [_('"email" goes with "channel": "email", and only with it.')]}
            )
        if (attrs.get("channel") == Channel.TELEGRAM) != ("telegram" in attrs):
            raise serializers.ValidationError(
                {"telegram": [_('"telegram" goes with "channel": "telegram", and only with it.')]}
            )
        if "api" in attrs and attrs.get("channel") != Channel.API:
            raise serializers.ValidationError(
                {"api": [_('"api" goes with "channel": "api" only.')]}
            )
        return attrs


class InboxUpdateSerializer(InboxCreateSerializer):
    """Used partially (every field optional); the channel and the keys do not change."""

    closed = True

    channel = None  # type: ignore[assignment]
    telegram = TelegramChangesInput(  # type: ignore[assignment]
        required=False, help_text="a Telegram inbox's settings"
    )
    api = ApiSettingsInput(required=False, help_text="an API inbox's webhook")
    email = EmailSettingsInput(
        required=False, partial=True, help_text="an email inbox's mailbox (any of its fields)"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return attrs


class InboxListView(OperatorApiView):
    pagination_class = ListPagination

    def get_permissions(self) -> Sequence[Any]:
        return [IsAdmin()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(responses=InboxSerializer(many=True))
    def get(self, request: Request) -> Response:
        inboxes = selectors.inbox_list_visible(operator=self.operator)
        serializer_class = (
            InboxAdminSerializer if self.operator.role == "admin" else InboxSerializer
        )
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(inboxes, request, view=self)
        return paginator.get_paginated_response(serializer_class(rows, many=True).data)

    @extend_schema(
        request=InboxCreateSerializer,
        # 400 telegram_token_invalid, telegram_channel_invalid, public_url_required,
        # webhook_url_not_allowed, email_server_unusable; 502 telegram_unreachable
        responses={201: InboxWithSecretsSerializer, 400: ErrorSerializer, 502: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = InboxCreateSerializer(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        telegram = fields.pop("telegram", None)
        api = fields.pop("api", None)
        email = fields.pop("email", None)
        shown_once: dict[str, str] = {}
        if email is not None:
            fields.pop("channel")
            inbox = email_setup.email_inbox_create(
                email=email_setup.EmailSettings(**email), **fields
            )
        elif telegram is not None:
            fields.pop("channel")
            inbox = telegram_setup.telegram_inbox_create(
                telegram=telegram_setup.TelegramSettings(**telegram), **fields
            )
        elif fields["channel"] == Channel.API:
            fields.pop("channel")
            webhook_url = api["webhook_url"] if api is not None else None
            created = api_setup.api_inbox_create(webhook_url=webhook_url, **fields)
            inbox = created.inbox
            shown_once = {"inbox_token": created.inbox_token}
            if created.webhook_secret is not None:
                shown_once["webhook_secret"] = created.webhook_secret
        else:
            inbox = inboxes.inbox_create(**fields)
        data = InboxWithSecretsSerializer(inbox, context=shown_once).data
        return Response(data, status=status.HTTP_201_CREATED)


class InboxDetailView(OperatorApiView):
    """`/api/v1/inboxes/{id}`: read by whoever may see the inbox, changed by admins."""

    def get_permissions(self) -> Sequence[Any]:
        return [IsAdmin()] if self.request.method == "PATCH" else super().get_permissions()

    def _serializer_class(self) -> type[InboxSerializer]:
        return InboxAdminSerializer if self.operator.role == "admin" else InboxSerializer

    @extend_schema(responses=InboxSerializer)
    def get(self, request: Request, inbox_id: int) -> Response:
        inbox = selectors.inbox_list_visible(operator=self.operator).filter(pk=inbox_id).first()
        if inbox is None:
            raise ApiError("not_found", _("Inbox not found."), 404)
        return Response(self._serializer_class()(inbox).data)

    @extend_schema(
        request=InboxUpdateSerializer,
        # 400 telegram_channel_invalid, webhook_url_not_allowed, email_server_unusable;
        # 502 telegram_unreachable
        responses={200: InboxWithSecretsSerializer, 400: ErrorSerializer, 502: ErrorSerializer},
    )
    def patch(self, request: Request, inbox_id: int) -> Response:
        inbox = Inbox.objects.filter(pk=inbox_id).first()
        if inbox is None:
            raise ApiError("not_found", _("Inbox not found."), 404)
        data = strict_data(request)
        serializer = InboxUpdateSerializer(data=data, partial=True)
        unknown = sorted(set(data) - set(serializer.fields))
        if unknown:
            raise ApiError(
                "invalid", _("This field cannot be changed: %(field)s") % {"field": unknown[0]}
            )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        shown_once: dict[str, str] = {}
        telegram = changes.pop("telegram", None)
        if telegram is not None:
            if inbox.channel != Channel.TELEGRAM:
                raise ApiError("invalid", _('"telegram" goes with a Telegram inbox only.'))
            telegram_setup.telegram_settings_update(inbox=inbox, changes=telegram)
        email = changes.pop("email", None)
        if email is not None:
            if inbox.channel != Channel.EMAIL:
                raise ApiError("invalid", _('"email" goes with an email inbox only.'))
            email_setup.email_settings_update(inbox=inbox, changes=email)
        api = changes.pop("api", None)
        if api is not None:
            if inbox.channel != Channel.API:
                raise ApiError("invalid", _('"api" goes with an API inbox only.'))
            secret = api_setup.api_webhook_url_set(inbox=inbox, webhook_url=api["webhook_url"])
            if secret is not None:
                shown_once["webhook_secret"] = secret
        inbox = inboxes.inbox_update(inbox=inbox, changes=changes)
        inbox = Inbox.objects.select_related("telegram_bot", "api_webhook", "email_account").get(
            pk=inbox.pk
        )
        return Response(InboxWithSecretsSerializer(inbox, context=shown_once).data)


# --- conversations ----------------------------------------------------------------------------


def _optional_int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()):  # "²" is a digit to isdigit(), not to int()
        raise ApiError("invalid", _("%(name)s must be an integer.") % {"name": name})
    return int(raw)


class ConversationListView(OperatorApiView):
    pagination_class = ActivityPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ConversationStatus.values),
            OpenApiParameter(
                "assignee",
                {"type": "string", "pattern": r"^(me|none|[0-9]+)$"},
                description="`me`, `none` or an operator id",
            ),
            OpenApiParameter("team", {"type": "integer", "minimum": 0}),
            OpenApiParameter("inbox", {"type": "integer", "minimum": 0}),
            OpenApiParameter("label", {"type": "string", "pattern": NO_NUL_PATTERN}),
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_SEARCH_CHARS, "pattern": NO_NUL_PATTERN},
                description="full-text search",
            ),
        ],
        responses=ConversationSerializer(many=True),
        operation_id="v1_conversations_list",
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        status_filter = params.get("status") or None
        if status_filter is not None and status_filter not in ConversationStatus.values:
            raise ApiError("invalid", _("status is one of open, pending, resolved."))
        assignee = params.get("assignee") or None
        if (
            assignee is not None
            and assignee not in ("me", "none")
            and not (assignee.isascii() and assignee.isdigit())
        ):
            raise ApiError("invalid", _("assignee is me, none or an operator id."))
        q = search_text(request)
        label = params.get("label") or None
        if "\x00" in (label or ""):  # PostgreSQL refuses NUL in text
            raise ApiError("invalid", _("A filter contains a NUL character."))
        queryset = selectors.conversation_list(
            operator=self.operator,
            status=status_filter,
            assignee=assignee,
            team=_optional_int(request, "team"),
            inbox=_optional_int(request, "inbox"),
            label=label,
            q=q,
        )
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response([conversation_data(row) for row in rows])


class ListCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(
        help_text="conversations with a message from the contact that no operator has read"
    )
    open = serializers.IntegerField(help_text="conversations with the status `open`")
    pending = serializers.IntegerField(help_text="conversations with the status `pending`")


class TeamCountSerializer(ListCountSerializer):
    id = serializers.IntegerField(help_text="the team")


class LabelCountSerializer(ListCountSerializer):
    name = serializers.CharField(help_text="the label")


class ResolvedCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class ConversationCountsSerializer(serializers.Serializer):
    mine = ListCountSerializer()
    unassigned = ListCountSerializer()
    all = ListCountSerializer()
    resolved = ResolvedCountSerializer()
    teams = TeamCountSerializer(many=True)
    labels = LabelCountSerializer(many=True)


class ConversationCountsView(OperatorApiView):
    @extend_schema(responses=ConversationCountsSerializer, operation_id="v1_conversations_counts")
    def get(self, request: Request) -> Response:
        """The console's unread counters: for each list the caller sees, how many of its
        conversations are unread (a message from the contact came after what the operators have
        read), open and pending. Every list but `resolved` counts the conversations that are not
        resolved; `teams` lists the teams and `labels` the labels that have such conversations
        the caller may see (one not listed counts 0). The visibility rule is that of
        `GET /conversations`. Query parameters are ignored."""
        return Response(selectors.conversation_counts(operator=self.operator))


class ConversationDetailView(OperatorApiView):
    @extend_schema(responses=ConversationSerializer)
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = conversations.operator_may_use(
            operator=self.operator, conversation_id=conversation_id
        )
        return Response(ConversationSerializer(conversation).data)


class MessageCreateSerializer(StrictInput):
    body_required = True  # every field is optional, but a body (text or files) is not

    body = MessageBodyField(required=False, default=None)
    client_id = ClientIdField(required=False, allow_null=True, default=None)
    private = serializers.BooleanField(default=False)
    attachments = AttachmentIdsField(required=False, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return require_body_or_files(attrs)


class MessageCreateSchema(OpenApiSerializerExtension):
    target_class = MessageCreateSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return body_or_files_schema(auto_schema._map_basic_serializer(self.target, direction))


class ConversationMessagesView(OperatorApiView):
    throttle_classes = [OperatorApiThrottle, OperatorMessageThrottle]
    pagination_class = SeqPagination

    @extend_schema(responses=MessageSerializer(many=True))
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = conversations.operator_may_use(
            operator=self.operator, conversation_id=conversation_id
        )
        return self.pagination_class().messages_response(
            request, conversation_id=conversation.pk, include_private=True
        )

    @extend_schema(
        request=MessageCreateSerializer,
        # 404 attachment_not_found: a file that is not the sender's upload; 409 attachment_in_use;
        # 409 over_capacity: a reply takes an unassigned conversation, within the agent's capacity
        responses={
            201: MessageSerializer,
            200: MessageSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = conversations.operator_may_use(
            operator=self.operator, conversation_id=conversation_id
        )
        serializer = MessageCreateSerializer(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        message, created = assigning.operator_message_send(
            operator=self.operator,
            conversation=conversation,
            body=serializer.validated_data["body"],
            client_id=serializer.validated_data["client_id"],
            private=serializer.validated_data["private"],
            attachment_ids=serializer.validated_data["attachments"],
        )
        return Response(message_data(message), status=201 if created else 200)


class AssignSerializer(StrictInput):
    """Exactly one of `operator` and `team` (see `AssignSchema`)."""

    body_required = True

    operator = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, allow_null=True)
    note = MessageBodyField(required=False, allow_null=True, help_text="a private handoff note")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("operator") is None) == (attrs.get("team") is None):
            raise serializers.ValidationError(_("Give either an operator or a team."))
        return attrs


class AssignSchema(OpenApiSerializerExtension):
    target_class = AssignSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_basic_serializer(self.target, direction)
        schema["oneOf"] = [
            {"required": [name], "properties": {name: {"type": "integer"}}}
            for name in ("operator", "team")
        ]
        return schema


class ConversationAssignView(OperatorApiView):
    @extend_schema(
        request=AssignSerializer,
        responses={200: ConversationSerializer, 409: ErrorSerializer},  # over_capacity
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = conversations.operator_may_use(
            operator=self.operator, conversation_id=conversation_id
        )
        serializer = AssignSerializer(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        note = data.get("note")
        if note is not None:
            note = clean_body(note)  # the whole body is checked before the names in it
        operator = team = None
        if data.get("operator") is not None:
            operator = Operator.objects.filter(pk=data["operator"]).first()
            if operator is None:
                raise ApiError("operator_not_found", _("Operator not found."), 404)
        if data.get("team") is not None:
            team = Team.objects.filter(pk=data["team"]).first()
            if team is None:
                raise ApiError("team_not_found", _("Team not found."), 404)
        conversation = assigning.conversation_assign(
            conversation=conversation,
            actor=self.operator,
            operator=operator,
            team=team,
            note=note,
        )
        return Response(ConversationSerializer(conversation).data)


class ConversationStatusInput(StrictInput):
    status = serializers.ChoiceField(choices=ConversationStatus.choices)
    outcome = serializers.ChoiceField(
        choices=Outcome.choices,
        required=False,
        help_text="with `resolved` only: how the conversation ended",
    )
    sale_amount = serializers.RegexField(
        SALE_AMOUNT_PATTERN,
        max_length=16,
        required=False,
        help_text="with the outcome `sale` only: a decimal string, 0 or more, two decimals at "
        "most, in the account's currency",
    )
    labels = serializers.ListField(
        child=serializers.RegexField(
            TEXT_PATTERN, max_length=conversations.MAX_LABEL_CHARS, trim_whitespace=False
        ),
        max_length=conversations.MAX_LABELS,
        required=False,
        help_text="extension: the conversation's whole set of labels afterwards, set in the "
        "same step (as `POST .../labels`)",
    )


class ConversationStatusView(OperatorApiView):
    @extend_schema(request=ConversationStatusInput, responses=ConversationSerializer)
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = conversations.operator_may_use(
            operator=self.operator, conversation_id=conversation_id
        )
        serializer = ConversationStatusInput(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        resolution = None
        if "outcome" in data or "sale_amount" in data:
            amount = data.get("sale_amount")
            resolution = conversations.Resolution(
                outcome=data.get("outcome", ""),
                sale_amount=Decimal(amount) if amount is not None else None,
            )
        conversation = conversations.conversation_status_set(
            conversation=conversation,
            actor=self.operator,
            status=data["status"],
            resolution=resolution,
            labels=data.get("labels"),
        )
        return Response(ConversationSerializer(conversation).data)


class LabelsSerializer(StrictInput):
    labels = serializers.ListField(
        child=serializers.RegexField(
            TEXT_PATTERN, max_length=conversations.MAX_LABEL_CHARS, trim_whitespace=False
        ),
        max_length=conversations.MAX_LABELS,
        help_text="the whole set afterwards; each label is trimmed, duplicates count once",
    )


class ConversationLabelsView(OperatorApiView):
    @extend_schema(request=LabelsSerializer, responses=ConversationSerializer)
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = conversations.operator_may_use(
            operator=self.operator, conversation_id=conversation_id
        )
        serializer = LabelsSerializer(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        conversation = conversations.conversation_labels_set(
            conversation=conversation, labels=serializer.validated_data["labels"]
        )
        return Response(ConversationSerializer(conversation).data)


class PrioritySerializer(StrictInput):
    priority = serializers.ChoiceField(choices=Priority.choices)


class ConversationPriorityView(OperatorApiView):
    @extend_schema(request=PrioritySerializer, responses=ConversationSerializer)
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = conversations.operator_may_use(
            operator=self.operator, conversation_id=conversation_id
        )
        serializer = PrioritySerializer(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        conversation = conversations.conversation_priority_set(
            conversation=conversation, priority=serializer.validated_data["priority"]
        )
        return Response(ConversationSerializer(conversation).data)


# --- contacts ---------------------------------------------------------------------------------


class ContactUpdateSerializer(StrictInput):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    vip = serializers.BooleanField(required=False)
    account_manager = ReferenceField(
        queryset=Operator.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        not_found=OPERATOR_NOT_FOUND,
    )
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class ContactView(OperatorApiView):
    """A contact the caller may see, rendered with the conversations the caller may see."""

    def _contact(self, request: Request, contact_id: int) -> Any:
        contact = selectors.contact_get_visible(operator=self.operator, contact_id=contact_id)
        if contact is None:
            raise ApiError("not_found", _("Contact not found."), 404)
        return contact

    def _render(self, contact: Any) -> Response:
        conversations = selectors.contact_conversations(operator=self.operator, contact=contact)[
            :50
        ]
        context: dict[str, Any] = {"conversations": conversations}
        if self.operator.sees_everything:  # who may merge: agents would meet other teams' people
            context["merge_suggestions"] = selectors.contact_merge_suggestions(contact=contact)
        return Response(ContactSerializer(contact, context=context).data)


class ContactDetailView(ContactView):
    @extend_schema(responses=ContactSerializer)
    def get(self, request: Request, contact_id: int) -> Response:
        return self._render(self._contact(request, contact_id))

    @extend_schema(request=ContactUpdateSerializer, responses=ContactSerializer)
    def patch(self, request: Request, contact_id: int) -> Response:
        contact = self._contact(request, contact_id)
        serializer = ContactUpdateSerializer(data=strict_data(request), partial=True)
        serializer.is_valid(raise_exception=True)
        contact = contacts.contact_update(
            contact=contact, changes=dict(serializer.validated_data), actor=self.operator
        )
        return self._render(contact)


class ContactMergeInput(StrictInput):
    other = serializers.IntegerField(help_text="the contact merged into this one, then deleted")


class ContactMergeView(ContactView):
    permission_classes = [IsSupervisorOrAdmin]

    @extend_schema(
        request=ContactMergeInput,
        # 404 not_found: either contact; 409 same_contact
        responses={200: ContactSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, contact_id: int) -> Response:
        serializer = ContactMergeInput(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        contact = self._contact(request, contact_id)
        other = self._contact(request, serializer.validated_data["other"])
        return self._render(contacts.contact_merge(contact=contact, other=other))


class ContactPagination(KeysetPagination):
    keys = ("-id",)
    default_limit = 25
    max_limit = 100


class ContactListView(OperatorApiView):
    pagination_class = ContactPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_SEARCH_CHARS, "pattern": NO_NUL_PATTERN},
                description="in the name, email or phone",
            ),
        ],
        responses=ContactSerializer(many=True),
        operation_id="v1_contacts_list",
    )
    def get(self, request: Request) -> Response:
        """The contacts the caller may see, newest first; `conversations` is always `[]` here
        (the contact's own page lists them)."""
        queryset = selectors.contact_search(operator=self.operator, q=search_text(request))
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ContactSerializer(rows, many=True).data)


# --- labels -----------------------------------------------------------------------------------


class LabelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LabelPagination(KeysetPagination):
    keys = ("name", "id")
    default_limit = 500
    max_limit = 1000


class LabelListView(OperatorApiView):
    pagination_class = LabelPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_SEARCH_CHARS, "pattern": NO_NUL_PATTERN},
                description="in the name",
            ),
        ],
        responses=LabelSerializer(many=True),
        operation_id="v1_labels_list",
    )
    def get(self, request: Request) -> Response:
        """The labels of the conversations the caller may see and those on no conversation
        (supervisors and admins: every label), by name."""
        queryset = selectors.label_list(operator=self.operator, q=search_text(request))
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(LabelSerializer(rows, many=True).data)
