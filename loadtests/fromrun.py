"""A window of a simulated run as a load test: what to send, how, and what should come back.

``eccc loadtest --from-run RUN_DIR`` replays a window of the run's
``trace.jsonl`` (the busiest hour by default) against the shim. The shim
first gets the run's history before the window (primed as fast as it takes
it, not measured), so its engine is in the state the simulation's engine was
in when the window began; then Locust replays the window open-model at the
real rate times ``--speedup``.

Because the engine is deterministic, the texts the simulation's engine
produced for the window are the outputs of ``Engine.handle`` over the same
inputs in the same order (the trace is every input the simulation's engine
got, in order). ``differential`` compares them with what the shim answered
under load: same message ids, bodies, suppressions and holds.

No Locust import: plain data and the engine.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

from engine.core import Engine, EngineConfig
from engine.errors import InvalidInput, LocalMisuse
from engine.outputs import WakeAt
from engine.policies import build
from engine.records import format_time, from_output, parse_time, to_input
from engine.tally import percentile
from loadtests.tracefeed import trace_bytes
from scenarios.schema import MAX_DAYS

# What one Locust process sustains here with send lag p99 under 50 ms
# (``eccc bench loadgen``, 2-core VM shared with the shim): records/s sent one
# per request, and in feed batches of ``PLAN_BATCH_MS``. The plan divides the
# target rate by these, with headroom.
SINGLE_RECORDS_PER_PROCESS: Final = 500.0
BATCHED_RECORDS_PER_PROCESS: Final = 10_000.0
PLAN_BATCH_MS: Final = 100.0
HEADROOM: Final = 0.7
MAX_WINDOW_S: Final = MAX_DAYS * 86_400  # a run is at most this long
COMPARED_KINDS: Final = ("sms", "reply", "suppressed", "held")
# How eccc/run_command.py's WHAT_IF_INCOMPLETE begins (loadtests may not import eccc; a
# test holds the two together): the run is whole, only its what-if is not.
WHAT_IF_ONLY: Final = "The scenario's run here is complete;"


@dataclass(frozen=True)
class Window:
    start: int  # epoch seconds, inclusive
    end: int  # exclusive

    def __str__(self) -> str:
        return f"{format_time(self.start)}..{format_time(self.end)}"

    @property
    def seconds(self) -> int:
        return self.end - self.start


def read_trace(run_dir: Path) -> list[tuple[int, bytes]]:
    """(at, line) of every record of ``RUN_DIR/trace.jsonl`` (or ``.jsonl.gz``), in order."""
    path = trace_path(run_dir)
    return read_records(path, trace_bytes(path))


def check_run_dir(run_dir: Path) -> None:
    """A finished run's directory: ValueError naming what it is instead. A run that was
    interrupted (``INCOMPLETE``) has a trace cut short at that moment, and a sweep's or
    tune's directory holds runs' tables, not one run's inputs."""
    if not run_dir.is_dir():
        raise ValueError(f"--from-run {run_dir}: no such directory")
    marker = run_dir / "INCOMPLETE"
    # A finished run whose what-if alone is unfinished has its whole trace.
    if marker.is_file() and not marker.read_text(errors="replace").startswith(WHAT_IF_ONLY):
        raise ValueError(f"{run_dir}: the run did not finish (see {marker}); its trace "
                         f"stops where it was interrupted. Run the scenario again with "
                         f"'eccc run SCENARIO --trace'")
    if (run_dir / "sweep.json").is_file() or (run_dir / "tune.json").is_file():
        raise ValueError(f"{run_dir}: a sweep's or tune's directory; --from-run takes one "
                         f"run's directory, written by 'eccc run SCENARIO --trace'")


def trace_path(run_dir: Path) -> Path:
    """``RUN_DIR/trace.jsonl``, else ``trace.jsonl.gz``; FileNotFoundError saying how to
    make one if there is neither."""
    path = run_dir / "trace.jsonl"
    if path.is_file():
        return path
    if path.with_suffix(".jsonl.gz").is_file():
        return path.with_suffix(".jsonl.gz")
    raise FileNotFoundError(f"{path}: no trace; run the scenario with "
                            f"'eccc run SCENARIO --trace' to write one")


def read_trace_file(path: Path) -> list[tuple[int, bytes]]:
    """(at, line) of every record of a trace file (plain or gzip-compressed), checked
    as ``--from-run`` checks its trace: every line a JSON object with a valid ``at``,
    and at least one."""
    records = read_records(path, trace_bytes(path))
    if not records:
        raise ValueError(f"{path}: the trace is empty")
    return records


def read_records(path: Path, data: bytes) -> list[tuple[int, bytes]]:
    """(at, line) of every record of ``data`` (the file ``path``); FILE:LINE if one is bad."""
    records = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            at = parse_time(orjson.loads(line).get("at"))[0]
        except (orjson.JSONDecodeError, InvalidInput, AttributeError) as exc:
            raise ValueError(f"{path}:{number}: not a trace record ({exc})") from None
        records.append((at, line))
    return records


def busiest(times: list[int], seconds: int) -> Window:
    """The ``seconds``-long window holding the most records (the earliest such)."""
    ordered = sorted(times)
    best, best_start, lo = 0, ordered[0] if ordered else 0, 0
    for hi, t in enumerate(ordered):
        while ordered[lo] <= t - seconds:
            lo += 1
        if hi - lo + 1 > best:
            best, best_start = hi - lo + 1, ordered[lo]
    return Window(best_start, best_start + seconds)


def parse_window(text: str, times: list[int]) -> Window:
    """``busiest`` (the busiest hour), ``busiest:SECONDS``, or ``START..END`` (ISO 8601)."""
    if text == "busiest" or text.startswith("busiest:"):
        _, _, length = text.partition(":")
        try:
            given = float(length) if length else 3600.0
        except ValueError:
            raise ValueError(f"--window {text!r}: busiest:SECONDS takes a number") from None
        if not 1 <= given <= MAX_WINDOW_S:  # NaN and infinities fail too
            raise ValueError(f"--window {text!r}: the length must be from 1 to "
                             f"{MAX_WINDOW_S:,} seconds ({MAX_DAYS} days)")
        return busiest(times, int(given))
    start, sep, end = text.partition("..")
    if not sep:
        raise ValueError(f"--window {text!r}: expected START..END (ISO 8601 times), "
                         "busiest or busiest:SECONDS")
    try:
        window = Window(parse_time(start)[0], parse_time(end)[0])
    except InvalidInput as exc:
        raise ValueError(f"--window {text!r}: {exc}") from None
    if window.end <= window.start:
        raise ValueError(f"--window {text!r}: END must be after START")
    return window


def split(records: list[tuple[int, bytes]], window: Window) -> tuple[list[bytes], list[bytes]]:
    """(the history before the window, the window's records), each in file order."""
    before = [line for at, line in records if at < window.start]
    inside = [line for at, line in records if window.start <= at < window.end]
    return before, inside


def run_policies(run_dir: Path) -> tuple[str, ...]:
    """The policies the run's engine used (its summary.json says); errors name the file."""
    path = run_dir / "summary.json"
    if not path.is_file():
        raise ValueError(f"{path}: missing; the replay needs the run's summary (its policies) "
                         f"as 'eccc run' writes it")
    try:
        summary = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc})") from None
    if not isinstance(summary, dict):
        raise ValueError(f"{path}: not a JSON object (the summary of 'eccc run')")
    given = summary.get("policies", "")
    if not isinstance(given, str):
        raise ValueError(f"{path}: policies must be text (names joined by commas), "
                         f"got {given!r}")
    policies = tuple(p for p in given.split(",") if p) or ("every_scan",)
    try:
        build(policies)
    except LocalMisuse as exc:
        raise ValueError(f"{path}: policies: {exc}") from None
    return policies


def expected_outputs(policies: tuple[str, ...], before: list[bytes],
                     inside: list[bytes]) -> Counter[bytes]:
    """What the simulation's engine produced for the window's records: the engine
    handling the run's inputs in the run's order (its wake-ups are in the trace)."""
    engine = Engine(EngineConfig(policies=policies))
    for line in before:
        engine.handle(to_input(orjson.loads(line)))
    out: Counter[bytes] = Counter()
    for line in inside:
        out.update(_compared(engine.handle(to_input(orjson.loads(line)))))
    return out


def _compared(outputs: list[Any]) -> list[bytes]:
    return [orjson.dumps(from_output(o), option=orjson.OPT_SORT_KEYS) for o in outputs
            if type(o) is not WakeAt]


def returned_outputs(answers_dir: Path) -> Counter[bytes]:
    """What the shim answered (``--outputs-dir`` files of every Locust process)."""
    out: Counter[bytes] = Counter()
    for path in sorted(answers_dir.glob("answers-*.jsonl")):
        for line in path.read_bytes().splitlines():
            if line.strip():
                for rec in orjson.loads(line).get("outputs", []):
                    if rec.get("kind") in COMPARED_KINDS:
                        out[orjson.dumps(rec, option=orjson.OPT_SORT_KEYS)] += 1
    return out


IDENTITY: Final = {"sms": ("messageId", "to", "body", "trackingNumber", "cause"),
                   "reply": ("messageId", "to", "body"),
                   "suppressed": ("to", "trackingNumber", "reason", "cause"),
                   "held": ("to", "trackingNumber", "reason", "cause", "until")}


def identity(blob: bytes) -> bytes:
    """What the check compares: the message id, recipient and body of a text; the
    recipient, parcel, reason and cause of a suppression or hold. Not ``at``: that is
    the engine's clock, the latest record time it has seen, and under load records of
    unrelated parcels may reach the shim in a slightly different order."""
    rec = orjson.loads(blob)
    kind = rec["kind"]
    return orjson.dumps([kind, *(rec.get(k) for k in IDENTITY.get(kind, ()))])


def differential(expected: Counter[bytes], returned: Counter[bytes],
                 examples: int = 3) -> dict[str, Any]:
    """Flat figures (``differential_*``) and a few examples of each difference."""
    exp_id: Counter[bytes] = Counter()
    ret_id: Counter[bytes] = Counter()
    for blob, n in expected.items():
        exp_id[identity(blob)] += n
    for blob, n in returned.items():
        ret_id[identity(blob)] += n
    missing, unexpected = exp_id - ret_id, ret_id - exp_id
    kinds: Counter[str] = Counter()
    for blob, n in expected.items():
        kinds[str(orjson.loads(blob)["kind"])] += n
    figures: dict[str, Any] = {
        "differential_expected": sum(expected.values()),
        "differential_returned": sum(returned.values()),
        "differential_matched": sum((exp_id & ret_id).values()),
        "differential_missing": sum(missing.values()),
        "differential_unexpected": sum(unexpected.values()),
        # same output, stamped with another engine time (arrival order under load)
        "differential_other_time": sum((expected - returned).values()) - sum(missing.values()),
    }
    for kind, n in sorted(kinds.items()):
        figures[f"differential_expected_{kind}"] = n
    figures["differential_identical"] = not missing and not unexpected
    figures["differential_examples"] = {
        "missing": [orjson.loads(b) for b in sorted(missing)[:examples]],
        "unexpected": [orjson.loads(b) for b in sorted(unexpected)[:examples]],
        "other_time": [orjson.loads(b) for b in sorted(expected - returned)[:examples]]}
    return figures


@dataclass(frozen=True)
class Plan:
    rate: float  # records/s to send
    processes: int
    batch_ms: float
    note: str

    def describe(self, window: Window, records: int, speedup: float) -> str:
        how = (f"feed batches of {self.batch_ms:g} ms" if self.batch_ms
               else "one record per request")
        return (f"window {window} ({window.seconds:,} s, {records:,} records) at speed-up "
                f"{speedup:g}: {self.rate:,.1f} records/s for {window.seconds / speedup:,.1f} s; "
                f"{self.processes} Locust process(es), {how}{self.note}")


def plan(rate: float, processes: int = 0, batch_ms: float | None = None,
         cpus: int | None = None) -> Plan:
    """Processes and feed batches that reach ``rate`` records/s, from the measured
    capacity of one process; what the caller fixed (non-zero) is kept."""
    cpus = cpus or os.cpu_count() or 1
    if batch_ms is None:
        batch_ms = 0.0 if rate <= HEADROOM * SINGLE_RECORDS_PER_PROCESS else PLAN_BATCH_MS
    capacity = HEADROOM * (BATCHED_RECORDS_PER_PROCESS if batch_ms else
                           SINGLE_RECORDS_PER_PROCESS)
    needed = max(1, math.ceil(rate / capacity))
    chosen = processes or min(needed, cpus)
    note = ""
    if chosen < needed:
        note = (f" (needs about {needed} processes at the measured "
                f"{capacity / HEADROOM:,.0f} records/s each; this machine has {cpus} cores: "
                f"expect the fidelity check to fail, or spread workers over machines)")
    return Plan(rate, chosen, batch_ms, note)


def model_vs_measured(run_dir: Path, measured_ms: dict[float, float]) -> list[dict[str, Any]]:
    """One row per latency, seconds at the same percentiles: the simulation's stages
    (from distributions.json), the shim's measured request latency (from intended
    send time, so queueing in front of the shim counts), and the gap.

    The simulation's engine decides in no time: its decision stage is only the
    policies' holds (quiet hours, digests). The gap is what the measurement adds
    to the model, and its share of the model's scan-to-handset latency."""
    keys = {q: f"p{q * 100:g}_s" for q in measured_ms}
    rows: list[dict[str, Any]] = []
    path = run_dir / "distributions.json"
    stages: dict[str, list[float]] = {}
    if path.is_file():
        stages = orjson.loads(path.read_bytes()).get("latency_s", {})
    for stage in ("scan_to_decision", "decision_to_submit", "submit_to_handset",
                  "scan_to_handset"):
        values = sorted(float(v) for v in stages.get(stage, []))
        if values:
            rows.append({"latency": f"model: {stage.replace('_', ' ')}", "source": "simulation",
                         **{k: round(percentile(values, q), 4) for q, k in keys.items()}})
    measured = {k: round(measured_ms[q] / 1000.0, 4) for q, k in keys.items()}
    rows.append({"latency": "model: engine processing (instant in the simulation)",
                 "source": "simulation", **{k: 0.0 for k in keys.values()}})
    rows.append({"latency": "measured: shim request (intended send to answer)",
                 "source": "load test", **measured})
    rows.append({"latency": "gap: measured minus model engine processing",
                 "source": "difference", **measured})
    end_to_end = next((r for r in rows if r["latency"] == "model: scan to handset"), None)
    if end_to_end is not None:
        rows.append({"latency": "gap as a share of model scan to handset (%)",
                     "source": "difference",
                     **{k: round(100.0 * measured[k] / end_to_end[k], 3) if end_to_end[k]
                        else 0.0 for k in keys.values()}})
    return rows
