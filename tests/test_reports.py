"""The run report renders from a run directory, deterministically, and survives gaps."""

from __future__ import annotations

import base64
import csv
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from reports.compare import render_comparison
from reports.figures import FIGURES
from reports.html import NOT_AVAILABLE, fmt_duration, fmt_share, fmt_value
from reports.render import load_run, render_run

FACILITIES = ("denver_rpdc", "aurora_lpc", "boulder_sdc")
PNG_MAGIC = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()[:8]


def summary(scenario: str = "holiday_peak") -> dict[str, object]:
    s: dict[str, object] = {
        "scenario": scenario, "seed": 7, "scale": 0.01, "days": 4,
        "texts_total": 123456, "segments_total": 150321, "cost_usd": 1180.55,
        "latency_scan_to_handset_p50_s": 42.0, "latency_scan_to_handset_p95_s": 754.0,
        "latency_scan_to_handset_p99_s": 9100.0,
        "latency_scan_to_decision_p50_s": 0.0, "latency_scan_to_decision_p95_s": 10800.0,
        "latency_decision_to_submit_p95_s": 1.5, "latency_submit_to_handset_p95_s": 14.8,
        "texts_notifications": 120000, "texts_replies": 3456,
        "care_cost_usd": 4750.0, "cost_total_usd": 5930.55,
        "texts_per_recipient_24h_share_over_3": 0.123, "texts_per_recipient_24h_share_over_5": 0.02,
        "opt_outs": 311, "opt_out_rate_per_text": 0.00252, "held_quiet_hours": 4021,
        "suppressed_cap": 1200, "ofd_text_before_delivery_share": 0.91,
        "care_contacts": 950, "care_wait_mean_s": 185.0, "care_abandon_share": 0.08,
        "care_contacts_avoided_vs_no_sms": 402, "days_to_deliver_mean": 2.48,
        "on_time_share": 0.935, "an_unknown_extra_metric": "kept <as> text",
    }
    for f in FACILITIES:
        s[f"facility_{f}_utilisation"] = 0.6
        s[f"facility_{f}_littles_law_error"] = 0.012
    return s


def write_run(run_dir: Path, hours: int = 96) -> Path:
    """A plausible small run: a daily cycle, a surge on day 3, three facilities."""
    rng = np.random.default_rng(3)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "summary.json").write_text(json.dumps(summary(), indent=2))
    start = datetime(2026, 12, 14, tzinfo=UTC)
    cols = ["hour", "parcels_arrived", "parcels_delivered", "texts", "segments", "opt_outs",
            "care_contacts", "care_queue_len", "care_abandoned", "gateway_queue_len"]
    cols += [f"util_{f}" for f in FACILITIES]
    with (run_dir / "series.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for h in range(hours):
            surge = 1.4 if 48 <= h < 72 else 1.0
            daily = 0.3 + 0.7 * max(0.0, np.sin(np.pi * ((h % 24) - 6) / 14))
            arrived = int(rng.poisson(400 * surge * daily))
            texts = int(rng.poisson(900 * surge * daily))
            w.writerow([(start + timedelta(hours=h)).isoformat().replace("+00:00", "Z"),
                        arrived, int(rng.poisson(380 * daily)), texts, int(texts * 1.2),
                        int(rng.poisson(2 * surge)), int(rng.poisson(10 * daily)),
                        int(rng.poisson(5 * surge * daily)), int(rng.poisson(1 * daily)), 0,
                        *(round(min(1.0, daily * surge * k), 3) for k in (0.9, 0.7, 0.5))])
    latencies = {
        "scan_to_decision": rng.exponential(0.002, 3000).tolist(),
        "decision_to_submit": rng.lognormal(1, 2, 3000).tolist(),
        "submit_to_handset": rng.lognormal(1.5, 0.8, 3000).tolist(),
        "scan_to_handset": rng.lognormal(3.5, 1.8, 3000).tolist(),
    }
    dists = {
        "latency_s": latencies,
        "texts_per_recipient_24h": {"values": [1, 2, 3, 4, 5, 6, 8],
                                    "counts": [5000, 3000, 1500, 600, 200, 80, 10]},
        "days_to_deliver": {"values": [1, 2, 3, 4, 5, 7],
                            "counts": [900, 2500, 1800, 500, 120, 30]},
    }
    (run_dir / "distributions.json").write_text(json.dumps(dists))
    (run_dir / "diagnostics.txt").write_text("Little's law: L=12.1 λW=12.0 (0.8%) <ok>\n")
    return run_dir


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    run_dir = write_run(tmp_path_factory.mktemp("run") / "holiday")
    report = render_run(run_dir)
    return run_dir, report.read_text(encoding="utf-8")


def test_report_embeds_every_figure(full_run: tuple[Path, str]) -> None:
    run_dir, page = full_run
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == len(FIGURES)
    for spec, data in zip(FIGURES, images, strict=True):
        assert data.startswith(PNG_MAGIC)
        assert base64.b64decode(data) == (run_dir / f"{spec.slug}.png").read_bytes()
    assert NOT_AVAILABLE not in page
    assert "src=\"http" not in page and "<script" not in page  # self-contained, no JS


def test_png_carries_no_software_stamp(full_run: tuple[Path, str]) -> None:
    run_dir, _ = full_run
    assert b"matplotlib" not in (run_dir / "volume.png").read_bytes()


def test_report_shows_title_and_key_numbers(full_run: tuple[Path, str]) -> None:
    _, page = full_run
    assert "<h1>eccc run: holiday_peak</h1>" in page
    assert "seed 7 · scale 0.01 · days 4" in page
    for shown in ("123,456", "120,000 notifications · 3,456 answers", "150,321",
                  "$5,930.55", "SMS $1,180.55 + care $4,750.00", "3.0 h", "14.8 s",
                  "gateway queue p95 1.5 s · end to end p95 12.6 min", "12.3%", "over 5: 2.0%",
                  "311", "2.52 per 1,000 notifications", "950",
                  "mean wait 3.1 min · 8.0% abandoned", "402", "2.48 days", "93.5%"):
        assert shown in page, shown


def test_metrics_table_is_grouped_defined_escaped_and_complete(
        full_run: tuple[Path, str]) -> None:
    from reports.registry import GROUPS, METRICS

    _, page = full_run
    table = page.split('id="metrics"', 1)[1].split('id="diagnostics"', 1)[0]
    names = re.findall(r"<tr><td><code>([^<]+)</code></td>", table)
    assert sorted(names) == sorted(summary())
    # Grouped by question, in the registry's order; sorted within each group.
    groups = re.findall(r'<th colspan="4" class="group">(\w+):', table)
    assert groups == [g.capitalize() for g in GROUPS
                      if any((m := METRICS.find(n)) and m.group == g for n in summary())]
    assert "mean wait of answered care contacts" in table
    assert "kept &lt;as&gt; text" in table
    assert "<pre>Little&#x27;s law: L=12.1 λW=12.0 (0.8%) &lt;ok&gt;\n</pre>" in page


def test_render_is_byte_identical(full_run: tuple[Path, str]) -> None:
    run_dir, page = full_run
    pngs = {p.name: p.read_bytes() for p in run_dir.glob("*.png")}
    assert render_run(run_dir).read_text(encoding="utf-8") == page
    assert {p.name: p.read_bytes() for p in run_dir.glob("*.png")} == pngs


def test_summary_only_run_still_renders(tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text(json.dumps({"scenario": "baseline", "texts_total": 5}))
    page = render_run(tmp_path).read_text(encoding="utf-8")
    assert "<h1>eccc run: baseline</h1>" in page
    # Every figure and the diagnostics say so; missing key numbers too.
    assert page.count(NOT_AVAILABLE) >= len(FIGURES) + 1
    assert "series.csv is missing" in page and "distributions.json is missing" in page
    assert "data:image/png" not in page
    assert not list(tmp_path.glob("*.png"))


def test_facility_bars_come_from_summary_when_series_is_missing(tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text(json.dumps(summary()))
    page = render_run(tmp_path).read_text(encoding="utf-8")
    assert (tmp_path / "facility_utilisation.png").exists()
    assert page.count("data:image/png") == 1


@pytest.mark.parametrize("damage", [
    lambda d: (d / "summary.json").write_text("{not json"),
    lambda d: (d / "summary.json").write_text("[1, 2]"),
    lambda d: (d / "series.csv").write_text("hour,texts\nyesterday,abc\n,\n"),
    lambda d: (d / "series.csv").write_text(""),
    lambda d: (d / "distributions.json").write_text(json.dumps(
        {"latency_s": {"scan_to_handset": ["x", None]}, "days_to_deliver": {"values": [1]},
         "texts_per_recipient_24h": {"values": [1, 2], "counts": [0, 0]}})),
])
def test_damaged_files_degrade_to_notes(tmp_path: Path, damage: object) -> None:
    # The damaged file alone keeps this fast; the full run is drawn by the fixture.
    damage(tmp_path)  # type: ignore[operator]
    page = render_run(tmp_path).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert NOT_AVAILABLE in page


def test_dollar_signs_in_names_are_not_mathtext(tmp_path: Path) -> None:
    run_dir = tmp_path / "$cheap_policy$"
    run_dir.mkdir()
    (run_dir / "series.csv").write_text("texts,util_$a$,util_b\n3,0.5,0.1\n5,0.7,0.2\n")
    (run_dir / "distributions.json").write_text(json.dumps(
        {"latency_s": {"$x$": [1.0, 2.0, 30.0]}, "scan_to_handset": [1.0]}))
    page = render_run(run_dir).read_text(encoding="utf-8")
    assert page.count("data:image/png") == 3
    render_comparison([run_dir, run_dir], tmp_path / "cmp")


def test_series_without_hours_uses_hours_since_start(tmp_path: Path) -> None:
    (tmp_path / "series.csv").write_text("texts,opt_outs\n3,0\n5,1\n,2\n")
    run = load_run(tmp_path)
    assert run.hours is None and run.n_hours == 3
    assert np.isnan(run.series["texts"][2])
    render_run(tmp_path)
    assert (tmp_path / "volume.png").exists() and (tmp_path / "opt_outs.png").exists()


def test_comparison_puts_runs_side_by_side(tmp_path: Path) -> None:
    a, b = write_run(tmp_path / "all_updates", 48), write_run(tmp_path / "milestones", 48)
    (b / "distributions.json").unlink()
    page = render_comparison([a, b], tmp_path / "cmp").read_text(encoding="utf-8")
    assert "eccc comparison: all_updates vs milestones" in page
    assert page.count("data:image/png") == 2
    assert "milestones: distributions.json is missing" in page


@pytest.mark.parametrize(("fmt", "value", "shown"), [
    (fmt_duration, 0.004, "4 ms"), (fmt_duration, 42, "42.0 s"), (fmt_duration, 754, "12.6 min"),
    (fmt_duration, 9100, "2.5 h"), (fmt_duration, 200000, "2.3 days"),
    (fmt_share, 0.1234, "12.3%"), (fmt_share, 0.0004, "<0.1%"), (fmt_share, 0, "0.0%"),
    (fmt_value, 1234567, "1,234,567"), (fmt_value, 12.0, "12"), (fmt_value, 0.0123456789,
                                                                  "0.0123457"),
    (fmt_value, 12345.678, "12,345.68"), (fmt_value, True, "true"), (fmt_value, "x", "x"),
])
def test_formatting(fmt: object, value: object, shown: str) -> None:
    assert fmt(value) == shown  # type: ignore[operator]


def _what_if(run_dir: Path, windows: list[dict[str, str]],
             cf_windows: list[dict[str, str]] | None = None,
             label: str = "the same week without it") -> Path:
    """write_run's run as a what-if: context.json, what_changed.json, counterfactual/."""
    write_run(run_dir, hours=48)
    write_run(run_dir / "counterfactual", hours=48)
    ctx: dict[str, object] = {"zone": "America/Denver", "windows": windows}
    if cf_windows is not None:
        ctx["counterfactual_windows"] = cf_windows
    (run_dir / "context.json").write_text(json.dumps(ctx))
    (run_dir / "what_changed.json").write_text(json.dumps(
        {"counterfactual": label, "seeds": [7], "rows": []}))
    return run_dir


CLOSED = {"start": "2026-12-14T10:00:00-07:00", "end": "2026-12-15T04:00:00-07:00",
          "label": "denver_rpdc closed"}
SURGE = {"start": "2026-12-14T00:00:00-07:00", "end": "2026-12-15T00:00:00-07:00",
         "label": "surge ×1.4"}


def _captions(run_dir: Path) -> dict[str, str]:
    run = load_run(run_dir)
    return {spec.slug: spec.caption_for(run) for spec in FIGURES}


def test_captions_come_from_the_run_not_from_one_scenario(tmp_path: Path) -> None:
    """The volume caption said "Look for the surge" on a closure, the utilisation caption
    claimed a dashed counterfactual it does not draw, and labels said "the same week" on
    shorter runs."""
    closure = _captions(_what_if(tmp_path / "closure", [CLOSED]))
    assert "surge" not in closure["volume"]
    assert "Look at the shaded denver_rpdc closed" in closure["volume"]
    assert "Shaded: denver_rpdc closed." in closure["volume"]
    assert "Dashed" not in closure["facility_utilisation"]
    assert "The scenario only: the counterfactual" in closure["facility_utilisation"]
    assert "Dashed grey: the counterfactual" in closure["days_to_deliver"]
    # summary() says 4 days: the file's "the same week" is fitted to the run.
    assert "(the same 4 days without it)" in closure["opt_outs"]
    assert "the same week" not in " ".join(closure.values())
    surge = _captions(_what_if(tmp_path / "surge", [SURGE]))
    assert surge["volume"].startswith("Look for the surge (surge ×1.4, shaded)")
    plain = _captions(_what_if(tmp_path / "plain", []))
    assert "surge" not in plain["volume"] and "shaded" not in plain["volume"].lower()
    assert "Shaded" not in " ".join(plain.values())


def test_the_counterfactuals_own_windows_are_shaded_and_labelled_as_its(tmp_path: Path) -> None:
    """A counterfactual with a fault the scenario lacks: nothing was shaded. Its windows
    (context.json counterfactual_windows) are hatched and said to be the counterfactual's;
    a context.json without the list (older) still reads."""
    volume = next(spec for spec in FIGURES if spec.slug == "volume")
    theirs = load_run(_what_if(tmp_path / "theirs", [], [CLOSED]))
    assert theirs.counterfactual_windows and not theirs.windows and not theirs.problems
    captions = {spec.slug: spec.caption_for(theirs) for spec in FIGURES}
    assert ("Hatched: the counterfactual's denver_rpdc closed (in the counterfactual only"
            in captions["volume"])
    assert "The counterfactual's denver_rpdc closed (hatched)" in captions["volume"]
    assert "Shaded:" not in captions["volume"]
    older = load_run(_what_if(tmp_path / "older", []))
    assert older.counterfactual_windows == [] and not older.problems
    assert volume.render(theirs) != volume.render(older)  # the hatching is drawn


def test_comparison_labels_tell_runs_of_one_name_apart() -> None:
    from reports.compare import run_labels

    assert run_labels([Path("x/counterfactual"), Path("y/counterfactual"), Path("z/run")]) == [
        "x/counterfactual", "y/counterfactual", "run"]
    assert run_labels([Path("a/x/run"), Path("b/x/run")]) == ["a/x/run", "b/x/run"]


def test_a_value_with_nothing_to_measure_reads_n_a() -> None:
    from reports.html import fmt_unit, fmt_value

    assert fmt_value(None) == fmt_value(float("nan")) == fmt_unit(None, "s") == "n/a"
    assert fmt_value(float("inf")) == "inf" and fmt_value(0.0) == "0"
