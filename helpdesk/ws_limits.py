"""Websocket limits: frames over the contract's 64 KiB are refused with close 1009 (ASGI
middleware), and the sockets one visitor holds in a server process are counted, up to a cap."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from helpdesk.loop_local import LoopLocal

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


class SocketCount:
    """The sockets each key (a visitor) holds open in this server process."""

    def __init__(self) -> None:
        self.holders: dict[str, set[object]] = {}

    def take(self, key: str, holder: object, cap: int) -> bool:
        """Count `holder` under `key`, unless `key` already holds `cap` others."""
        holders = self.holders.setdefault(key, set())
        if holder not in holders and len(holders) >= cap:
            return False
        holders.add(holder)
        return True

    def release(self, key: str, holder: object) -> None:
        holders = self.holders.get(key, set())
        holders.discard(holder)
        if not holders:
            self.holders.pop(key, None)


_visitor_sockets = LoopLocal(SocketCount)


def visitor_sockets() -> SocketCount:
    """This process's count of widget sockets per visitor (one event loop per process)."""
    return _visitor_sockets.get()
