"""The benchmark orchestrator: a fresh database, two uvicorn processes per target, the load,
the figures.

    python bench/run.py --visitors 1000 --consoles 100 --teams 10 --rate 100 --duration 60 \
        --targets product,bare,naive
    python bench/run.py --visitors 1000 --consoles 100 --teams 10 --duration 60 \
        --targets product,bare,naive --ramp 100,200,400,600,800

For each target (`product`: `helpdesk.asgi:application`; `bare` and `naive`:
`bench.echo_app:application`) it starts two uvicorn processes on PostgreSQL and Redis with the
production settings (DEBUG=0, RATE_LIMITS=off), measures each process's RSS before the
websockets connect and once they are all held, runs bench/load.py against them, stops them,
and scans their logs for errors. `--ramp` runs one phase per rate, in order, on the same
connections, and stops a target at its first rate that is not sustained (something lost,
duplicated or unacked, p99 at or over 500 ms, or the rate not reached).

Results: bench/results/<timestamp>.json (everything) and a Markdown table on stdout for
docs/benchmarks.md. Uses only the database `helpdesk_bench*`, Redis db 7 and a `bench*`
channel prefix, so it can share PostgreSQL and Redis with other work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import resource
import shlex
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402

RESULTS = ROOT / "bench" / "results"
APPS = {
    "product": "helpdesk.asgi:application",
    "bare": "bench.echo_app:application",
    "naive": "bench.echo_app:application",
}
ERROR_RE = re.compile(r"Traceback|\bERROR\b|Exception|CRITICAL|Task was destroyed")


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- the machine and its processes --------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu, mhz = "", ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and not cpu:
                cpu = line.split(":", 1)[1].strip()
            if line.startswith("cpu MHz") and not mhz:
                mhz = line.split(":", 1)[1].strip()
    mem_kib = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "mhz": mhz,
        "cpu": cpu,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_at_start": os.getloadavg(),
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and whether the working tree had changes on top of it."""

    def git(*arguments: str) -> str:
        done = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    changed = [line[3:] for line in git("status", "--porcelain").splitlines()]
    return {"commit": git("rev-parse", "HEAD"), "uncommitted_files": changed[:50]}


def service_versions(args: argparse.Namespace) -> dict[str, str]:
    import redis

    host, port, user = args.pg.split(":")
    done = subprocess.run(
        [
            "psql",
            "-h",
            host,
            "-p",
            port,
            "-U",
            user,
            "-d",
            "postgres",
            "-Atc",
            "SHOW server_version",
        ],
        capture_output=True,
        text=True,
    )
    versions = {"postgresql": done.stdout.strip()}
    with contextlib.suppress(redis.RedisError):
        versions["redis"] = str(redis.Redis.from_url(args.redis).info("server")["redis_version"])
    return versions


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def socket_fds(pid: int) -> int:
    count = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(entry.path).startswith("socket:"):
                    count += 1
    return count


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def machine_cpu(stat: str | None = None) -> tuple[int, int, int]:
    """(busy, total, stolen) jiffies of all cores, from /proc/stat. Stolen: the time a virtual
    machine's cores were ready to run but its host ran something else (busy includes it)."""
    line = (stat if stat is not None else Path("/proc/stat").read_text()).split("\n", 1)[0]
    values = [int(v) for v in line.split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    stolen = values[7] if len(values) > 7 else 0
    return sum(values) - idle, sum(values), stolen


def _raise_nofile() -> None:
    """In the child before exec: the same as `ulimit -n 65536` (as far as the hard limit goes)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(65536, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


# --- database -------------------------------------------------------------------------------------


def psql(sql: str, *, pg: str) -> None:
    host, port, user = pg.split(":")
    subprocess.run(
        [
            *("psql", "-h", host, "-p", port, "-U", user, "-d", "postgres"),
            *("-v", "ON_ERROR_STOP=1", "-qc", sql),
        ],
        check=True,
    )


def fresh_database(name: str, pg: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', pg=pg)
    psql(f'CREATE DATABASE "{name}"', pg=pg)


def drop_database(name: str, pg: str) -> None:
    with contextlib.suppress(subprocess.CalledProcessError):
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', pg=pg)


# --- servers --------------------------------------------------------------------------------------


class Server:
    def __init__(self, app: str, port: int, env: dict[str, str], logfile: Path):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.logfile = logfile
        self.log_handle = logfile.open("w")
        command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
        command += ["--ws-max-size", "65536"]  # as the product is run (docs/operations.md)
        self.command = " ".join(shlex.quote(part) for part in command)
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log_handle,
            stderr=subprocess.STDOUT,
            preexec_fn=_raise_nofile,  # `ulimit -n 65536` for the server
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    async def wait_healthy(self, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        async with httpx.AsyncClient(timeout=5) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.url} exited: see {self.logfile}")
                with contextlib.suppress(httpx.HTTPError):
                    response = await http.get(f"{self.url}/healthz")
                    if response.status_code == 200:
                        return
                await asyncio.sleep(0.3)
        raise RuntimeError(f"{self.url} not healthy after {limit}s: see {self.logfile}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log_handle.close()

    def errors(self) -> dict[str, Any]:
        lines = self.logfile.read_text(errors="replace").splitlines()
        hits = [i for i, line in enumerate(lines) if ERROR_RE.search(line)]
        samples = []
        for index in hits[:5]:
            samples.append("\n".join(lines[index : index + 12]))
        return {"lines": len(hits), "samples": samples}


# --- one target -----------------------------------------------------------------------------------


async def bench_target(
    target: str, args: argparse.Namespace, env: dict[str, str], seed: dict[str, Any], stamp: str
) -> dict[str, Any]:
    """`stamp` names this target's files (a target may be listed twice: to interleave runs)."""
    servers: list[Server] = []
    result: dict[str, Any] = {"target": target, "app": APPS[target]}
    try:
        for port in args.ports:
            logfile = RESULTS / f"{stamp}-{target}-{port}.log"
            servers.append(Server(APPS[target], port, env, logfile))
        await asyncio.gather(*(s.wait_healthy() for s in servers))
        result["servers"] = [{"url": s.url, "pid": s.pid, "command": s.command} for s in servers]
        memory: dict[str, dict[str, Any]] = {s.url: {} for s in servers}

        def before_connect(_info: dict[str, Any]) -> None:
            for s in servers:
                memory[s.url]["rss_before_kib"] = rss_kib(s.pid)
                memory[s.url]["sockets_before"] = socket_fds(s.pid)

        def primed(info: dict[str, Any]) -> None:
            for s in servers:
                memory[s.url]["rss_primed_kib"] = rss_kib(s.pid)
                memory[s.url]["connections_primed"] = info["per_server"].get(s.url, 0)

        generator_pids: list[int] = []

        def connected(info: dict[str, Any]) -> None:
            generator_pids.extend(info["generator_pids"])
            for s in servers:
                held = info["per_server"].get(s.url, 0)
                after = rss_kib(s.pid)
                entry = memory[s.url]
                entry["rss_after_kib"] = after
                entry["sockets_after"] = socket_fds(s.pid)
                entry["connections"] = held
                # the marginal cost: from the primed baseline to all connections held
                added = held - entry["connections_primed"]
                entry["kib_per_connection"] = (
                    round((after - entry["rss_primed_kib"]) / added, 1) if added > 0 else None
                )
                entry["kib_per_connection_with_fixed_costs"] = (
                    round((after - entry["rss_before_kib"]) / held, 1) if held else None
                )
                entry["cpu_s_at_connected"] = cpu_seconds(s.pid)
            log(f"[{target}] memory: {json.dumps(memory)}")

        watches: dict[str, asyncio.Task[dict[str, float]]] = {}
        profiles: list[tuple[subprocess.Popen[bytes], Path]] = []

        async def watch_cpu(spec: load.PhaseSpec) -> dict[str, Any]:
            """Each server's CPU use over the phase's sending window, in % of one core, and the
            whole machine's, in % of all cores (what other work on the machine took shows)."""
            await asyncio.sleep(max(0.0, spec.start_at - load.clock()))
            first = {s.url: cpu_seconds(s.pid) for s in servers}
            generator_first = sum(cpu_seconds(pid) for pid in generator_pids)
            machine_first = machine_cpu()
            await asyncio.sleep(spec.duration)
            busy, total, stolen = (b - a for a, b in zip(machine_first, machine_cpu(), strict=True))
            generator = sum(cpu_seconds(pid) for pid in generator_pids) - generator_first
            return {
                "servers": {
                    s.url: round((cpu_seconds(s.pid) - first[s.url]) / spec.duration * 100, 1)
                    for s in servers
                },
                "generator": round(generator / spec.duration * 100, 1),
                "machine_busy_percent": round(100 * busy / max(total, 1), 1),
                # a run the host disturbed: its latencies say more about the host than the code
                "stolen_percent": round(100 * stolen / max(total, 1), 1),
                "loadavg_1m": os.getloadavg()[0],
            }

        def phase_hook(event: str, spec: load.PhaseSpec, result: dict[str, Any] | None) -> Any:
            if event == "start":
                watches[spec.name] = asyncio.create_task(watch_cpu(spec))
                if args.py_spy and spec.name != "warmup":
                    for s in servers:
                        out = RESULTS / f"{stamp}-{target}-{s.port}-{spec.name}.pyspy.txt"
                        command = [
                            *(args.py_spy, "record", "--pid", str(s.pid), "--format", "raw"),
                            *("--duration", str(int(spec.duration)), "--rate", "100"),
                            *("--nonblocking", "--output", str(out)),
                            *shlex.split(args.py_spy_args),
                        ]
                        profiles.append((subprocess.Popen(command, stdout=subprocess.DEVNULL), out))
                return None
            return _phase_end(spec, result)

        async def _phase_end(spec: load.PhaseSpec, result: dict[str, Any] | None) -> None:
            assert result is not None
            result["cpu"] = await watches.pop(spec.name)
            log(f"[{target}] {spec.name}: CPU {json.dumps(result['cpu'])}")

        rates = args.ramp or [args.rate]
        config = load.LoadConfig(
            target=target,
            urls=[s.url for s in servers],
            seed=seed,
            visitors=args.visitors,
            consoles=args.consoles,
            rates=rates,
            duration=args.duration,
            procs=args.procs,
            arrival=args.arrival,
            body_chars=args.body_chars,
            warmup_rate=args.warmup_rate,
            stop_on_fail=bool(args.ramp),
            retries=args.retries if args.ramp else 0,
            p99_limit_ms=args.p99_limit,
            drain_timeout=args.drain_timeout,
            database_url=env["DATABASE_URL"],
        )
        outcome = await load.run_load(
            config,
            before_connect=before_connect,
            primed=primed,
            connected=connected,
            phase_hook=phase_hook,
            log=log,
        )
        for s in servers:
            with contextlib.suppress(OSError):
                memory[s.url]["cpu_s_total"] = cpu_seconds(s.pid)
                memory[s.url]["rss_end_kib"] = rss_kib(s.pid)
        result.update(outcome)
        result["memory"] = memory
        result["profiles"] = {}
        for process, out in profiles:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
            if out.exists():
                result["profiles"][str(out)] = summarize_profile(out)
                summary = result["profiles"][str(out)]
                log(f"[{target}] py-spy {out.name}: {summary['samples']} busy samples, top self:")
                log("\n".join(summary["self"][:12]))
    finally:
        for s in servers:
            s.stop()
    result["server_errors"] = {s.url: s.errors() for s in servers}
    for url, errors in result["server_errors"].items():
        if errors["lines"]:
            log(f"[{target}] {url}: {errors['lines']} error lines in its log, first:")
            log(errors["samples"][0])
    return result


def summarize_profile(path: Path, top: int = 25) -> dict[str, Any]:
    """From py-spy's raw (collapsed) stacks: the functions with the most samples, on their
    own (self) and anywhere on the stack (total)."""
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    samples = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        samples += count
        frames = stack.split(";")
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            total[frame] = total.get(frame, 0) + count

    def table(data: dict[str, int]) -> list[str]:
        ranked = sorted(data.items(), key=lambda item: -item[1])[:top]
        return [f"{100 * n / max(samples, 1):5.1f}%  {name}" for name, n in ranked]

    own_rows, total_rows = table(own), table(total)
    text = (
        f"samples {samples}\n-- self --\n"
        + "\n".join(own_rows)
        + "\n-- total --\n"
        + "\n".join(total_rows)
    )
    return {"samples": samples, "self": own_rows, "total": total_rows, "text": text}


# --- the report -----------------------------------------------------------------------------------


def markdown(report: dict[str, Any]) -> str:
    head = (
        "| target | visitors | consoles | rate msg/s | p50 ms | p99 ms | lost | dup "
        "| msgs/s committed | conns/process | KiB/conn | server CPU % | machine CPU busy % "
        "| sustained |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
    )
    rows = []
    for result in report["targets"]:
        memory = result.get("memory", {})
        conns = "/".join(str(m.get("connections", "?")) for m in memory.values())
        kib = "/".join(str(m.get("kib_per_connection", "?")) for m in memory.values())
        for phase in result.get("phases", []):
            if phase["phase"] == "warmup":
                continue
            committed = phase.get("committed_rate", "n/a (no database)")
            rows.append(
                f"| {result['target']} | {report['args']['visitors']} "
                f"| {report['args']['consoles']} | {phase['target_rate']:g} "
                f"| {phase['latency_ms']['p50']} | {phase['latency_ms']['p99']} "
                f"| {phase['lost']} | {phase['duplicated']} | {committed} | {conns} | {kib} "
                f"| {'/'.join(str(v) for v in phase.get('cpu', {}).get('servers', {}).values())} "
                f"| {phase.get('cpu', {}).get('machine_busy_percent', '?')} "
                f"| {'yes' if phase['sustained'] else 'no: ' + phase['verdict']} |"
            )
    text = head + "\n".join(rows) + "\n"
    if report["args"].get("ramp"):
        limit = report["args"].get("p99_limit", 500)
        text += f"\n| target | highest sustained msg/s (nothing lost, p99 < {limit:g} ms) |\n"
        text += "|---|---:|\n"
        for result in report["targets"]:
            text += f"| {result['target']} | {result.get('highest_sustained_rate') or 'none'} |\n"
    return text


def verdicts(report: dict[str, Any]) -> list[str]:
    by_target = {r["target"]: r for r in report["targets"]}
    lines = []
    product, bare, naive = (by_target.get(name) for name in ("product", "bare", "naive"))
    if product and bare:
        for phase in product.get("phases", []):
            twin = next(
                (
                    p
                    for p in bare.get("phases", [])
                    if p["phase"] == phase["phase"] and p["phase"] != "warmup"
                ),
                None,
            )
            if twin:
                ratio = phase["latency_ms"]["p99"] / max(twin["latency_ms"]["p99"], 1e-9)
                lines.append(
                    f"at {phase['target_rate']:g} msg/s: product p99 {phase['latency_ms']['p99']} "
                    f"ms vs bare {twin['latency_ms']['p99']} ms = {ratio:.2f}x (target <= 2x); "
                    f"product lost {phase['lost']} dup {phase['duplicated']}"
                )
    if product and naive and report["args"].get("ramp"):
        best, floor = product.get("highest_sustained_rate"), naive.get("highest_sustained_rate")
        if best and floor:
            lines.append(
                f"highest sustained: product {best:g} vs naive {floor:g} msg/s = "
                f"{best / floor:.2f}x (target >= 5x)"
            )
        else:
            lines.append(f"highest sustained: product {best} vs naive {floor} msg/s")
    return lines


# --- main -----------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--consoles", type=int, default=100)
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--ramp", default="", help="comma-separated rates, e.g. 100,200,400")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--targets", default="product,bare,naive")
    parser.add_argument("--procs", type=int, default=1, help="load generator processes")
    parser.add_argument("--arrival", choices=["poisson", "even"], default="poisson")
    parser.add_argument("--body-chars", type=int, default=64)
    parser.add_argument("--warmup-rate", type=float, default=100)
    parser.add_argument("--p99-limit", type=float, default=500)
    parser.add_argument(
        "--retries", type=int, default=1, help="ramp: tries again of a rate not sustained"
    )
    parser.add_argument("--drain-timeout", type=float, default=30)
    parser.add_argument("--ports", default="18201,18202")
    parser.add_argument("--database", default="helpdesk_bench")
    parser.add_argument("--pg", default="127.0.0.1:5432:postgres", help="host:port:user")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument(
        "--product-app",
        default=APPS["product"],
        help="the ASGI application of the product target (for A/B experiments)",
    )
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the servers (repeatable), e.g. DB_THREADS=4",
    )
    parser.add_argument(
        "--py-spy",
        default="",
        help="path of a py-spy binary: profile each server during every measured phase",
    )
    parser.add_argument(
        "--py-spy-args", default="", help='more py-spy record options, e.g. "--gil" or "--idle"'
    )
    parser.add_argument(
        "--webhooks",
        type=int,
        default=0,
        help="admins' webhooks on every event, served by bench/webhooks.py --serve; the "
        "product target then runs a Celery worker that delivers them",
    )
    parser.add_argument(
        "--dead-webhooks",
        type=int,
        default=0,
        choices=[0, 1, 2, 3],
        help="of --webhooks, dead ones: one answering 500, one never answering, a closed port",
    )
    parser.add_argument(
        "--webhook-worker",
        choices=["normal", "nice", "none"],
        default="normal",
        help="the worker that delivers the webhooks: at normal priority; at nice 10 (it yields "
        "the CPU to the web processes, as on a machine of its own); or none (the outbox fills "
        "and nothing is sent: the chat's own cost alone)",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    APPS["product"] = args.product_app
    args.targets = [t for t in args.targets.split(",") if t]
    for target in args.targets:
        if target not in APPS:
            parser.error(f"unknown target {target}")
    args.ramp = [float(r) for r in args.ramp.split(",") if r]
    args.ports = [int(p) for p in args.ports.split(",") if p]
    if not args.database.startswith("helpdesk_bench"):
        parser.error("the database name must start with helpdesk_bench")
    return args


def server_env(args: argparse.Namespace, channel_prefix: str) -> dict[str, str]:
    host, port, user = args.pg.split(":")
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "DATABASE_URL": f"postgres://{user}@{host}:{port}/{args.database}",
            "REDIS_URL": args.redis,
            "CHANNEL_PREFIX": channel_prefix,
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": "",
            "RATE_LIMITS": "off",
            "PYTHONPATH": str(ROOT),
        }
    )
    if args.webhooks:
        env["WEBHOOK_ALLOWED_HOSTS"] = "127.0.0.1"
    for item in args.server_env:
        name, _, value = item.partition("=")
        env[name] = value
    return env


WEBHOOK_RECEIVER_PORT = 18390
NICE = ["nice", "-n", "10"]


def webhook_urls(args: argparse.Namespace) -> list[str]:
    base = f"http://127.0.0.1:{WEBHOOK_RECEIVER_PORT}"
    dead = [f"{base}/fail", f"{base}/hang", "http://127.0.0.1:9/closed"][: args.dead_webhooks]
    live = args.webhooks - len(dead)
    return [f"{base}/live/{n}" for n in range(live)] + dead


@contextlib.contextmanager
def webhook_workers(args: argparse.Namespace, env: dict[str, str], stamp: str) -> Any:
    """With --webhooks: the receiver of every webhook, and a Celery worker of the product
    that delivers to them while the load runs (as in production, beside the web processes).
    Answers what was delivered."""
    if not args.webhooks:
        yield {}
        return
    logs = [(RESULTS / f"{stamp}-{name}.log").open("w") for name in ("receiver", "celery")]
    receiver = subprocess.Popen(
        [sys.executable, "bench/webhooks.py", "--serve", str(WEBHOOK_RECEIVER_PORT)],
        cwd=ROOT,
        env=env,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = (
        subprocess.Popen(
            [
                *(NICE if args.webhook_worker == "nice" else []),
                *(
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "helpdesk",
                    "worker",
                    "--loglevel",
                    "WARNING",
                ),
                *("--concurrency", "1", "--without-gossip", "--without-mingle"),
            ],
            cwd=ROOT,
            env=env,
            stdout=logs[1],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if args.webhook_worker != "none"
        else None
    )
    delivered: dict[str, Any] = {}
    try:
        yield delivered
    finally:
        with contextlib.suppress(httpx.HTTPError):
            counts = httpx.get(f"http://127.0.0.1:{WEBHOOK_RECEIVER_PORT}/counts", timeout=5)
            delivered.update(counts.json())
        for process in (worker, receiver):
            if process is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
        for handle in logs:
            handle.close()


def prepare_database(args: argparse.Namespace, env: dict[str, str], stamp: str) -> dict[str, Any]:
    """A fresh database, migrated and seeded; answers the seed (logins, inbox keys)."""
    fresh_database(args.database, args.pg)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    seed_file = RESULTS / f"{stamp}-seed.json"
    hooks = [item for url in webhook_urls(args) for item in ("--webhook-url", url)]
    subprocess.run(
        [
            *(sys.executable, "bench/seed.py", "--teams", str(args.teams)),
            *("--consoles", str(args.consoles), "--out", str(seed_file)),
            *hooks,
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    seed: dict[str, Any] = json.loads(seed_file.read_text())
    seed_file.unlink()
    return seed


async def run_targets(
    args: argparse.Namespace, env: dict[str, str], seed: dict[str, Any], stamp: str
) -> list[dict[str, Any]]:
    results = []
    for number, target in enumerate(args.targets, 1):
        log(f"=== {target} ===")
        if target != "product":
            results.append(await bench_target(target, args, env, seed, f"{stamp}-{number}"))
            continue
        with webhook_workers(args, env, f"{stamp}-{number}") as delivered:
            result = await bench_target(target, args, env, seed, f"{stamp}-{number}")
        if delivered:
            result["webhooks_delivered"] = delivered
            log(f"[{target}] webhooks: {json.dumps(delivered)}")
        results.append(result)
    return results


def main() -> None:
    args = parse_args()
    load.raise_fd_limit()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = server_env(args, f"bench{uuid.uuid4().hex[:6]}")
    report: dict[str, Any] = {
        "stamp": stamp,
        "machine": machine(),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "command": " ".join(shlex.quote(a) for a in ["python", *sys.argv]),
        "code": code_version(),
        "environment": {
            **{k: env[k] for k in ("REDIS_URL", "CHANNEL_PREFIX", "RATE_LIMITS", "DEBUG")},
            **dict(item.partition("=")[::2] for item in args.server_env),
        },
        "targets": [],
    }
    report["machine"].update(service_versions(args))
    log(f"machine: {report['machine']}")
    try:
        seed = prepare_database(args, env, stamp)
        report["targets"] = load._run(run_targets(args, env, seed, stamp))
    finally:
        if not args.keep_database:
            drop_database(args.database, args.pg)
    report["verdicts"] = verdicts(report)
    report["markdown"] = markdown(report)
    out = args.out or RESULTS / f"{report['stamp']}.json"
    out.write_text(json.dumps(report, indent=1, default=str))
    print(report["markdown"])
    for line in report["verdicts"]:
        print("- " + line)
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
