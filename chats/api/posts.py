"""`/api/v1/inboxes/{id}/posts`: posts for a Telegram inbox's channel (contract section 4,
"Channel posts"), for whoever may see the inbox."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from chats import selectors
from chats.api.attachments import attachment_data
from chats.api.pagination import KeysetPagination
from chats.connectors.telegram import posts, requests
from chats.models import Inbox, TelegramBot, TelegramPost, TelegramPostState
from chats.serializers import AttachmentSerializer, iso_or_none
from helpdesk.errors import NotFound, ServiceError
from helpdesk.openapi import ErrorSerializer
from helpdesk.strict_input import StrictInput
from operators.api.views import OperatorApiView, strict_data


class PostButtonSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=posts.BUTTON_TEXT_MAX)
    url = serializers.CharField(max_length=2000, help_text="http(s):// or tg://")


class PostAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    inbox = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True, help_text="Telegram's HTML formatting")
    photo = serializers.SerializerMethodField()
    buttons = PostButtonSerializer(many=True)
    publish_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=TelegramPostState.choices)
    error = serializers.CharField(allow_null=True, help_text="why it failed")
    published_at = serializers.DateTimeField(allow_null=True)
    telegram_message_id = serializers.IntegerField(allow_null=True)
    author = PostAuthorSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(AttachmentSerializer(allow_null=True))
    def get_photo(self, post: dict[str, Any]) -> dict[str, Any] | None:
        return post["photo"]


def post_data(post: TelegramPost) -> dict[str, Any]:
    author = post.author
    return {
        "id": post.pk,
        "inbox": post.bot.inbox_id,
        "text": post.text,
        "photo": attachment_data(post.photo) if post.photo is not None else None,
        "buttons": post.buttons,
        "publish_at": iso_or_none(post.publish_at),
        "state": post.state,
        "error": post.error or None,
        "published_at": iso_or_none(post.published_at),
        "telegram_message_id": post.telegram_id,
        "author": {"id": author.pk, "name": author.display_name} if author else None,
        "created_at": iso_or_none(post.created_at),
        "updated_at": iso_or_none(post.updated_at),
    }


class PostInput(StrictInput):
    closed = True

    text = serializers.CharField(
        allow_blank=True, max_length=20_000, help_text="Telegram's HTML formatting"
    )
    photo = serializers.IntegerField(
        required=False, allow_null=True, help_text="an image uploaded with POST /attachments"
    )
    buttons = serializers.ListField(
        child=PostButtonSerializer(), required=False, max_length=posts.BUTTONS_MAX
    )
    publish_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="null: a draft; now or later: scheduled, published by beat at that moment",
    )


class PostPagination(KeysetPagination):
    keys = ("-id",)


def _bot(view: OperatorApiView, inbox_id: int) -> TelegramBot:
    inbox: Inbox | None = (
        selectors.inbox_list_visible(operator=view.operator).filter(pk=inbox_id).first()
    )
    if inbox is None:
        raise NotFound("not_found", _("Inbox not found."))
    return posts.bot_with_channel(inbox.pk)


def _post(view: OperatorApiView, inbox_id: int, post_id: int) -> TelegramPost:
    bot = _bot(view, inbox_id)
    post = (
        TelegramPost.objects.select_related("bot", "photo", "author")
        .filter(pk=post_id, bot=bot)
        .first()
    )
    if post is None:
        raise NotFound("not_found", _("Post not found."))
    return post


def _schedule(post: TelegramPost) -> None:
    if post.state == TelegramPostState.SCHEDULED and post.publish_at is not None:
        requests.request_publication(post.pk, post.publish_at)


class PostListView(OperatorApiView):
    pagination_class = PostPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("state", {"type": "string", "enum": TelegramPostState.values})
        ],
        responses={200: PostSerializer(many=True), 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def get(self, request: Request, inbox_id: int) -> Response:
        bot = _bot(self, inbox_id)
        rows = TelegramPost.objects.select_related("bot", "photo", "author").filter(bot=bot)
        state = request.query_params.get("state")
        if state is not None:
            if state not in TelegramPostState.values:
                raise ServiceError("invalid_state", _("Unknown state."))
            rows = rows.filter(state=state)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([post_data(post) for post in page])

    @extend_schema(
        request=PostInput,
        # 409 no_channel: the inbox names no channel (or is not a Telegram inbox)
        responses={
            201: PostSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, inbox_id: int) -> Response:
        bot = _bot(self, inbox_id)
        serializer = PostInput(data=strict_data(request))
        serializer.is_valid(raise_exception=True)
        post = posts.post_create(bot=bot, actor=self.operator, **serializer.validated_data)
        _schedule(post)
        post.refresh_from_db()
        return Response(post_data(post), status=201)


class PostDetailView(OperatorApiView):
    @extend_schema(responses={200: PostSerializer, 404: ErrorSerializer, 409: ErrorSerializer})
    def get(self, request: Request, inbox_id: int, post_id: int) -> Response:
        return Response(post_data(_post(self, inbox_id, post_id)))

    @extend_schema(
        request=PostInput(partial=True),
        # 409 post_publishing, post_published (only text and buttons change then); 502
        # telegram_unreachable
        responses={
            200: PostSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            502: ErrorSerializer,
        },
    )
    def patch(self, request: Request, inbox_id: int, post_id: int) -> Response:
        post = _post(self, inbox_id, post_id)
        serializer = PostInput(data=strict_data(request), partial=True)
        serializer.is_valid(raise_exception=True)
        changed = posts.post_update(
            post=post, actor=self.operator, changes=dict(serializer.validated_data)
        )
        _schedule(changed)
        return Response(post_data(_post(self, inbox_id, post_id)))

    @extend_schema(
        responses={204: None, 404: ErrorSerializer, 409: ErrorSerializer, 502: ErrorSerializer}
    )
    def delete(self, request: Request, inbox_id: int, post_id: int) -> Response:
        posts.post_delete(post=_post(self, inbox_id, post_id))
        return Response(status=204)
