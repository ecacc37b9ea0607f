"""Counterfactual by construction: schema, the paired "what changed" table, and eccc run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eccc.cli import main
from research.whatif import BOOTSTRAP_MIN_PAIRS, Change, change, changes
from scenarios.schema import ScenarioError, load
from scenarios.whatif_plan import plan_what_if

ROOT = Path(__file__).resolve().parent.parent
TINY = (ROOT / "scenarios" / "tiny.toml").read_text()


def tiny_outage(tmp_path: Path, block: str = '[counterfactual]\nlabel = "no outage"\n'
                'off = ["faults"]\n', text: str = TINY, name: str = "tiny_outage.toml") -> Path:
    path = tmp_path / name
    path.write_text(text.replace('name = "tiny"', 'name = "tiny_outage"') + "\n" + block)
    return path


TINY_NO_FAULTS = TINY[:TINY.index("[[faults]]")]


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
    ('[counterfactual]\nlabel = "x"\npolicies = ["milestones"]\n',
     r"counterfactual: 'policies' .* without off = \[.policies.\]"),
    ('[counterfactual]\nlabel = "x"\noff = ["faults", "faults"]\n',
     "counterfactual.off: 'faults' is listed twice"),
    ('[counterfactual]\nlabel = "   "\noff = ["faults"]\n', "counterfactual.label: is blank"),
    ('[counterfactual]\nlabel = "a\\nb"\noff = ["faults"]\n',
     "counterfactual.label: has a control character"),
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
    assert err.startswith(f"eccc run: {path}: counterfactual.scenario: 'baseline' is not the "
                          "same network: regions differ")
    assert not (tmp_path / "r").exists()


def test_a_relative_counterfactual_is_found_beside_its_scenario(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sc").mkdir()
    (tmp_path / "sc" / "calm.toml").write_text(TINY_NO_FAULTS.replace('name = "tiny"',
                                                                      'name = "calm"'))
    path = tiny_outage(tmp_path / "sc", '[counterfactual]\nlabel = "calm"\n'
                       'scenario = "calm.toml"\n')
    monkeypatch.chdir(tmp_path)  # not the scenario's directory
    assert load(str(path)).without_what_if().name == "calm"
    assert plan_what_if(load(str(path))).counterfactual.name == "calm"
    # A shipped name is still a name.
    named = tiny_outage(tmp_path / "sc", '[counterfactual]\nlabel = "tiny"\nscenario = "tiny"\n',
                        text=TINY_NO_FAULTS, name="named.toml")
    assert load(str(named)).without_what_if().name == "tiny"


@pytest.mark.parametrize(("target", "says"), [
    ("no_such_scenario", "no_such_scenario.toml: no such scenario file"),
    ("broken.toml", "broken.toml: bogus: unknown key"),
    ("validate_mmc", "'validate_mmc' is not the same network: the counterfactual has no "
                     "network"),
])
def test_errors_about_the_counterfactual_name_the_referring_file(
        tmp_path: Path, target: str, says: str) -> None:
    (tmp_path / "broken.toml").write_text("bogus = 1\n" + TINY)
    path = tiny_outage(tmp_path, f'[counterfactual]\nlabel = "x"\nscenario = "{target}"\n')
    with pytest.raises(ScenarioError) as err:
        plan_what_if(load(str(path)))
    assert str(err.value).startswith(f"{path}: counterfactual.scenario: ")
    assert says in str(err.value)


SAME = "both sides would be the same"


@pytest.mark.parametrize(("block", "text", "says"), [
    # The file itself, an unchanged copy of tiny, and tiny's own chain.
    ('[counterfactual]\nlabel = "me"\nscenario = "tiny_outage.toml"\n', TINY,
     "counterfactual.scenario: the counterfactual 'tiny_outage' (me) would run exactly as "
     "the scenario: " + SAME),
    ('[counterfactual]\nlabel = "tiny"\nscenario = "tiny"\n', TINY,
     "counterfactual.scenario: the counterfactual 'tiny' (tiny) would run exactly as the "
     "scenario: " + SAME),
    ('[counterfactual]\nlabel = "x"\noff = ["policies"]\n'
     'policies = ["milestones", "quiet_hours", "cap_rolling:limit=3"]\n', TINY,
     "counterfactual.policies: the same chain as the scenario's policies (milestones, "
     "quiet_hours, cap_rolling:limit=3): " + SAME),
    # Days, seed and scale: the counterfactual always runs with the scenario's.
    ('[counterfactual]\nlabel = "tiny"\nscenario = "tiny"\n',
     TINY.replace("days = 2", "days = 3").replace("seed = 3", "seed = 9"),
     "counterfactual.scenario: 'tiny' differs from the scenario only in seed 3 (the "
     "scenario's: 9), days 2 (the scenario's: 3), which a counterfactual always takes from "
     "the scenario"),
    # What-ifs the scenario does not have.
    ('[counterfactual]\nlabel = "x"\noff = ["surges"]\n', TINY,
     "counterfactual.off: 'surges': the scenario has no surges"),
    ('[counterfactual]\nlabel = "x"\noff = ["faults"]\n', TINY_NO_FAULTS,
     "counterfactual.off: 'faults': the scenario has no faults"),
    ('[counterfactual]\nlabel = "x"\noff = ["faults", "scans"]\n',
     TINY.replace("[scans]", "[scans_unused]").replace("missing_facility_scan", "a")
     .replace("premature_out_for_delivery", "b").replace("early_delivered", "c")
     .replace("vague_location", "d").replace("[scans_unused]", "[scans]")
     .replace("a = 0.09\nb = 0.33\nc = 0.17\nd = 0.5", ""),
     "counterfactual.off: 'scans': the scenario has no scan errors"),
])
def test_a_counterfactual_that_changes_nothing_is_refused_before_any_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], block: str, text: str,
        says: str) -> None:
    path = tiny_outage(tmp_path, block, text=text)
    assert main(["run", str(path), "--out", str(tmp_path / "r"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"eccc run: {path}: {says}"), err
    if "days" in says:
        assert "eccc compare" in err
    assert not (tmp_path / "r").exists()


def test_policy_override_that_makes_both_sides_the_same_is_refused(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sc = load("policy_all_vs_milestones")
    plan = plan_what_if(sc, policies=["quiet_hours"])  # off has "policies": cf keeps its own
    assert (plan.policies, plan.counterfactual_policies) == (("quiet_hours",), ("milestones",))
    plan = plan_what_if(load(str(tiny_outage(tmp_path))), policies=["every_scan"])
    assert plan.policies == plan.counterfactual_policies == ("every_scan",)  # both sides
    assert main(["run", "policy_all_vs_milestones", "--policy", "milestones", "--out",
                 str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "policy_all_vs_milestones.toml: counterfactual.policies: --policy milestones made " \
           "the scenario the same as its counterfactual" in err
    assert not (tmp_path / "r").exists()


def test_what_ifs_outside_the_run_are_a_warning(tmp_path: Path) -> None:
    peak = load("holiday_peak")
    assert plan_what_if(peak).warnings == ()
    assert plan_what_if(peak, days=2).warnings == (
        "the surge ×1.37 (Dec 16-21) is outside the run (acceptances Dec 10-11): both sides "
        "will be the same",)
    late = tiny_outage(tmp_path, text=TINY.replace("2026-11-10T10", "2027-03-01T10"))
    assert plan_what_if(load(str(late))).warnings == (
        "the carrier outage (2027-03-01 10:00, 5 h) is outside the run (acceptances Nov 9-10 "
        "+ 4 days' drain): both sides will be the same",)
    # Another what-if still differs: a warning, without "the same".
    both = tiny_outage(tmp_path, '[counterfactual]\nlabel = "x"\noff = ["faults", "scans"]\n',
                       text=TINY.replace("2026-11-10T10", "2027-03-01T10"), name="both.toml")
    (warning,) = plan_what_if(load(str(both))).warnings
    assert warning.endswith("drain)")


def test_replications_with_shards_is_one_error(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(tiny_outage(tmp_path)), "--replications", "2", "--shards", "2",
                 "--out", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err == "eccc run: --replications cannot be combined with --shards\n"


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
    # The pairs move together (common random numbers): the same difference in every pair,
    # so no spread to measure the noise from, and no (zero-width) interval.
    care = change("care_contacts", pairs)
    assert care is not None and care.identical and care.method == "identical in every pair"
    assert care.low is None and care.high is None and care.difference == 50
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
    chains = ["milestones", "quiet_hours", "cap_rolling:limit=3"]
    assert ctx["policies"] == doc["policies"] == {"scenario": chains, "counterfactual": chains}
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
    assert capsys.readouterr().err == ("eccc run: --no-counterfactual: the counterfactual (no "
                                       "outage) is skipped; the scenario runs alone\n")
    assert not (out / "what_changed.json").exists() and not (out / "counterfactual").exists()
    assert 'id="what-changed"' not in (out / "report.html").read_text()


@pytest.mark.slow
def test_the_header_gives_both_sides_policy_chains(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert main(["run", "policy_all_vs_milestones", "--policy", "quiet_hours", "--scale",
                 "0.002", "--days", "1", "--out", str(out), "--progress-s", "100"]) == 0
    err = capsys.readouterr().err
    assert ("  policies: scenario quiet_hours (--policy)\n            counterfactual "
            'milestones (its own: off = ["policies"] keeps it from --policy)\n') in err
    # The file's "the same week" is fitted to the run's one day, wherever the label is shown.
    assert err.index("counterfactual milestones") < err.index("counterfactual: the same day")
    assert "the same week" not in err
    doc = json.loads((out / "what_changed.json").read_text())
    assert doc["counterfactual"] == "the same day texting milestones only"
    assert "the same week" not in (out / "report.html").read_text()
    assert json.loads((out / "context.json").read_text())["counterfactual_windows"] == []
    assert doc["policies"] == {"scenario": ["quiet_hours"], "counterfactual": ["milestones"]}
    ctx = json.loads((out / "context.json").read_text())
    assert ctx["policies"] == doc["policies"]


@pytest.mark.slow
def test_run_replications_give_paired_intervals(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert main(["run", str(tiny_outage(tmp_path)), "--out", str(out), "--quiet", "--days",
                 "1", "--replications", "2"]) == 0
    assert "95% interval (n=2 pairs)" in capsys.readouterr().out
    doc = json.loads((out / "what_changed.json").read_text())
    assert doc["seeds"] == [3, 4]
    assert all(r["n"] == 2 and r["method"] in ("paired t", "paired t, cut to [-1, 1]",
                                               "identical in every pair", "")
               for r in doc["rows"])
    assert all(r["identical"] == (r["method"] == "identical in every pair") for r in doc["rows"])
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
    # The figures page draws the run directories given (the first replication, whole), and
    # names them as the table does, not replications/seed-3 (a summary alone).
    figures = (tmp_path / "cmp" / "comparison.html").read_text()
    assert "run/counterfactual vs run" in figures
    assert "no run has a texts column" not in figures and "seed-3" not in figures
    # differences.html shows what the terminal shows: units, signed differences, "%".
    diffs = (tmp_path / "cmp" / "differences.html").read_text()
    line = next(x for x in diffs.splitlines() if x.startswith("<tr><td>cost_usd<"))
    assert line.count("$") >= 3 and "%</td>" in line
    # A later run into the same directory removes the earlier what-if's pairs: compare
    # must not read them as this run's replications.
    assert main(["run", str(tiny_outage(tmp_path)), "--out", str(out), "--quiet", "--days",
                 "1", "--seed", "9", "--no-counterfactual"]) == 0
    assert not (out / "replications").exists()
    assert [s["seed"] for s in load_group(out).summaries] == [9]


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


def test_a_counterfactual_with_a_fault_the_scenario_lacks_has_its_windows_in_context(
        tmp_path: Path) -> None:
    """Only the scenario's windows were written (and shaded): a counterfactual file with
    a carrier outage the scenario has not showed nothing. Its windows are a second list,
    so a reader that knows only "windows" still shades the scenario's alone."""
    from research.whatif import write_context

    path = tiny_outage(tmp_path, '[counterfactual]\nlabel = "the same week with the outage"\n'
                       'scenario = "tiny"\n', text=TINY_NO_FAULTS, name="calm.toml")
    sc = load(str(path))
    plan = plan_what_if(sc, days=1)
    ctx = json.loads(write_context(tmp_path, sc, plan.counterfactual, days=1).read_text())
    assert ctx["windows"] == []
    assert ctx["counterfactual_windows"] == [{"start": "2026-11-10T10:00:00-07:00",
                                              "end": "2026-11-10T15:00:00-07:00",
                                              "label": "carrier outage"}]
    assert ctx["counterfactual"] == "the same day with the outage"  # a 1-day run
    # The same fault on both sides is the scenario's window, not listed twice.
    both = tiny_outage(tmp_path, '[counterfactual]\nlabel = "x"\noff = ["scans"]\n')
    sc = load(str(both))
    ctx = json.loads(write_context(tmp_path, sc, plan_what_if(sc).counterfactual).read_text())
    assert len(ctx["windows"]) == 1 and ctx["counterfactual_windows"] == []


def test_the_same_difference_in_every_pair_is_not_a_certain_interval() -> None:
    """texts_replies -3 in both of 2 pairs: the t interval is [-3, -3], which read as a
    certain effect. It is shown as identical in every pair, with no interval, in the
    terminal, what_changed.json and the report (an older file's zero-width interval too)."""
    from dataclasses import asdict

    from reports.html import what_changed_html
    from research.whatif import format_changes

    pairs = [({"texts_replies": 10, "opt_outs": 4, "care_contacts": 9},
              {"texts_replies": 13, "opt_outs": 3, "care_contacts": 7}),
             ({"texts_replies": 12, "opt_outs": 2, "care_contacts": 5},
              {"texts_replies": 15, "opt_outs": 3, "care_contacts": 3})]
    rows = {r.metric: r for r in changes(pairs)}
    same = rows["texts_replies"]
    assert same.identical and same.low is None and same.high is None
    assert same.difference == -3 and same.exceeds_noise is None
    assert rows["care_contacts"].verdict == "worse"  # as with one run: the noise is unknown
    assert not rows["opt_outs"].identical and rows["opt_outs"].low is not None
    text = format_changes(list(rows.values()), "x")
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("texts_replies"))
    assert "identical in every pair (n=2)" in line and "[" not in line
    assert "no spread to measure the noise from" in text
    doc = {"counterfactual": "x", "seeds": [1, 2], "rows": [asdict(r) for r in rows.values()]}
    assert doc["rows"][0]["identical"] is True and doc["rows"][0]["low"] is None
    page = what_changed_html(doc)
    assert "identical in every pair (n=2)" in page and "[-3, -3]" not in page
    old = {**doc["rows"][0], "low": -3.0, "high": -3.0, "method": "paired t"}
    del old["identical"]  # what_changed.json from before the field
    old_page = what_changed_html({**doc, "rows": [old]})
    assert "identical in every pair (n=2)" in old_page and "[-3, -3]" not in old_page


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


# ------------------------------------------------------------------ nothing to measure


def test_a_metric_with_nothing_to_measure_is_not_comparable_not_an_improvement() -> None:
    # The scenario's carrier was down all run: no text reached a handset, no latency.
    scen = {"latency_scan_to_handset_p95_s": None, "days_to_deliver_mean": 2.0,
            "texts_per_recipient_24h_max_mean": None}
    cf = {"latency_scan_to_handset_p95_s": 120.0, "days_to_deliver_mean": None,
          "texts_per_recipient_24h_max_mean": 3.5}
    rows = {r.metric: r for r in changes([(scen, cf)], metrics=list(scen))}
    lat = rows["latency_scan_to_handset_p95_s"]
    assert lat.scenario is None and lat.counterfactual == 120.0 and lat.difference is None
    assert lat.verdict == "" and not lat.unchanged
    assert lat.not_comparable == "not comparable: no texts reached a handset in the scenario"
    days = rows["days_to_deliver_mean"]
    assert days.not_comparable == "not comparable: no deliveries in the counterfactual"
    assert days.verdict == "" and days.pct is None
    # with replications: one pair without deliveries is enough to withhold a verdict
    two = change("days_to_deliver_mean", [({"days_to_deliver_mean": 2.0},
                                           {"days_to_deliver_mean": 2.5}), (scen, cf)])
    assert two is not None and two.verdict == "" and two.not_comparable.endswith(
        "counterfactual (1 of 2 pairs)")
    from research.whatif import format_changes
    text = format_changes(list(rows.values()), "x")
    line = next(x for x in text.splitlines() if "latency_scan_to_handset_p95_s" in x)
    assert " n/a " in line and "better" not in line and "-100" not in line
    from reports.html import what_changed_html
    from research.whatif import asdict
    page = what_changed_html({"rows": [asdict(r) for r in rows.values()], "seeds": [1]})
    assert "not comparable: no deliveries in the counterfactual" in page
    assert " better<" not in page and "-100" not in page and ">n/a<" in page


def test_an_empty_population_is_null_in_the_summary(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # The carrier is down from before the start to after the drain: nothing is delivered.
    text = TINY.replace("2026-11-10T10:00:00-07:00", "2026-11-08T00:00:00-07:00").replace(
        "hours = 5", "hours = 300")
    out = tmp_path / "run"
    assert main(["run", str(tiny_outage(tmp_path, text=text)), "--out", str(out), "--quiet",
                 "--days", "1", "--scale", "0.3"]) == 0
    printed = capsys.readouterr().out
    s = json.loads((out / "summary.json").read_text())
    assert s["texts_delivered_handset"] == 0
    for name in ("latency_scan_to_handset_p95_s", "latency_submit_to_handset_mean_s",
                 "texts_per_recipient_24h_max_mean", "texts_per_recipient_24h_share_over_3"):
        assert s[name] is None, name
    doc = json.loads((out / "what_changed.json").read_text())
    row = next(r for r in doc["rows"] if r["metric"] == "latency_scan_to_handset_p95_s")
    assert row["scenario"] is None and row["difference"] is None
    assert row["not_comparable"].startswith("not comparable: no texts reached a handset")
    line = next(x for x in printed.splitlines() if "latency_scan_to_handset_p95_s" in x
                and "not comparable" in x)
    assert "better" not in line
    assert "None" not in printed
    from reports.registry import METRICS
    m = METRICS.find("days_to_deliver_mean")
    assert m is not None and m.empty == "no deliveries"
    # eccc compare: n/a, and no test of a difference that is not there
    assert main(["compare", str(out / "counterfactual"), str(out), "--out",
                 str(tmp_path / "cmp"), "--all"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines()
                if x.startswith("latency_scan_to_handset_p95_s"))
    assert "n/a" in line and "not comparable" in line and "-100" not in line
    assert "not comparable" in (tmp_path / "cmp" / "differences.html").read_text()


def test_compare_refuses_a_sharded_run_against_an_exact_one_and_the_same_run_twice(
        tmp_path: Path) -> None:
    from research.comparison import CompareError, Group, compare, mismatches

    exact = {"scale": 0.1, "days": 1, "texts_total": 10}
    sharded = {**exact, "shards": 2}
    groups = [Group("a", [tmp_path], [exact], ["a"]), Group("b", [tmp_path], [sharded], ["b"])]
    assert mismatches(groups) == ["shards: one model (exact) in a but 2 shards merged in b"]
    assert mismatches([groups[1], Group("c", [tmp_path], [sharded], ["c"])]) == []
    run = tmp_path / "run"
    run.mkdir()
    (run / "summary.json").write_text(json.dumps(exact))
    with pytest.raises(CompareError, match="are the same run"):
        compare([run, tmp_path / "." / "run"], tmp_path / "cmp")


def test_small_changes_keep_their_digits() -> None:
    from reports.html import fmt_pct

    assert fmt_pct(-0.02) == "-0.02%"
    assert fmt_pct(0.004) == "+<0.01%"
    assert fmt_pct(-12.345) == "-12.3%" and fmt_pct(0.0) == "+0.0%" and fmt_pct(None) == "from 0"
    row = Change("opt_outs", "count", "lower", 4999.0, 5000.0, -1.0, -0.02)
    from research.whatif import format_changes
    assert "-0.02% better" in format_changes([row], "x")


@pytest.mark.parametrize("chain", [
    '["milestones", "quiet_hours", "cap_rolling"]',  # limit 3 is the default
    '["milestones", "quiet_hours", "cap_rolling: limit=3"]',
    '["milestones:", " quiet_hours", "cap_rolling:limit=3,"]',
])
def test_a_chain_spelt_differently_is_the_same_chain(tmp_path: Path, chain: str) -> None:
    block = f'[counterfactual]\nlabel = "x"\noff = ["policies"]\npolicies = {chain}\n'
    with pytest.raises(ScenarioError, match=r"counterfactual\.policies: the same chain"):
        plan_what_if(load(str(tiny_outage(tmp_path, block, text=TINY_NO_FAULTS))))
    # a real difference in a parameter is a what-if
    other = block.replace("cap_rolling", "cap_rolling:limit=4,").replace(":limit=4,:", ":")
    if "limit=3" not in other:
        plan = plan_what_if(load(str(tiny_outage(tmp_path, other, text=TINY_NO_FAULTS,
                                                 name="o.toml"))))
        assert plan.counterfactual_policies[-1] == "cap_rolling:limit=4,"


def test_a_policy_override_spelt_differently_still_makes_both_sides_the_same(
        tmp_path: Path) -> None:
    block = '[counterfactual]\nlabel = "x"\noff = ["policies"]\npolicies = ["every_scan"]\n'
    sc = load(str(tiny_outage(tmp_path, block, text=TINY_NO_FAULTS)))
    with pytest.raises(ScenarioError, match="--policy every_scan: made the scenario the same"):
        plan_what_if(sc, policies=["every_scan:"])


def test_a_window_outside_the_run_is_neither_shaded_nor_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from reports.render import load_run

    late = tiny_outage(tmp_path, text=TINY.replace("2026-11-10T10", "2027-03-01T10"))
    out = tmp_path / "run"
    assert main(["run", str(late), "--out", str(out), "--quiet", "--days", "1",
                 "--scale", "0.3"]) == 0
    assert "both sides will be the same" in capsys.readouterr().err
    page = (out / "report.html").read_text()
    assert "Shaded" not in page and "Look at the shaded" not in page
    run = load_run(out)
    assert run.windows == [] and run.hours
    # One that starts before the run and ends inside it is cut to the run's first hour.
    ctx = json.loads((out / "context.json").read_text())
    first = run.hours[0]
    ctx["windows"] = [{"start": "2026-11-01T00:00:00+00:00",
                       "end": (first + (run.hours[1] - first) * 3).isoformat(),
                       "label": "carrier outage"}]
    (out / "context.json").write_text(json.dumps(ctx))
    ((start, end, _),) = load_run(out).windows
    assert start == first and end == run.hours[3]


def test_nobody_texted_has_no_texts_per_recipient() -> None:
    from engine.tally import OutputTally
    from research.shards import merge

    m = OutputTally().metrics()
    assert m["recipients_texted"] == 0 and m["texts_total"] == 0
    for name in ("texts_per_recipient_mean", "texts_per_recipient_p50",
                 "texts_per_recipient_p95", "texts_per_recipient_max"):
        assert m[name] is None, name
    # shards of such runs merge to null, not 0 (and not a crash)
    s = {"texts_per_recipient_max": None, "days_to_deliver_mean": None,
         "days_to_deliver_sum": 0.0, "parcels_delivered": 0}
    merged = merge([(s, {}), (s, {})]).summary
    assert merged["texts_per_recipient_max"] is None and merged["days_to_deliver_mean"] is None
