"""The shim commands' options, checked before anything starts or is written.

``eccc serve``, ``eccc loadtest`` and ``eccc bench http|loadgen`` take numbers
that argparse only parses: a negative duration, a port past 65535 or a batch
of no records would otherwise run (wrapped, clamped or divided by) and report
nonsense, or fail deep inside uvicorn or Locust. Each check returns what is
wrong in one line naming the option, or None.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable
from urllib.parse import urlsplit

from engine.errors import LocalMisuse
from engine.policies import build

MAX_PORT = 65_535
MAX_SECONDS = 86_400.0  # a load test or a benchmark step longer than a day is a mistake
MAX_USERS = 100_000
MAX_PROCESSES = 256
MAX_BATCH = 1_000_000  # records per batch request (the body limit is 16 MiB)
SURGE_ACTORS = 4  # the surge spreads its users over four actors, at least one each
BENCH_SHIM_MAX_BATCH = 20_000  # the shim eccc bench http starts takes batches up to this


def _number(option: str, value: float | None, low: float, high: float, *,
            low_open: bool = False) -> str | None:
    """``low <= value <= high`` (``low < value`` with ``low_open``); NaN and inf fail."""
    if value is None:
        return None
    ok = math.isfinite(value) and (value > low if low_open else value >= low) and value <= high
    if ok:
        return None
    low_text = f"greater than {_show(low)}" if low_open else f"at least {_show(low)}"
    return f"{option} must be {low_text} and at most {_show(high)} (got {_show(value)})"


def _show(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) and abs(value) >= 10**6 else f"{value:g}"


def _first(problems: Iterable[str | None]) -> str | None:
    return next((p for p in problems if p is not None), None)


def check_policies(specs: list[str] | tuple[str, ...] | None) -> str | None:
    """Each ``--policy`` as the engine would build it (unknown names, bad parameters)."""
    try:
        build(tuple(specs or ()))
    except LocalMisuse as exc:
        return f"--policy: {exc}"
    return None


def check_serve(args: argparse.Namespace) -> str | None:
    return _first((
        # The address is printed and handed to clients: 0 (any free port) would print :0.
        _number("--port", args.port, 1, MAX_PORT),
        _number("--snapshot-every", args.snapshot_every, 0, 10**12),
        _number("--max-batch", args.max_batch, 1, MAX_BATCH),
        check_policies(args.policy),
    ))


def check_url(option: str, url: str | None) -> str | None:
    """An http(s) URL with a host (Locust and httpx take nothing else)."""
    if url is None:
        return None
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018  (a port that is not a number, or past 65535, raises)
    except ValueError as exc:
        return f"{option} {url!r}: {exc}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{option} must be a URL such as http://HOST:PORT (got {url!r})"
    return None


def check_loadtest(args: argparse.Namespace) -> str | None:
    return _first((
        check_url("--host", getattr(args, "host", None)),
        _number("--duration", args.duration, 0, MAX_SECONDS, low_open=True),
        _number("--users", args.users, SURGE_ACTORS, MAX_USERS),
        _number("--processes", args.processes, 0, MAX_PROCESSES),
        _number("--batch-ms", args.batch_ms, 0, 60_000),
        # 0 is "not given": fit the trace into --duration (trace) or the real rate (--from-run)
        None if args.speedup == 0 else _number("--speedup", args.speedup, 0, 1e9,
                                               low_open=True),
        _number("--p99-ms", args.p99_ms, 0, 1e9, low_open=True),
        _number("--max-fail-ratio", args.max_fail_ratio, 0, 1),
        _number("--max-lag-ms", args.max_lag_ms, 0, 1e9, low_open=True),
        _number("--lag-tolerance-ms", args.lag_tolerance_ms, 0, 1e9),
        _number("--port", args.port, 0, MAX_PORT),  # 0: a free port
        check_policies(args.policy),
    ))


def check_bench(args: argparse.Namespace) -> str | None:
    """The options ``eccc bench http`` and ``eccc bench loadgen`` read."""
    if args.target == "loadgen":
        return _first((
            _number("--seconds", args.seconds, 0, MAX_SECONDS, low_open=True),
            _number("--max-lag-ms", args.max_lag_ms, 0, 1e9, low_open=True),
            _number("--shim-p99-ms", args.shim_p99_ms, 0, 1e9, low_open=True),
        ))
    return _first((
        _number("--seconds", args.seconds, 0, MAX_SECONDS, low_open=True),
        _number("--rounds", args.rounds, 1, 1_000),
        _number("--connections", args.connections, 1, 10_000),
        _number("--batch-size", args.batch_size, 1, BENCH_SHIM_MAX_BATCH),
    ))
