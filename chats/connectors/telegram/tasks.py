"""The Telegram connector's background work. Tasks take ids and are safe to run twice."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery import shared_task
from celery.app.task import Task
from django.utils import timezone

from chats.connectors.telegram import inbound, media, moderation, outbound, posts, ratings
from chats.models import Delivery, Message, TelegramChat, TelegramUpdate

logger = logging.getLogger(__name__)

# Back-off of a reply that failed for a reason worth trying again: 2, 4, 8, ... seconds, at
# most 5 minutes apart, for about half an hour; then the reply is marked failed.
DELIVERY_RETRIES = 10


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=5)
def process_update(self: Task, update_pk: int) -> None:
    """Turn a stored update into conversations and messages."""
    try:
        inbound.update_process(update_pk=update_pk)
    except inbound.OriginalNotYetStored as early:
        raise self.retry(countdown=2, exc=early) from early


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=DELIVERY_RETRIES)
def deliver(self: Task, conversation_id: int) -> None:
    """Send the conversation's pending replies, one per run, at Telegram's pace."""
    try:
        again = outbound.deliver_next(conversation_id)
    except outbound.TransientFailure as failure:
        if self.request.retries >= DELIVERY_RETRIES:
            outbound.fail_oldest_pending(conversation_id, str(failure))
            _again(self, conversation_id, 1.0)
            return
        countdown = min(300, 2 ** (self.request.retries + 1))
        raise self.retry(countdown=countdown, exc=failure) from failure
    if again is not None:
        _again(self, conversation_id, again)


# Eagerly (the embedded default: no broker, no beat), the next send waits in the caller for at
# most this long; a longer wait (Telegram's retry_after) is left to a later reply or restart.
EAGER_WAIT_MAX = 5.0


def _again(task: Task, conversation_id: int, countdown: float) -> None:
    if not task.request.is_eager:
        deliver.apply_async((conversation_id,), countdown=countdown)
        return
    if countdown > EAGER_WAIT_MAX:
        logger.warning("Telegram delivery of %s waits: no worker to come back", conversation_id)
        return
    time.sleep(countdown)
    deliver.apply((conversation_id,))


@shared_task(acks_late=True, ignore_result=True)
def fetch_avatar(chat_pk: int) -> None:
    """A new Telegram contact's profile photo becomes their avatar (once; a failure leaves
    them without one)."""
    chat = TelegramChat.objects.select_related("bot", "contact").filter(pk=chat_pk).first()
    if chat is None or chat.contact.avatar_id is not None:
        return
    try:
        media.avatar_fetch(chat)
    except Exception:
        logger.info("no avatar for Telegram chat %s", chat_pk, exc_info=True)


@shared_task(acks_late=True, ignore_result=True)
def ask_rating(conversation_id: int) -> None:
    """After a resolve: the bot asks the contact to rate the conversation."""
    ratings.rating_ask(conversation_id=conversation_id)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=8)
def hide(self: Task, message_id: int) -> None:
    """Delete a hidden message from its group in Telegram."""
    try:
        moderation.delete_in_telegram(message_id=message_id)
    except moderation.TransientFailure as failure:
        countdown = min(300, 2 ** (self.request.retries + 1))
        raise self.retry(countdown=countdown, exc=failure) from failure


@shared_task(acks_late=True, ignore_result=True)
def sweep() -> None:
    """Beat, every minute: updates stored but not processed (the broker was away when they
    came, or their task was lost), and conversations with replies still pending."""
    stale = timezone.now() - timedelta(minutes=1)
    for update_pk in TelegramUpdate.objects.filter(
        processed_at__isnull=True, received_at__lt=stale
    ).values_list("pk", flat=True)[:500]:
        process_update.delay(update_pk)
    pending = (
        Message.objects.filter(
            delivery=Delivery.PENDING,
            created_at__lt=stale,
            conversation__telegram_chat__isnull=False,
        )
        .values_list("conversation_id", flat=True)
        .distinct()[:500]
    )
    for conversation_id in pending:
        deliver.delay(conversation_id)


@shared_task(acks_late=True, ignore_result=True)
def publish_post(post_id: int) -> None:
    """Publish a due post, if this run is the one that claims it."""
    if not posts.post_claim(post_id=post_id):
        return
    try:
        posts.post_publish(post_id=post_id)
    except posts.PublishLater as later:
        publish_post.apply_async((post_id,), countdown=later.seconds)


@shared_task(acks_late=True, ignore_result=True)
def publish_due_posts() -> None:
    """Beat, every 10 seconds: posts a dead worker left behind are recovered, due posts
    are published (two beats by mistake publish nothing twice: each post is claimed once)."""
    posts.posts_recover()
    for post_id in posts.posts_due():
        publish_post.delay(post_id)
