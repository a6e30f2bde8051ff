"""Whether this process serves HTTP and websockets.

`helpdesk.asgi` sets `SERVING` before Django's settings load, and the settings then give web
processes a pool of database connections (`DB_POOL_MAX`): under ASGI every HTTP request runs
its sync code on a thread of its own, so without a pool each request would open, and close, a
PostgreSQL connection of its own (a server process forked per request). A flag in a module,
not in the environment, so that processes the web process starts (none in production; the
test suite's servers and workers) do not inherit it: Celery's prefork children must not share
a pool made before the fork.
"""

SERVING = False
