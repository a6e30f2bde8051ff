"""Limits that must hold before the work is done, checked against a real uvicorn process started
as the product starts it (tests/live_server.py): a huge body is refused before it is read, and
a huge websocket frame before it is buffered."""

from __future__ import annotations

import base64
import json
import os
import select
import socket
import struct
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from chats.models import Conversation
from chats.services import authors, messages
from operators.models import Operator
from tests.live_server import serving

pytest_plugins = ["tests.live_server"]

LIMIT = 1024 * 1024
WAIT = 10.0  # seconds: generous, the machine is shared


def connect(live_server_url: str) -> socket.socket:
    parts = urlsplit(live_server_url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=WAIT)
    return sock


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one HTTP response; fails if none comes within WAIT."""
    data = b""
    deadline = time.monotonic() + WAIT
    while b"\r\n\r\n" not in data:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            pytest.fail("no answer: the server is waiting for the body")
        assert chunk, "the server closed the connection without an answer"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def request_head(path: str, *extra: str) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        "Accept-Language: ru",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def assert_too_large(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == 413
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["code"] == "too_large"
    assert error["message"] == "Тело запроса больше 1 МиБ."  # in the language asked for


@pytest.mark.parametrize("path", ["/api/v1/conversations", "/api/widget/v1/sessions", "/"])
def test_a_20_gb_content_length_is_refused_before_a_byte_of_the_body_is_sent(live_server_url, path):
    with connect(live_server_url) as sock:
        sock.sendall(request_head(path, "Content-Length: 21474836480"))

        status, headers, body = read_response(sock)

    assert_too_large(status, headers, body)
    assert headers["connection"] == "close"


def test_a_chunked_upload_past_1_mib_is_refused_while_it_streams(live_server_url):
    chunk = b"x" * 65536
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = 0
    with connect(live_server_url) as sock:
        sock.sendall(request_head("/api/v1/conversations", "Transfer-Encoding: chunked"))
        # keep streaming, never ending the body, until the server answers (or 8 MiB went out)
        while sent < 8 * LIMIT:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(framed)
            except OSError:  # the server answered and closed: read its answer
                break
            sent += len(chunk)

        status, headers, body = read_response(sock)

    assert_too_large(status, headers, body)
    assert sent < 8 * LIMIT


def test_a_body_under_the_limit_still_reaches_the_api(live_server_url):
    payload = json.dumps({"body": "x" * 1000}).encode()
    with connect(live_server_url) as sock:
        sock.sendall(request_head("/api/v1/conversations", f"Content-Length: {len(payload)}"))
        sock.sendall(payload)

        status, _headers, body = read_response(sock)

    assert status == 401  # the API read it and asked for credentials: no 413
    assert json.loads(body)["error"]["code"] == "not_authenticated"


# --- websocket frames ---------------------------------------------------------------------------

CLOSE_TOO_BIG = 1009


def open_console_socket(live_server_url: str) -> socket.socket:
    """A raw websocket to the console (accepted before `hello`, so no data is needed)."""
    sock = connect(live_server_url)
    upgrade(sock)
    return sock


def upgrade(sock: socket.socket) -> None:
    """The websocket handshake of the console, on a connected socket."""
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET /ws/console/v1/ HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\n"
            "Origin: http://127.0.0.1\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    data = b""
    while b"\r\n\r\n" not in data:  # the head only: the server's frames may follow at once
        data += sock.recv(1)
    assert data.split(b" ", 2)[1] == b"101", data


def read_close_code(sock: socket.socket) -> int:
    """The code of the server's close frame; fails if none comes within WAIT."""
    sock.settimeout(WAIT)
    data = b""
    try:
        while len(data) < 4:
            chunk = sock.recv(4096)
            assert chunk, "the connection ended without a close frame"
            data += chunk
    except TimeoutError:
        pytest.fail("no close: the server is waiting for the rest of the frame")
    assert data[0] & 0x0F == 0x8, f"not a close frame: {data[:8]!r}"
    return int(struct.unpack("!H", data[2:4])[0])


def test_a_100_kib_websocket_frame_is_refused_by_the_server_before_it_is_buffered(
    live_server_url,
):
    with open_console_socket(live_server_url) as sock:
        # the header of a masked 100 KiB text frame, and then only its first kilobyte
        sock.sendall(bytes([0x81, 0x80 | 127]) + struct.pack("!Q", 100 * 1024) + os.urandom(4))
        sock.sendall(b"\0" * 1024)

        assert read_close_code(sock) == CLOSE_TOO_BIG


# --- a console client that stops reading ---------------------------------------------------------

BACKLOG = 64 * 1024


@pytest.fixture(scope="module")
def small_backlog_server(django_db_setup: None, django_db_blocker: object) -> Iterator[str]:
    """A server of its own whose console sockets may fall 64 KiB behind (not 1 MiB)."""
    with serving({"WS_CONSOLE_BACKLOG_BYTES": str(BACKLOG)}) as url:
        yield url


def send_text(sock: socket.socket, text: str) -> None:
    """One masked text frame, as a client sends it."""
    payload, mask = text.encode(), os.urandom(4)
    assert len(payload) < 126
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)


def read_frames(sock: socket.socket) -> Iterator[tuple[int, bytes]]:
    """The server's frames (opcode, payload) until its close frame (included)."""
    buffer = b""

    def take(count: int) -> bytes:
        nonlocal buffer
        while len(buffer) < count:
            chunk = sock.recv(1 << 20)
            assert chunk, "the connection ended without a close frame"
            buffer += chunk
        taken, buffer = buffer[:count], buffer[count:]
        return taken

    while True:
        first, second = take(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", take(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", take(8))[0]
        opcode, payload = first & 0x0F, take(length)
        yield opcode, payload
        if opcode == 0x8:
            return


def _write_replies(conversation: Conversation, operator: Operator, count: int) -> None:
    for number in range(count):
        messages.message_create(
            conversation_id=conversation.pk,
            author=authors.Author.of_operator(operator),
            body=f"{number} " + "x" * 9_990,
        )


@pytest.mark.django_db(transaction=True)
def test_a_console_client_that_stops_reading_is_closed_1013_once_too_far_behind(
    small_backlog_server, conversation, agent, agent_token
):
    parts = urlsplit(small_backlog_server)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a client that reads little
    sock.settimeout(WAIT)
    sock.connect((parts.hostname, parts.port))
    with sock:
        upgrade(sock)
        send_text(sock, json.dumps({"type": "hello", "token": agent_token}))
        frames = read_frames(sock)
        assert json.loads(next(frames)[1])["type"] == "welcome"

        # the client reads nothing more while 6 MB of frames are published for it
        _write_replies(conversation, agent, 600)
        sock.settimeout(30)
        received = list(frames)

    opcode, payload = received[-1]
    assert (opcode, struct.unpack("!H", payload[:2])[0]) == (0x8, 1013)
    messages = [json.loads(p) for op, p in received if op == 0x1]
    assert 0 < len(messages) < 600  # what waited past the bound was dropped, not buffered
