"""ASGI entry point: `uvicorn helpdesk.asgi:application` serves pages, static files, REST and
websockets from one process."""

import gc
import os

from django.core.asgi import get_asgi_application

from helpdesk import web_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
web_process.SERVING = True  # before the settings load: a pool of database connections
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chats.routing import websocket_urlpatterns  # noqa: E402
from helpdesk.body_limit import BodySizeLimit  # noqa: E402
from helpdesk.ws_limits import FrameSizeLimit  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodySizeLimit(django_asgi_app),
        "websocket": FrameSizeLimit(URLRouter(websocket_urlpatterns)),
    }
)

# Everything imported so far (Django, the apps, their modules and classes) lives as long as the
# process: out of the collector's sight, a full collection, which stops the whole process while
# it walks every tracked object, has that much less to walk (docs/benchmarks.md).
gc.freeze()
