"""Every way the product is started runs uvicorn with `--ws-max-size 65536`: without it uvicorn
buffers websocket frames of up to 16 MiB before the product's 64 KiB limit can refuse them.
(tests/test_limits_live.py shows what the flag does on a real server.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAUNCHERS = [
    "README.md",
    "scripts/run.sh",  # make run
    "scripts/section0_check.sh",
    "Dockerfile",
    "docker-compose.yml",
    "docs/operations.md",
    "bench/stack.py",  # the benchmarks' and the e2e tests' servers
    "bench/run.py",
    "bench/console_volume.py",
    "tests/live_server.py",  # the browser and live tests' server
]

# A command that starts uvicorn: `uvicorn helpdesk...` in shell, `"uvicorn"` in an argv list.
STARTS_UVICORN = re.compile(r'(^|[\s\[(])"?uvicorn"?([,)]|\s+helpdesk\.asgi)')
WINDOW = 12  # lines: an argv list spread one item a line


def uvicorn_commands(text: str) -> list[str]:
    lines = text.splitlines()
    return [
        "\n".join(lines[number : number + WINDOW])
        for number, line in enumerate(lines)
        if STARTS_UVICORN.search(line) and "pip" not in line
    ]


@pytest.mark.parametrize("path", LAUNCHERS)
def test_every_way_the_product_starts_caps_websocket_frames_at_64_kib(path):
    commands = uvicorn_commands((ROOT / path).read_text())

    assert commands, f"{path} no longer starts uvicorn: update this list"
    for command in commands:
        assert re.search(r'--ws-max-size"?,?\s*"?65536', command), command
