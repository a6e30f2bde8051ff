"""One Chromium for the whole session: Playwright's sync API allows one instance per thread."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS
from tests.live_server import live_server_url  # noqa: F401 - the fixture


@pytest.fixture(scope="session")
def shared_chromium(live_server_url: str) -> Iterator[Any]:  # noqa: F811
    """Started after the live server: the server must not inherit the variable below."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    # Playwright's sync API keeps an event loop running in this thread, which Django's ORM
    # (the tests' own setup and the database flush between tests) takes for async code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
