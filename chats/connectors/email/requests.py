"""The rest of the code asks the email connector for work here: each request enqueues a task
and returns. A request lost (the broker away) loses nothing: beat's `tasks.poll_all` reads
every mailbox and resends pending replies."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from kombu.exceptions import OperationalError as BrokerUnreachable

from chats.connectors.email import tasks

logger = logging.getLogger(__name__)


def _ask(what: str, enqueue: Callable[[], object]) -> None:
    try:
        enqueue()
    except BrokerUnreachable:
        logger.warning("%s waits for beat: the broker is unreachable", what)
    except Exception:
        logger.exception("%s failed", what)


def request_delivery(conversation_id: int) -> None:
    _ask(f"email delivery of {conversation_id}", lambda: tasks.deliver.delay(conversation_id))


def request_poll(account_id: int) -> None:
    _ask(f"polling mailbox {account_id}", lambda: tasks.poll.delay(account_id))


def request_continuity(conversation_id: int) -> None:
    """The visitor's unread replies by email, once they have had time to read them."""
    if settings.CELERY_TASK_ALWAYS_EAGER:  # no worker to wait: nothing is emailed at once
        return
    _ask(
        f"emailing replies of {conversation_id}",
        lambda: tasks.email_unread_replies.apply_async(
            (conversation_id,), countdown=settings.EMAIL_CONTINUITY_DELAY
        ),
    )
