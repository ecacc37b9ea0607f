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
import zlib
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
    bad: list[BadRecord] = field(default_factory=list)  # the first ``keep_bad`` of them
    engine: Engine | None = None  # the engine after the trace (its retention counters)
    rejected: int = 0  # every bad record, kept in ``bad`` or not
    keep_bad: int = 1000

    def refuse(self, line: int, message: str) -> None:
        """Count a bad record; keep it to report while fewer than ``keep_bad`` are kept (a
        10 MB file of junk lines is five million bad records: 1.5 GB, all kept)."""
        self.rejected += 1
        if len(self.bad) < self.keep_bad:
            self.bad.append(BadRecord(line, message))


class NotATrace(ValueError):
    """Input that is not a trace at all (binary data, an unreadable archive)."""


class _CutShort(Exception):
    """A compressed trace ends early or turns corrupt after some records were read."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_BOM = b"\xef\xbb\xbf"  # UTF-8's byte order mark, which Windows editors write
# Other formats by their magic number, named so the error says what to do.
_OTHER_FORMATS = (
    (b"\x1f\x8b", "gzip inside gzip", "decompress it once"),
    (b"BZh", "bzip2-compressed data", "decompress it (bunzip2) or compress it with gzip"),
    (b"\xfd7zXZ\x00", "xz-compressed data", "decompress it (unxz) or compress it with gzip"),
    (b"PK\x03\x04", "a zip archive", "extract the trace from it"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data", "decompress it (unzstd)"),
    (b"\xff\xfe", "UTF-16 or UTF-32 text", "convert it to UTF-8 (iconv -t UTF-8)"),
    (b"\xfe\xff", "UTF-16 text", "convert it to UTF-8 (iconv -t UTF-8)"),
    (b"\x00\x00\xfe\xff", "UTF-32 text", "convert it to UTF-8 (iconv -t UTF-8)"),
)


def open_trace(path: Path) -> IO[bytes]:
    """The trace's bytes: gzip-compressed traces (by their magic number, whatever the
    name) are read through ``gzip``; input that is not a trace (binary data, another
    compression, UTF-16 text) is refused up front, naming what it is."""
    try:
        fh: IO[bytes] = path.open("rb")
        head = fh.read(4096)
        fh.seek(0)
    except OSError as exc:
        raise NotATrace(f"{path}: cannot read it ({exc.strerror or exc})") from None
    compressed = head[:2] == b"\x1f\x8b"
    if compressed:
        fh.close()
        # The first decompressed bytes, judged like a plain file's (a truncated or
        # corrupt stream gives what it can; reading it reports the rest).
        with path.open("rb") as raw:
            try:
                head = zlib.decompressobj(wbits=31).decompress(raw.read(65536), 4096)
            except zlib.error:
                head = b""
        fh = cast(IO[bytes], gzip.open(path, "rb"))  # noqa: SIM115 (closed by the caller)
    what = _not_a_trace(head)
    if what is not None:
        fh.close()
        raise NotATrace(f"{path}: {what[0]}, not a trace (JSON lines in UTF-8, plain or "
                        f".gz){'; ' + what[1] if what[1] else ''}")
    return fh


def _not_a_trace(head: bytes) -> tuple[str, str] | None:
    """What the first bytes are, and what to do, if they cannot begin a trace."""
    for magic, what, advice in _OTHER_FORMATS:
        if head.startswith(magic):  # gzip's only after decompressing: else it is read
            return what, advice
    if head.startswith(_BOM):
        head = head[len(_BOM):]
    even, odd = head[0::2], head[1::2]
    if len(head) >= 8 and any(a.count(0) * 10 >= len(a) * 9 and b.count(0) * 10 < len(b)
                              for a, b in ((even, odd), (odd, even))):  # ASCII in UTF-16
        return "UTF-16 or UTF-32 text", "convert it to UTF-8 (iconv -t UTF-8)"
    if not _binary(head):
        return None
    # Odd bytes (a NUL, a Latin-1 letter) in some record of a trace are that record's
    # fault: one well-formed record among the first lines makes it a trace.
    lines = head.split(b"\n")[:-1]
    if any(line.lstrip().startswith(b"{") and not _binary(line) for line in lines):
        return None
    return "binary data", ""


def _binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at 4096 bytes is text
        return exc.start < len(head) - 4
    return False


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines and their numbers (a leading UTF-8 BOM dropped). A compressed
    trace that ends early or turns corrupt raises ``_CutShort`` at the next line's
    number, the records before it read; ``NotATrace`` when there were none."""
    with open_trace(path) as fh:
        number = 0
        try:
            for number, line in enumerate(fh, start=1):
                if number == 1 and line.startswith(_BOM):
                    line = line[len(_BOM):]
                if line.strip():
                    yield number, line
        except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt .gz
            if number == 0:
                raise NotATrace(f"{path}: unreadable compressed data ({exc})") from None
            raise _CutShort(number + 1, "the compressed data ends or turns corrupt here "
                            f"({exc}); the records before it were read") from None


def _json_error(line: bytes, exc: orjson.JSONDecodeError) -> str:
    """Why a line is not JSON; bytes that are not UTF-8 text named as such."""
    at = line.find(b"\x00")
    if at >= 0:
        return f"not valid JSON: a NUL byte at column {at + 1}"
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return (f"not UTF-8 text: byte 0x{line[bad.start]:02X} at column {bad.start + 1} "
                "(Latin-1 or another encoding?)")
    return f"not valid JSON ({exc})"


def replay(
    trace: Path,
    policies: tuple[str, ...] = ("every_scan",),
    out: IO[bytes] | None = None,
    progress: bool = False,
    audit: Audit | None = None,
    retention: RetentionConfig | None = DEFAULT_RETENTION,
    keep_bad: int = 1000,
) -> ReplayResult:
    """Replay ``trace``; write outputs to ``out`` (JSON lines) when given; show every
    output to ``audit`` when given (``eccc replay --audit``). ``retention``: the engine's
    (a scenario's ``[retention]``, for the outputs of the run that wrote the trace).
    ``keep_bad``: how many bad records to keep to report (all are counted)."""
    engine = Engine(EngineConfig(policies=policies, retention=retention))
    result = ReplayResult(engine=engine, keep_bad=keep_bad)
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

    try:
        for number, line in _lines(trace):
            if bar is not None:
                bar.update(len(line))
            try:
                inp = to_input(orjson.loads(line))
                outputs = engine.feed(inp)
            except orjson.JSONDecodeError as exc:
                result.refuse(number, _json_error(line, exc))
                continue
            except InvalidInput as exc:
                result.refuse(number, str(exc))
                continue
            result.inputs += 1
            take(outputs)
    except _CutShort as cut:
        result.refuse(cut.line, cut.message)
    take(engine.drain())
    if bar is not None:
        bar.close()
    return result
