"""Counterfactual by construction: schema, the paired "what changed" table, and eccc run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eccc.cli import main
from research.whatif import BOOTSTRAP_MIN_PAIRS, Change, change, changes
from scenarios.schema import ScenarioError, load

ROOT = Path(__file__).resolve().parent.parent
TINY = (ROOT / "scenarios" / "tiny.toml").read_text()


def tiny_outage(tmp_path: Path, block: str = '[counterfactual]\nlabel = "no outage"\n'
                'off = ["faults"]\n') -> Path:
    path = tmp_path / "tiny_outage.toml"
    path.write_text(TINY.replace('name = "tiny"', 'name = "tiny_outage"') + "\n" + block)
    return path


# ------------------------------------------------------------------ schema


@pytest.mark.parametrize(("name", "off"), [
    ("facility_outage", "faults"), ("carrier_outage", "faults"), ("holiday_peak", "surges"),
    ("scan_quality", "scans"), ("policy_all_vs_milestones", "policies")])
def test_shipped_what_ifs_name_their_counterfactual(name: str, off: str) -> None:
    sc = load(name)
    assert sc.counterfactual is not None and sc.counterfactual.off == [off]
    cf = sc.without_what_if()
    assert cf.counterfactual is None
    assert cf.network == sc.network and cf.start == sc.start and cf.days == sc.days
    if off == "faults":
        assert sc.faults and not cf.faults
    elif off == "surges":
        assert sc.volume and sc.volume.surges and cf.volume and not cf.volume.surges
    elif off == "scans":
        assert sc.scans.premature_out_for_delivery > 0
        assert cf.scans.premature_out_for_delivery == 0
    else:
        assert cf.policies == ["milestones"] != sc.policies


def test_baseline_has_no_counterfactual() -> None:
    assert load("baseline").counterfactual is None


@pytest.mark.parametrize(("block", "message"), [
    ('[counterfactual]\nlabel = "x"\n', "give either 'off'"),
    ('[counterfactual]\nlabel = "x"\noff = ["faults"]\nscenario = "baseline"\n',
     "give either 'off'"),
    ('[counterfactual]\nlabel = "x"\noff = ["policies"]\n', "go together"),
    ('[counterfactual]\nlabel = "x"\noff = ["weather"]\n', "counterfactual.off.0"),
    ('[counterfactual]\nlabel = "x"\noff = ["policies"]\npolicies = ["milestone"]\n',
     "did you mean 'milestones'"),
])
def test_bad_counterfactuals_are_refused(tmp_path: Path, block: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        load(str(tiny_outage(tmp_path, block)))


def test_named_baseline_counterfactual(tmp_path: Path) -> None:
    sc = load(str(tiny_outage(tmp_path, '[counterfactual]\nlabel = "tiny"\nscenario = "tiny"\n')))
    assert sc.without_what_if().name == "tiny"


def test_named_counterfactual_on_another_network_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tiny_outage(tmp_path, '[counterfactual]\nlabel = "x"\nscenario = "baseline"\n')
    assert main(["run", str(path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "counterfactual 'baseline' is not the same network: regions differ" in err
    assert not (tmp_path / "r").exists()


# ------------------------------------------------------------------ the table


def test_changes_are_sorted_by_relative_size_with_from_zero_first() -> None:
    s = {"care_contacts": 40, "texts_total": 110, "texts_expired": 5, "opt_outs": 3}
    c = {"care_contacts": 10, "texts_total": 100, "texts_expired": 0, "opt_outs": 3}
    rows = changes([(s, c)])
    assert [r.metric for r in rows] == ["texts_expired", "care_contacts", "texts_total",
                                        "opt_outs"]
    care = rows[1]
    assert (care.difference, care.pct, care.verdict) == (30, 300.0, "worse")
    assert rows[0].pct is None and rows[-1].verdict == ""
    assert all(r.low is None for r in rows)  # one pair: the noise is unknown


def test_paired_intervals_t_for_counts_and_few_shares_bootstrap_for_many_shares() -> None:
    pairs = [({"care_contacts": 100 + d, "on_time_share": 0.9 + d / 1000},
              {"care_contacts": 50 + d, "on_time_share": 0.98 + d / 1000}) for d in (0, 3, 7)]
    # The pairs move together (common random numbers): the paired difference is exact.
    care = change("care_contacts", pairs)
    assert care is not None and care.method == "paired t"
    assert care.low == pytest.approx(50) and care.high == pytest.approx(50)
    shares = [({"on_time_share": a}, {"on_time_share": b})
              for a, b in ((0.90, 0.98), (0.93, 0.99), (0.88, 0.97))]
    share = change("on_time_share", shares)
    # Three pairs: a percentile bootstrap would be about [min, max] of the differences
    # (-0.09 .. -0.06); the t interval is wider, as three pairs warrant.
    assert share is not None and share.method == "paired t, cut to [-1, 1]"
    assert share.low is not None and share.high is not None
    assert share.low < -0.09 and -0.06 < share.high < 0
    many = [({"on_time_share": 0.90 + k / 1000}, {"on_time_share": 0.97 + (k % 3) / 1000})
            for k in range(BOOTSTRAP_MIN_PAIRS)]
    boot = change("on_time_share", many)
    assert boot is not None and boot.method == "paired bootstrap"
    assert boot.low is not None and boot.high is not None and -1 <= boot.low < boot.high < 0
    wide = change("on_time_share", [({"on_time_share": a}, {"on_time_share": b})
                                    for a, b in ((0.05, 0.95), (0.9, 0.1))])
    assert wide is not None and wide.low == -1.0 and wide.high == 1.0  # cut to what can be
    noisy = change("opt_outs", [({"opt_outs": a}, {"opt_outs": b})
                                for a, b in ((10, 9), (8, 9), (11, 10))])
    assert isinstance(noisy, Change) and noisy.exceeds_noise is False
    assert noisy.verdict == ""  # within the noise: neither better nor worse
    # Three differences of one sign (a quarter of the time when nothing changed): a
    # percentile bootstrap would have called this an effect.
    same_sign = change("texts_per_recipient_24h_share_over_3", [
        ({"texts_per_recipient_24h_share_over_3": 0.30 + d},
         {"texts_per_recipient_24h_share_over_3": 0.30}) for d in (-0.0476, -0.0220, -0.0101)])
    assert same_sign is not None and same_sign.exceeds_noise is False
    assert same_sign.verdict == ""


# ------------------------------------------------------------------ eccc run


@pytest.mark.slow
def test_run_opens_on_what_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert main(["run", str(tiny_outage(tmp_path)), "--out", str(out), "--quiet",
                 "--days", "1"]) == 0
    printed = capsys.readouterr().out
    assert "What changed against the counterfactual: no outage" in printed
    assert "texts_expired" in printed
    doc = json.loads((out / "what_changed.json").read_text())
    assert doc["counterfactual"] == "no outage" and doc["seeds"] == [3]
    cf = json.loads((out / "counterfactual" / "summary.json").read_text())
    s = json.loads((out / "summary.json").read_text())
    assert cf["seed"] == s["seed"] and cf["scale"] == s["scale"] and cf["days"] == s["days"]
    assert s["texts_expired"] > 0 == cf["texts_expired"]  # the outage expires texts
    ctx = json.loads((out / "context.json").read_text())
    assert ctx["zone"] == "America/Denver"
    assert ctx["windows"] == [{"start": "2026-11-10T10:00:00-07:00",
                               "end": "2026-11-10T15:00:00-07:00", "label": "carrier outage"}]
    page = (out / "report.html").read_text()
    assert page.index('id="what-changed"') < page.index('id="key-numbers"')
    assert "<b>no outage</b>" in page and "counterfactual: " in page
    assert "Shaded: carrier outage." in page and "Dashed grey: the counterfactual" in page
    assert "local time (America/Denver)" not in page  # axis text is inside the PNGs
    # --no-counterfactual: the earlier what-if table must not outlive its data.
    assert main(["run", str(tiny_outage(tmp_path)), "--out", str(out), "--quiet",
                 "--days", "1", "--no-counterfactual"]) == 0
    assert not (out / "what_changed.json").exists() and not (out / "counterfactual").exists()
    assert 'id="what-changed"' not in (out / "report.html").read_text()


@pytest.mark.slow
def test_run_replications_give_paired_intervals(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert main(["run", str(tiny_outage(tmp_path)), "--out", str(out), "--quiet", "--days",
                 "1", "--replications", "2"]) == 0
    assert "95% interval (n=2 pairs)" in capsys.readouterr().out
    doc = json.loads((out / "what_changed.json").read_text())
    assert doc["seeds"] == [3, 4]
    assert all(r["n"] == 2 and r["method"] in ("paired t", "paired t, cut to [-1, 1]")
               for r in doc["rows"])
    report = (out / "report.html").read_text()
    assert "95% interval" in report
    assert "These show one replication, seed 3" in report  # the cards are not the means
    # Every pair the table was made from is in the run directory, so it can be recomputed.
    for seed in (3, 4):
        mine = json.loads((out / "replications" / f"seed-{seed}" / "summary.json").read_text())
        theirs = json.loads((out / "replications" / f"seed-{seed}" / "counterfactual"
                             / "summary.json").read_text())
        assert mine["seed"] == theirs["seed"] == seed
    assert (out / "replications" / "seed-3" / "summary.json").read_bytes() == (
        out / "summary.json").read_bytes()
    row = next(r for r in doc["rows"] if r["metric"] == "texts_total")
    texts = [json.loads((out / "replications" / f"seed-{sd}" / sub / "summary.json")
                        .read_text())["texts_total"]
             for sd in (3, 4) for sub in (".", "counterfactual")]
    assert row["difference"] == pytest.approx((texts[0] - texts[1] + texts[2] - texts[3]) / 2)
    # eccc compare takes both sides of a replicated what-if as groups on the same seeds
    # (every pair, not the first replication alone), named so they can be told apart.
    from research.comparison import load_group

    mine, theirs = load_group(out), load_group(out / "counterfactual")
    assert [s["seed"] for s in mine.summaries] == [s["seed"] for s in theirs.summaries] == [3, 4]
    assert [s["texts_total"] for s in mine.summaries + theirs.summaries] == [
        texts[0], texts[2], texts[1], texts[3]]
    assert (mine.label, theirs.label) == ("run", "run/counterfactual")
    capsys.readouterr()
    assert main(["compare", str(out / "counterfactual"), str(out), "--out",
                 str(tmp_path / "cmp"), "--all"]) == 0
    printed = capsys.readouterr().out
    assert "paired t" in printed and "(n=2)" in printed and "more metrics not shown" not in printed


def test_the_report_calls_a_change_within_the_noise_neither_better_nor_worse() -> None:
    from reports.html import what_changed_html
    row = {"metric": "opt_outs", "unit": "count", "better": "lower", "scenario": 1.5,
           "counterfactual": 1.0, "difference": 0.5, "pct": 50.0, "n": 3, "low": -1.1,
           "high": 1.77, "method": "paired t"}
    noisy = what_changed_html({"counterfactual": "x", "seeds": [1, 2, 3], "rows": [row]})
    assert "worse" not in noisy.split("<table", 1)[1] and " noise" in noisy
    clear = what_changed_html({"counterfactual": "x", "seeds": [1, 2, 3],
                               "rows": [{**row, "low": 0.2, "high": 0.8}]})
    assert 'class="num worse"' in clear


@pytest.mark.parametrize("seed", [3, 4])
def test_scan_errors_leave_the_network_as_it_is(seed: int) -> None:
    """A scan-quality what-if changes what is scanned and texted, never where parcels go:
    every scan error draws from the scans' stream, so the counterfactual without scan
    errors delivers, returns and times the same parcels (common random numbers)."""
    from sim.run import run_scenario

    data = load("tiny").model_dump(mode="json")
    data["counterfactual"] = {"label": "perfect scans", "off": ["scans"]}
    from scenarios.schema import parse

    sc = parse(data)
    assert sc.scans.early_delivered > 0  # tiny has the OIG rates
    with_errors, _ = run_scenario(sc, seed, days=1)
    without, _ = run_scenario(sc.without_what_if(), seed, days=1)
    network = [k for k in with_errors if k.startswith(("parcels_", "days_to_deliver", "on_time"))]
    assert "parcels_returned" in network and "parcels_delivered" in network
    assert {k: with_errors[k] for k in network} == {k: without[k] for k in network}
    assert with_errors["misleading_texts_scan_errors"] != without["misleading_texts_scan_errors"]


def test_a_mean_of_zero_with_spread_is_noise_not_unchanged() -> None:
    """Up in one replication and down in another: the mean difference is 0 but the
    metric changed; it is shown, as noise with its interval, and only metrics equal in
    every pair are counted as unchanged."""
    from research.whatif import format_changes

    pairs = [({"opt_outs": 10, "texts_total": 5, "parcels_accepted": 7_695},
              {"opt_outs": 6, "texts_total": 5, "parcels_accepted": 6_604}),
             ({"opt_outs": 6, "texts_total": 5, "parcels_accepted": 7_700},
              {"opt_outs": 10, "texts_total": 5, "parcels_accepted": 6_600})]
    rows = {r.metric: r for r in changes(pairs)}
    assert rows["opt_outs"].difference == 0 and not rows["opt_outs"].unchanged
    assert rows["opt_outs"].low is not None and rows["opt_outs"].low < 0 < rows["opt_outs"].high
    assert rows["texts_total"].unchanged
    assert rows["parcels_accepted"].difference == 1_095.5  # a volume what-if's own effect
    text = format_changes(list(rows.values()), "less volume")
    assert "(1 key metrics did not change)" in text
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("opt_outs"))
    assert "(noise)" in line and "better" not in line and "worse" not in line
    assert "7,697.5" in text and "7,697.50" not in text  # digits as computed, not padded


def test_one_run_says_its_differences_may_be_noise() -> None:
    from research.whatif import format_changes

    rows = changes([({"parcels_returned": 5}, {"parcels_returned": 3})])
    assert "a difference may be noise; --replications" in format_changes(rows, "x")
