"""The rest of the code asks the Telegram connector for work here: each request enqueues a
task and returns. With the broker unreachable a request is lost, never the fact it follows:
beat's sweep (`tasks.sweep`) finds unprocessed updates and pending replies. In the embedded
default (Celery eager) the task runs here and then, and its failure is logged, never raised
into the request that asked."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from chats.connectors.telegram import tasks

logger = logging.getLogger(__name__)


def _ask(what: str, enqueue: Callable[[], object]) -> None:
    try:
        enqueue()
    except BrokerUnreachable:
        logger.warning("%s waits for the sweep: the broker is unreachable", what)
    except Exception:
        logger.exception("%s failed", what)


def request_update_processing(update_pk: int) -> None:
    _ask(f"Telegram update {update_pk}", lambda: tasks.process_update.delay(update_pk))


def request_delivery(conversation_id: int) -> None:
    _ask(f"Telegram delivery of {conversation_id}", lambda: tasks.deliver.delay(conversation_id))


def request_rating(conversation_id: int) -> None:
    _ask(f"Telegram rating of {conversation_id}", lambda: tasks.ask_rating.delay(conversation_id))


def request_avatar(chat_pk: int) -> None:
    _ask(f"Telegram avatar of chat {chat_pk}", lambda: tasks.fetch_avatar.delay(chat_pk))


def request_hide(message_id: int) -> None:
    _ask(f"Telegram deletion of {message_id}", lambda: tasks.hide.delay(message_id))


# A post due within this many seconds is queued for its moment; later ones wait for beat.
SOON_SECONDS = 60


def request_publication(post_id: int, publish_at: datetime) -> None:
    if publish_at > timezone.now() + timedelta(seconds=SOON_SECONDS):
        return
    _ask(
        f"Telegram post {post_id}",
        lambda: tasks.publish_post.apply_async((post_id,), eta=publish_at),
    )
