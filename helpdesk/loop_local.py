"""One object per running event loop.

An asyncio client (a Redis or PostgreSQL connection, a writer whose futures belong to a loop)
may only be used on the loop that made it. Weak keys: a closed loop's object goes with it, and
a new loop (each test has one) never gets a dead one.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LoopLocal(Generic[T]):
    def __init__(self, factory: Callable[[], T]) -> None:
        self.factory = factory
        self.objects: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = (
            weakref.WeakKeyDictionary()
        )

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        found = self.objects.get(loop)
        if found is None:
            found = self.objects[loop] = self.factory()
        return found

    def pop(self) -> T | None:
        """This loop's object, forgotten (to release it before the loop closes)."""
        return self.objects.pop(asyncio.get_running_loop(), None)
