"""ASGI entry point: `uvicorn helpdesk.asgi:application` serves pages, static files, REST and
websockets from one process."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chats.routing import websocket_urlpatterns  # noqa: E402
from helpdesk.ws_limits import FrameSizeLimit  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": FrameSizeLimit(URLRouter(websocket_urlpatterns)),
    }
)
