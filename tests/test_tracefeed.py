"""Replay timing of a trace: intended send times and batching windows."""

from __future__ import annotations

from pathlib import Path

from loadtests.tracefeed import schedule, sends


def test_schedule_shards_lines_and_finds_the_first_time(tmp_path: Path) -> None:
    trace = tmp_path / "t.jsonl"
    trace.write_text(
        '{"kind":"wake","at":"2026-12-01T00:00:10Z"}\n\n'
        '{"kind":"wake","at":"2026-12-01T00:00:00Z"}\n'
        'not json\n'
        '{"kind":"wake","at":"2026-12-01T00:00:30Z"}\n')
    first, mine = schedule(trace, 0, 1)
    assert first == 1_796_083_200  # 2026-12-01T00:00:00Z, though not the first line
    assert [at - first for at, _ in mine] == [10, 0, 0, 30]  # the bad line goes with its peer
    _, even = schedule(trace, 0, 2)
    _, odd = schedule(trace, 1, 2)
    assert len(even) + len(odd) == 4 and not set(even) & set(odd)


def test_sends_one_per_record_or_one_per_window() -> None:
    records = [(t, f"r{t}".encode()) for t in (0, 1, 2, 10, 11, 40)]
    single = sends(records, first=0, start=100.0, speedup=10.0)
    assert [s.intended for s in single] == [100.0, 100.1, 100.2, 101.0, 101.1, 104.0]
    assert all(len(s.lines) == 1 for s in single)
    # A 250 ms window: records due within it of the window's first go together,
    # at the first one's time; every record is sent exactly once, in order.
    grouped = sends(records, first=0, start=100.0, speedup=10.0, window_s=0.25)
    assert [(s.intended, s.lines) for s in grouped] == [
        (100.0, [b"r0", b"r1", b"r2"]), (101.0, [b"r10", b"r11"]), (104.0, [b"r40"])]
    capped = sends(records, first=0, start=100.0, speedup=10.0, window_s=10.0, max_batch=4)
    assert [len(s.lines) for s in capped] == [4, 2]
    # A record out of time order never joins an earlier window (it goes on its own).
    late = sends([(5, b"a"), (3, b"b"), (5, b"c")], first=0, start=0.0, speedup=1.0,
                 window_s=1.0)
    assert [s.lines for s in late] == [[b"a"], [b"b"], [b"c"]]


def test_a_gzipped_trace_is_read_like_eccc_replay_reads_it(tmp_path: Path) -> None:
    """``eccc replay`` reads a gzip-compressed trace whatever its name; the load test's
    replay (``--shape trace FILE``) and its checks read the same file the same way."""
    import gzip

    import pytest

    from loadtests.fromrun import read_trace_file

    body = (b'{"kind":"wake","at":"2026-12-01T00:00:10Z"}\n'
            b'{"kind":"wake","at":"2026-12-01T00:00:00Z"}\n')
    plain = tmp_path / "t.jsonl"
    plain.write_bytes(body)
    for name in ("t.jsonl.gz", "t.jsonl"):  # by its magic number, not its name
        packed = tmp_path / "gz" / name
        packed.parent.mkdir(exist_ok=True)
        packed.write_bytes(gzip.compress(body))
        assert schedule(packed, 0, 1) == schedule(plain, 0, 1)
        assert read_trace_file(packed) == read_trace_file(plain)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(body * 50)[:60])
    with pytest.raises(ValueError, match=r"cut\.jsonl\.gz: not a whole gzip file"):
        read_trace_file(cut)
    with pytest.raises(ValueError, match=r"cut\.jsonl\.gz: not a whole gzip file"):
        schedule(cut, 0, 1)
