"""Settings are read once per process: to see what they make of an environment, a test starts
a fresh interpreter with it and reads what the probe prints."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_probe(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -c code *args` from the repository root, with exactly `env`."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
