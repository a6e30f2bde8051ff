"""ASGI middleware that refuses websocket frames over the contract's 64 KiB with close 1009."""

from __future__ import annotations

from typing import Any

from django.conf import settings

Scope = dict[str, Any]
Message = dict[str, Any]


class FrameSizeLimit:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        limit = settings.WS_MAX_FRAME_BYTES
        closed = False

        async def guarded_receive() -> Message:
            nonlocal closed
            if closed:
                return {"type": "websocket.disconnect", "code": 1009}
            message: Message = await receive()
            if message["type"] == "websocket.receive":
                text = message.get("text")
                size = len(text.encode()) if text is not None else len(message.get("bytes") or b"")
                if size > limit:
                    closed = True
                    await send({"type": "websocket.close", "code": 1009})
                    return {"type": "websocket.disconnect", "code": 1009}
            return message

        async def guarded_send(message: Message) -> None:
            if closed:
                return
            await send(message)

        return await self.app(scope, guarded_receive, guarded_send)
