"""Target 1 of the benchmark judged over several runs: the ratio of one run's p99s swings with
the machine (1.8x to 2.7x at one commit, docs/benchmarks.md), so this runs `bench/run.py` with
the product and the bare echo N times in a row, each run measuring both, and reports each run's
ratio and their median.

    python bench/rounds.py --rounds 5                      # 1,000 visitors, 100 msg/s, 60 s each
    python bench/rounds.py --rounds 3 -- --duration 30     # anything after -- goes to run.py

Each run's own results stay in bench/results/<time>.json; the summary is printed as Markdown.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = ["--visitors", "1000", "--consoles", "100", "--teams", "10", "--rate", "100"]
DEFAULTS += ["--duration", "60", "--procs", "3"]


def measured_phase(report: dict[str, Any], target: str) -> dict[str, Any]:
    """The target's phase at the run's rate (not the warm-up)."""
    result = next(r for r in report["targets"] if r["target"] == target)
    return next(p for p in result["phases"] if p["phase"] != "warmup")


def one_round(extra: list[str]) -> dict[str, Any]:
    command = [sys.executable, "bench/run.py", *DEFAULTS, *extra, "--targets", "product,bare"]
    output = subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    path = next(
        line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("results: ")
    )
    report = json.loads(Path(path).read_text())
    product, bare = measured_phase(report, "product"), measured_phase(report, "bare")
    return {
        "results": Path(path).name,
        "product_p99": product["latency_ms"]["p99"],
        "bare_p99": bare["latency_ms"]["p99"],
        "ratio": product["latency_ms"]["p99"] / bare["latency_ms"]["p99"],
        "lost": product["lost"] + bare["lost"],
        "duplicated": product["duplicated"] + bare["duplicated"],
        "stolen": [phase.get("cpu", {}).get("stolen_percent", "?") for phase in (product, bare)],
    }


def summary(rounds: list[dict[str, Any]]) -> str:
    lines = [
        "| run | product p99 ms | bare p99 ms | ratio | lost | dup | stolen % (product / bare) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rounds:
        lines.append(
            f"| `{r['results']}` | {r['product_p99']} | {r['bare_p99']} | {r['ratio']:.2f}x "
            f"| {r['lost']} | {r['duplicated']} | {r['stolen'][0]} / {r['stolen'][1]} |"
        )
    median = statistics.median(r["ratio"] for r in rounds)
    verdict = "met" if median <= 2 else "not met"
    lines.append(f"\nmedian ratio over {len(rounds)} runs: {median:.2f}x (target <= 2x: {verdict})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("run_args", nargs="*", help="after --: more options for bench/run.py")
    args = parser.parse_args()
    rounds = []
    for index in range(args.rounds):
        rounds.append(one_round(args.run_args))
        print(f"run {index + 1}/{args.rounds}: {rounds[-1]['ratio']:.2f}x", file=sys.stderr)
    print(summary(rounds))


if __name__ == "__main__":
    main()
