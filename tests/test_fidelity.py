"""Schedule fidelity and the from-run pieces that need no server: lags, drops, merges,
windows, plans and the differential comparison."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from loadtests import fromrun
from loadtests.fidelity import ScheduleLog, verdict
from loadtests.tracefeed import schedule


def test_send_lag_late_dropped_and_rates() -> None:
    log = ScheduleLog()
    for i in range(100):
        log.due(i / 100, 1)  # 100 records due in the first second
    log.due(1.5, 10)  # one batch of 10 due at 1.5 s, never sent
    for i in range(99):
        log.sent(i / 100, 0.002, 1)
        log.answered(0.010)
    log.sent(0.99, 0.250, 1)  # one request left 250 ms late (lands in second 1)
    log.answered(0.5)
    log.drop(10)
    f = log.summary(tolerance_ms=50)
    assert f["fidelity_requests"] == 100
    assert f["fidelity_send_lag_p50_ms"] == 2 and f["fidelity_send_lag_p99_ms"] == 2
    assert f["fidelity_send_lag_max_ms"] == 250.0
    assert f["fidelity_late_requests"] == 1 and f["fidelity_late_share"] == 0.01
    assert f["fidelity_records_dropped"] == 10
    assert f["fidelity_dropped_share"] == round(10 / 110, 6)
    assert f["service_time_p50_ms"] == 10 and f["service_time_p99_ms"] == 10
    # 110 records due over 1.5 s; 100 of them sent by 1.24 s
    assert f["fidelity_intended_records_per_s"] == round(109 / 1.5, 2)
    assert f["fidelity_achieved_records_per_s"] == round(99 / 1.5, 2)
    assert log.per_second() == {"second": [0, 1], "intended": [100, 10], "sent": [99, 1]}
    breaches = verdict(f, max_lag_ms=1)
    assert any("send lag p99 2 ms > --max-lag-ms 1" in b for b in breaches)
    assert any("10 records dropped" in b for b in breaches)
    assert len(verdict(f, max_lag_ms=5)) == 1  # the drops remain


def test_workers_logs_merge_into_the_same_figures() -> None:
    whole, a, b, master = ScheduleLog(), ScheduleLog(), ScheduleLog(), ScheduleLog()
    for i in range(50):
        for log in (whole, a if i % 2 else b):
            log.due(i / 10, 2)
            log.sent(i / 10, i / 1000, 2)
            log.answered(i / 500)
    for log in (a, b):
        master.merge(orjson.loads(orjson.dumps(log.wire())))  # through JSON, as on the wire
        log.clear()
    assert master.summary(50) == whole.summary(50)
    assert master.per_second() == whole.per_second()
    assert a.requests == 0 and not a.intended_per_s


def test_shards_keep_a_parcels_records_together(tmp_path: Path) -> None:
    trace = tmp_path / "t.jsonl"
    lines = [orjson.dumps({"kind": "scan", "at": f"2026-12-01T00:00:{i:02d}Z",
                           "trackingNumber": f"94{i % 5}", "eventCode": "07"})
             for i in range(40)]
    trace.write_bytes(b"\n".join(lines) + b"\n")
    parts = [schedule(trace, s, 3)[1] for s in range(3)]
    assert sum(len(p) for p in parts) == 40
    for part in parts:
        owners = {orjson.loads(line)["trackingNumber"] for _, line in part}
        for other in parts:
            if other is not part:
                assert not owners & {orjson.loads(line)["trackingNumber"] for _, line in other}


def test_busiest_window_and_window_syntax() -> None:
    times = [0, 10, 20, 1000, 1001, 1002, 1003, 5000]
    assert fromrun.busiest(times, 60) == fromrun.Window(1000, 1060)
    assert fromrun.parse_window("busiest:60", times) == fromrun.Window(1000, 1060)
    w = fromrun.parse_window("2026-12-16T10:00:00Z..2026-12-16T11:00:00Z", times)
    assert w.seconds == 3600
    for bad in ("busiest:x", "busiest:0", "2026-12-16T10:00:00Z", "x..y",
                "2026-12-16T11:00:00Z..2026-12-16T10:00:00Z"):
        with pytest.raises(ValueError, match="--window"):
            fromrun.parse_window(bad, times)
    records = [(t, str(t).encode()) for t in times]
    before, inside = fromrun.split(records, fromrun.Window(1000, 1003))
    assert before == [b"0", b"10", b"20"] and inside == [b"1000", b"1001", b"1002"]


def test_plan_reaches_the_rate_with_processes_and_batches() -> None:
    slow = fromrun.plan(100.0, cpus=2)
    assert (slow.processes, slow.batch_ms) == (1, 0.0) and not slow.note
    fast = fromrun.plan(10_000.0, cpus=8)
    assert fast.batch_ms == fromrun.PLAN_BATCH_MS and fast.processes >= 1
    capacity = fromrun.HEADROOM * fromrun.BATCHED_RECORDS_PER_PROCESS
    assert fast.processes * capacity >= 10_000.0
    too_fast = fromrun.plan(10_000.0, batch_ms=0.0, cpus=2)
    assert too_fast.processes == 2 and "expect the fidelity check to fail" in too_fast.note
    assert fromrun.plan(10_000.0, processes=3, batch_ms=50.0).processes == 3


def _out(kind: str, **fields: object) -> bytes:
    return orjson.dumps({"kind": kind, **fields}, option=orjson.OPT_SORT_KEYS)


def test_differential_compares_ids_bodies_and_suppressions_not_engine_times() -> None:
    sms = _out("sms", at="2026-12-01T10:00:00Z", messageId="m1", to="+1", body="Out",
               trackingNumber="9", cause="scan:OF")
    same_later = _out("sms", at="2026-12-01T10:00:05Z", messageId="m1", to="+1", body="Out",
                      trackingNumber="9", cause="scan:OF")
    held = _out("held", at="2026-12-01T10:00:00Z", to="+1", trackingNumber="9",
                reason="quiet_hours", cause="scan:07", until="2026-12-01T14:00:00Z")
    other_body = _out("sms", at="2026-12-01T10:00:00Z", messageId="m1", to="+1", body="In",
                      trackingNumber="9", cause="scan:OF")
    same = fromrun.differential(Counter([sms, held]), Counter([same_later, held]))
    assert same["differential_identical"] and same["differential_other_time"] == 1
    changed = fromrun.differential(Counter([sms, held]), Counter([other_body]))
    assert not changed["differential_identical"]
    assert changed["differential_missing"] == 2 and changed["differential_unexpected"] == 1


def test_model_against_measurement_rows(tmp_path: Path) -> None:
    (tmp_path / "distributions.json").write_bytes(orjson.dumps({"latency_s": {
        "scan_to_decision": [0.0] * 9 + [3600.0], "scan_to_handset": [5.0] * 9 + [3605.0]}}))
    rows = fromrun.model_vs_measured(tmp_path, {0.5: 20.0, 0.99: 400.0})
    by = {r["latency"]: r for r in rows}
    assert by["model: scan to decision"]["p50_s"] == 0.0
    assert by["model: scan to decision"]["p99_s"] == 3600.0
    assert by["measured: shim request (intended send to answer)"]["p99_s"] == 0.4
    assert by["gap as a share of model scan to handset (%)"]["p50_s"] == 0.4


def test_parcels_and_phones_tied_by_subscriptions_share_a_shard(tmp_path: Path) -> None:
    # One phone follows two parcels; its texts and both parcels' scans go together.
    recs = [{"kind": "scan", "at": "2026-12-01T00:00:00Z", "trackingNumber": "94A"},
            {"kind": "subscribe", "at": "2026-12-01T00:00:01Z", "trackingNumber": "94A",
             "phone": "+13035550100"},
            {"kind": "subscribe", "at": "2026-12-01T00:00:02Z", "trackingNumber": "94B",
             "phone": "+13035550100"},
            {"kind": "sms_in", "at": "2026-12-01T00:00:03Z", "from": "+13035550100",
             "body": "WHEN"},
            {"kind": "scan", "at": "2026-12-01T00:00:04Z", "trackingNumber": "94B"}]
    recs += [{"kind": "scan", "at": "2026-12-01T00:00:05Z", "trackingNumber": f"95{i}"}
             for i in range(30)]
    trace = tmp_path / "t.jsonl"
    trace.write_bytes(b"\n".join(orjson.dumps(r) for r in recs) + b"\n")
    parts = [[orjson.loads(line) for _, line in schedule(trace, s, 4)[1]] for s in range(4)]
    assert sum(len(p) for p in parts) == len(recs)
    tied = [p for p in parts if any(r.get("trackingNumber") == "94A" for r in p)]
    assert len(tied) == 1 and [r["kind"] for r in tied[0][:5]] == [
        "scan", "subscribe", "subscribe", "sms_in", "scan"]
    assert len([p for p in parts if p]) > 1  # the other parcels still spread out


def test_a_p99_of_fewer_than_100_requests_is_said_to_be_the_maximum(tmp_path: Path) -> None:
    from eccc.loadtest_report import write_report
    from loadtests.fidelity import p99_note

    assert p99_note(0) is None and p99_note(100) is None and p99_note(5000) is None
    note = p99_note(61)
    assert note is not None and note.startswith("p99 of 61 requests is their slowest")
    (tmp_path / "summary.json").write_bytes(orjson.dumps(
        {"passed": True, "breaches": [], "loadtest_requests": 61, "loadtest_p99_ms": 410,
         "loadtest_p99_note": note}))
    write_report(tmp_path)
    assert f"Note: {note}." in (tmp_path / "report.md").read_text()
