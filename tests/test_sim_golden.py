"""Whole runs: a golden summary, byte-identical reruns, and the trace replays."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from eccc.replay import replay
from scenarios.schema import load
from sim.messagelog import read_rows
from sim.run import run_to_dir

GOLDEN = Path(__file__).parent / "golden" / "tiny_summary.json"


def test_tiny_summary_matches_golden(tmp_path: Path) -> None:
    run_to_dir(load("tiny"), out=tmp_path)
    got = (tmp_path / "summary.json").read_bytes()
    if os.environ.get("ECCC_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(got)
    assert got == GOLDEN.read_bytes(), "rerun with ECCC_UPDATE_GOLDEN=1 if the change is meant"


def test_same_seed_gives_byte_identical_run(tmp_path: Path) -> None:
    sc = load("tiny")
    for name in ("a", "b"):
        run_to_dir(sc, out=tmp_path / name, days=1, seed=11)
    for f in ("summary.json", "series.csv", "messages.csv.gz", "distributions.json"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_other_seed_differs(tmp_path: Path) -> None:
    sc = load("tiny")
    a = run_to_dir(sc, days=1, seed=11).summary
    b = run_to_dir(sc, days=1, seed=12).summary
    assert a["parcels_accepted"] != b["parcels_accepted"]


def test_trace_replays_to_the_same_texts(tmp_path: Path) -> None:
    """Differential: the sim's own engine and ``eccc replay`` of its trace agree."""
    sc = load("tiny")
    s = run_to_dir(sc, out=tmp_path, days=1, trace=True).summary
    result = replay(tmp_path / "trace.jsonl", tuple(sc.policies))
    assert not result.bad
    m = result.tally.metrics()
    for key in ("texts_total", "segments_total", "suppressed_total", "held_total"):
        assert m[key] == s[key], key


def test_run_directory_contract(tmp_path: Path) -> None:
    run_to_dir(load("tiny"), out=tmp_path, days=1)
    s = orjson.loads((tmp_path / "summary.json").read_bytes())
    for key in ("scenario", "seed", "scale", "days", "texts_total", "segments_total", "cost_usd",
                "latency_scan_to_handset_p95_s", "texts_per_recipient_24h_share_over_3",
                "opt_outs", "opt_out_rate_per_text", "held_quiet_hours",
                "ofd_text_before_delivery_share", "exceptions_texted_before_promise_share",
                "misleading_texts_scan_errors", "care_contacts", "care_wait_mean_s",
                "care_abandon_share", "care_contacts_avoided_vs_no_sms",
                "days_to_deliver_mean", "on_time_share", "facility_denver_rpdc_utilisation",
                "facility_denver_rpdc_littles_law_error"):
        assert key in s, key
    assert list(s) == sorted(s)
    header = (tmp_path / "series.csv").read_text().splitlines()[0].split(",")
    assert header[:10] == ["hour", "parcels_arrived", "parcels_delivered", "texts", "segments",
                           "opt_outs", "care_contacts", "care_queue_len", "care_abandoned",
                           "gateway_queue_len"]
    assert "util_denver_sdc" in header
    d = orjson.loads((tmp_path / "distributions.json").read_bytes())
    assert set(d["latency_s"]) == {"scan_to_decision", "decision_to_submit",
                                   "submit_to_handset", "scan_to_handset"}
    assert sum(d["days_to_deliver"]["counts"]) == s["parcels_delivered"]
    rows = read_rows(tmp_path)
    assert list(rows[0])[:4] == ["at", "to", "tracking_number", "kind"]
    assert len(rows) == s["texts_total"] + s["suppressed_total"] + s["held_total"]
    assert not (tmp_path / "INCOMPLETE").exists()
    assert "Little's law" in (tmp_path / "diagnostics.txt").read_text()
