"""``eccc replay``: run a trace file through the engine.

Reads the trace (docs/trace-format.md, one JSON record per line; gzip-compressed
traces too), fires wake-ups at their own times (``Engine.feed``), writes every
output as a JSON line and counts them (and, with an ``Audit``, the legal-risk
audit). A bad record is reported with its line number and skipped; every good
record is still processed, so nothing else is lost.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

import orjson

from engine.audit import Audit
from engine.core import Engine, EngineConfig
from engine.errors import InvalidInput
from engine.outputs import Output
from engine.records import from_output, to_input
from engine.retention import DEFAULT_RETENTION, RetentionConfig
from engine.tally import OutputTally


@dataclass
class BadRecord:
    line: int
    message: str


@dataclass
class ReplayResult:
    inputs: int = 0
    tally: OutputTally = field(default_factory=OutputTally)
    bad: list[BadRecord] = field(default_factory=list)
    engine: Engine | None = None  # the engine after the trace (its retention counters)


class NotATrace(ValueError):
    """Input that is not a trace at all (binary data, an unreadable archive)."""


def open_trace(path: Path) -> IO[bytes]:
    """The trace's bytes: gzip-compressed traces (by their magic number, whatever the
    name) are read through ``gzip``; other binary input is refused up front."""
    fh: IO[bytes] = path.open("rb")
    head = fh.read(4096)
    fh.seek(0)
    if head[:2] == b"\x1f\x8b":
        fh.close()
        return cast(IO[bytes], gzip.open(path, "rb"))
    if _binary(head):
        fh.close()
        raise NotATrace(f"{path}: binary data, not a trace (JSON lines, plain or .gz)")
    return fh


def _binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at 4096 bytes is text
        return exc.start < len(head) - 4
    return False


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with open_trace(path) as fh:
        try:
            for number, line in enumerate(fh, start=1):
                if line.strip():
                    yield number, line
        except (OSError, EOFError) as exc:  # a truncated or corrupt .gz
            raise NotATrace(f"{path}: unreadable compressed data ({exc})") from None


def replay(
    trace: Path,
    policies: tuple[str, ...] = ("every_scan",),
    out: IO[bytes] | None = None,
    progress: bool = False,
    audit: Audit | None = None,
    retention: RetentionConfig | None = DEFAULT_RETENTION,
) -> ReplayResult:
    """Replay ``trace``; write outputs to ``out`` (JSON lines) when given; show every
    output to ``audit`` when given (``eccc replay --audit``). ``retention``: the engine's
    (a scenario's ``[retention]``, for the outputs of the run that wrote the trace)."""
    engine = Engine(EngineConfig(policies=policies, retention=retention))
    result = ReplayResult(engine=engine)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=trace.stat().st_size, unit="B", unit_scale=True, desc="replay",
                   file=sys.stderr)
    write = out.write if out is not None else None

    def take(outputs: list[Output]) -> None:
        """Count, audit and write one batch of outputs (an input's, or the final drain)."""
        result.tally.add(outputs)
        if audit is not None:
            audit.observe(engine, outputs)
        if write is not None:
            for o in outputs:
                write(orjson.dumps(from_output(o)) + b"\n")

    for number, line in _lines(trace):
        if bar is not None:
            bar.update(len(line))
        try:
            inp = to_input(orjson.loads(line))
            outputs = engine.feed(inp)
        except orjson.JSONDecodeError as exc:
            result.bad.append(BadRecord(number, f"not valid JSON ({exc})"))
            continue
        except InvalidInput as exc:
            result.bad.append(BadRecord(number, str(exc)))
            continue
        result.inputs += 1
        take(outputs)
    take(engine.drain())
    if bar is not None:
        bar.close()
    return result
