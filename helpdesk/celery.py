"""The Celery app. Without REDIS_URL tasks run eagerly in the calling process."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["chats.assignment"])  # routing's tasks, in its own package
app.autodiscover_tasks(
    ["chats.connectors.telegram", "chats.connectors.email", "chats.connectors.webhooks"]
)

# Celery's Django fixup closes every database connection before and after each task unless it
# may reuse them (this old-style key is the only one it reads): that was a new PostgreSQL
# connection, a forked server process, per routing task. Tasks keep their connections the way
# requests do instead (below), by CONN_MAX_AGE and the health checks.
app.conf.update(CELERY_DB_REUSE_MAX=2**62)


@task_prerun.connect
@task_postrun.connect
def close_broken_or_expired_connections(sender: Any = None, **kwargs: Any) -> None:
    # An eager task runs inside its caller's transaction, which must stay open.
    if sender is not None and not getattr(sender.request, "is_eager", False):
        from django.db import close_old_connections

        close_old_connections()
