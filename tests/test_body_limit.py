"""The body limit of the ASGI application (helpdesk/body_limit.py), in ASGI terms: what the
product behind it sees of a body over 1 MiB (nothing past the limit), and what the client gets."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from helpdesk.body_limit import FORM_OVERHEAD_BYTES, BodySizeLimit

LIMIT = 1024 * 1024
CHUNK = 256 * 1024


class Product:
    """Stands for Django's handler: reads the whole body, then answers 200."""

    def __init__(self) -> None:
        self.called = False
        self.read = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.called = True
        while True:
            message = await receive()
            self.read += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def http_scope(*headers: tuple[bytes, bytes]) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/conversations",
        "headers": list(headers),
    }


async def serve(scope: dict[str, Any], chunks: int) -> tuple[Product, list[dict[str, Any]], int]:
    """Runs the guarded product on a body of `chunks` chunks; answers the product, what was sent
    back, and how many chunks the client had to hand over."""
    product = Product()
    sent: list[dict[str, Any]] = []
    handed = 0

    async def receive() -> dict[str, Any]:
        nonlocal handed
        handed += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": handed < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await BodySizeLimit(product)(scope, receive, send)
    return product, sent, handed


def answered(sent: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    return sent[0]["status"], json.loads(sent[1]["body"])


async def test_a_declared_length_over_1_mib_never_reaches_the_product():
    scope = http_scope((b"content-length", str(20 * 1024**3).encode()))

    product, sent, handed = await serve(scope, chunks=80_000)

    assert not product.called
    assert handed == 0
    status, body = answered(sent)
    assert status == 413
    assert body["error"]["code"] == "too_large"
    assert (b"connection", b"close") in sent[0]["headers"]


async def test_a_chunked_body_is_cut_off_at_the_chunk_that_crosses_1_mib():
    product, sent, handed = await serve(http_scope(), chunks=80_000)

    assert handed == LIMIT // CHUNK + 1  # nothing read after the chunk that crossed the limit
    assert product.read == LIMIT  # the product never got that chunk
    assert answered(sent)[0] == 413


async def test_a_body_of_exactly_1_mib_is_served():
    product, sent, _handed = await serve(http_scope(), chunks=LIMIT // CHUNK)

    assert product.read == LIMIT
    assert sent[0]["status"] == 200


async def test_an_upload_may_be_as_large_as_a_file_and_no_larger():
    limit = settings.ATTACHMENT_MAX_BYTES + FORM_OVERHEAD_BYTES
    upload = {**http_scope(), "path": "/api/widget/v1/attachments"}

    product, sent, _handed = await serve(upload, chunks=limit // CHUNK)
    assert (product.read, sent[0]["status"]) == (limit // CHUNK * CHUNK, 200)

    too_large = {
        **upload,
        "headers": [
            (b"content-length", str(limit + 1).encode()),
            (b"origin", b"https://shop.example"),
        ],
    }
    product, sent, handed = await serve(too_large, chunks=100)
    assert (product.called, handed) == (False, 0)
    status, body = answered(sent)
    assert (status, body["error"]["code"]) == (413, "attachment_too_large")
    # the widget, on the customer's site, may read why
    assert (b"access-control-allow-origin", b"https://shop.example") in sent[0]["headers"]
    assert body["error"]["message"] == "The file is larger than 10 MiB."
