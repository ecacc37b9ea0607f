"""``eccc run``: run a scenario and write its run directory.

The run directory (read by ``reports.render``):
  summary.json        flat {metric: number or string}, sorted keys
  series.csv          one row per simulated hour
  distributions.json  latency samples; histograms of texts per recipient (over the
                      run, and max per 24 h) and of days to deliver
  messages.csv.gz     every engine decision about a text (recipient masked),
                      streamed (gzip) as the run goes (sim.messagelog)
  INCOMPLETE          present while the run is going or if it did not finish
  trace.jsonl         with --trace: every engine input, replayable by ``eccc replay``
  diagnostics.txt     Little's law per station, calibration (docs/facts.md)
Nothing that depends on the wall clock goes into ``summary.json``, so the same
scenario and seed give a byte-identical file. Every share and mean in it has
its numerator and denominator beside it, so shards merge exactly (research.shards).

``run_scenario`` is the pure entry point (summary and distributions, no files)
for sweeps and shards; ``run_to_dir`` is ``eccc run``'s, with the run directory.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from scenarios.schema import DRAIN_DAYS, Scenario, parse
from sim.messagelog import NAME as MESSAGES
from sim.messagelog import MessageLog
from sim.metrics import _r
from sim.model import Model
from sim.netstation import StationFacility
from sim.progress import peak_rss_mb
from sim.station import run_stations


@dataclass
class RunResult:
    summary: dict[str, Any]
    diagnostics: list[str]
    wall_s: float
    out: Path | None
    # ``workers=2``: each process's times (``sim.pipeline``): network and messaging
    processes: dict[str, Any] | None = None


def summarise(m: Model) -> dict[str, Any]:
    """The flat summary of a finished model."""
    sc = m.scenario
    s: dict[str, Any] = {
        "scenario": sc.name, "seed": m.seed, "scale": m.scale, "days": m.days,
        "policies": ",".join(m.policies),
        "held_quiet_hours": 0, "opt_outs": m.customers.opt_outs,
    }
    s.update(m.tally.metrics())
    s.update(m.audit.metrics())  # the legal-risk audit (engine.audit): counts, they add
    g = m.gateway
    s.update(texts_submitted=g.submitted, texts_delivered_handset=g.delivered,
             texts_failed=g.failed, texts_expired=g.expired, texts_retried=g.retried,
             texts_inbound=m.customers.inbound, status_questions=m.customers.status_questions,
             help_requests=m.customers.help_requests,
             quiet_requests=m.customers.quiet_requests)
    gw = sc.gateway
    span = m.t_end - m.t_begin
    s["run_span_h"] = _r(span / 3600)
    # The short code's monthly fee pro-rated over the run, apart from what each
    # segment costs: shards of one run share the fee (research.shards counts it once).
    fixed = gw.short_code_usd_per_month * span / 86400 / 30.4
    per_segment = (s["segments_total"] + m.customers.inbound) * gw.cost_per_segment_usd
    s["cost_fixed_usd"] = _r(fixed)
    s["cost_segments_usd"] = _r(per_segment)
    s["cost_usd"] = _r(per_segment + fixed, 2)
    notifications = s["texts_notifications"]
    s["opt_out_rate_per_text"] = _r(m.customers.opt_outs / notifications) if notifications else None
    lat, _ = m.metrics.latency_summary()
    s.update(lat)
    s.update(m.metrics.recipients_24h())
    s.update(m.metrics.parcels_summary(m.followed))
    fp = m.followed
    s["scans_total"] = m.scans.count
    s["scan_errors"] = m.scans.errors
    s["scans_tracked_delivered"] = fp.scans_delivered
    s["scans_per_parcel_delivered"] = (_r(fp.scans_delivered / fp.delivered, 4)
                                       if fp.delivered else None)
    s["texts_per_parcel_mean"] = _r(notifications / fp.count, 4) if fp.count else None
    care = m.care
    s.update(
        care_contacts=care.contacts, care_answered=care.answered, care_abandoned=care.abandoned,
        care_abandon_share=_r(care.abandoned / care.contacts, 4) if care.contacts else None,
        care_wait_sum_s=_r(care.wait_sum),
        care_wait_mean_s=_r(care.wait_sum / care.answered, 2) if care.answered else None,
        care_cost_usd=_r(care.answered * sc.care.cost_per_contact_usd, 2),
        cost_total_usd=_r(s["cost_usd"] + care.answered * sc.care.cost_per_contact_usd, 2),
        care_late_tracked=m.customers.late_tracked,
        care_contacts_expected_tracked=_r(m.customers.care_expected, 3),
        # Analytic counterfactual over the same late parcels (common random numbers):
        # without texts every late customer is uninformed.
        care_contacts_avoided_vs_no_sms=_r(m.customers.care_expected_no_sms
                                           - m.customers.care_expected, 3),
    )
    for f in m.facilities:
        if f.kind == "acceptance":
            continue
        big_l, _, err = f.stats.littles_law(m.t_end)
        cap = f.cap_h * f.open_s / 3600
        s[f"facility_{f.name}_processed"] = f.processed
        s[f"facility_{f.name}_utilisation"] = _r(f.processed / cap, 4) if cap else 0.0
        s[f"facility_{f.name}_queue_mean"] = _r(big_l, 2)
        s[f"facility_{f.name}_wait_mean_h"] = (
            _r(f.stats.wait_sum / f.stats.departures / 3600, 4) if f.stats.departures else 0.0)
        s[f"facility_{f.name}_littles_law_error"] = _r(err, 6)
        # The sums behind L, lambda and W (L = area / span, lambda = arrivals / span,
        # W = wait sum / processed), so shards' Little's law merges exactly.
        s[f"facility_{f.name}_arrivals"] = f.stats.arrivals
        s[f"facility_{f.name}_queue_area_h"] = _r(f.stats.area / 3600)
        s[f"facility_{f.name}_wait_sum_h"] = _r(f.stats.wait_sum / 3600)
        if isinstance(f, StationFacility):  # busy time, not sort capacity
            s[f"facility_{f.name}_utilisation"] = (
                _r(f.busy_s / (f.servers * f.open_s), 4) if f.open_s else 0.0)
            s.update(f.summary())
    s["engine_inputs"] = m.engine_inputs
    s["engine_late_pushes"] = m.late_pushes
    return dict(sorted(s.items()))


def diagnostics(m: Model, s: dict[str, Any]) -> list[str]:
    lines = ["Little's law per station (L = lambda W over the whole run)"]
    for f in m.facilities:
        if f.kind == "acceptance":
            continue
        big_l, lam_w, err = f.stats.littles_law(m.t_end)
        lines.append(f"  {f.name:<22} L={big_l:12.2f}  lambda*W={lam_w:12.2f}  "
                     f"error={100 * err:6.3f}%")
    stations = [f for f in m.facilities if isinstance(f, StationFacility)]
    if stations:
        lines.append("Stations (mode = station): mean queue wait vs Erlang C for the measured "
                     "arrival rate; Little's law with L on a time grid, over the window")
        for st in stations:
            lines.extend(st.diagnostics(s))
    lines.append(f"Followed parcels folded into counts {m.followed.grace_days} days after they "
                 f"closed (sim.followed); notifications about a parcel reaching a handset after "
                 f"its fold: {m.followed.texts_after_fold}")
    if m.scenario.calibration:
        lines.append("Calibration (scenario targets; sources in docs/facts.md)")
        for key, target in sorted(m.scenario.calibration.items()):
            got = s.get(key)
            if isinstance(got, int | float) and target:
                lines.append(f"  calibration_{key}: target {target}, got {got}, "
                             f"off by {100 * (got - target) / target:+.1f}%")
            else:
                lines.append(f"  calibration_{key}: target {target}, not measured")
    return lines


def write_run(out: Path, m: Model, s: dict[str, Any], diag: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    header, rows = m.metrics.series_rows()
    with (out / "series.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    (out / "distributions.json").write_bytes(orjson.dumps(m.metrics.distributions()))
    (out / "diagnostics.txt").write_text("\n".join(diag) + "\n")
    (out / "summary.json").write_bytes(  # last: a summary means the files beside it are whole
        orjson.dumps(s, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")


def run_scenario(scenario: Scenario | Mapping[str, Any], seed: int, *,
                 policies: tuple[str, ...] | None = None, scale: float | None = None,
                 days: float | None = None,
                 progress: bool | Callable[[Model, float], None] = False,
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run one scenario (a ``Scenario`` or its dict form) with ``seed``; nothing on disk.
    ``progress``: as ``Model.run``'s.

    Returns ``(summary, distributions)``: the flat ``summary.json`` mapping and the
    histograms and latency samples of ``distributions.json``, which is what shards
    need to merge exactly (``research.shards.merge``). A scenario of continuous stations
    only has no distributions (``{}``).
    """
    sc = scenario if isinstance(scenario, Scenario) else parse(dict(scenario))
    if sc.network is None:
        summary, _ = run_stations(sc, seed=seed, days=days)
        return summary, {}
    m = Model(sc, seed=seed, scale=scale, days=days, policies=policies, log_messages=False)
    m.run(progress=progress)
    return summarise(m), m.metrics.distributions()


def run_to_dir(sc: Scenario, *, seed: int | None = None, scale: float | None = None,
               days: float | None = None, out: Path | None = None, trace: bool = False,
               progress: bool | Callable[[Model, float], None] = False,
               policies: tuple[str, ...] | None = None, drain_days: float = DRAIN_DAYS,
               workers: int = 1) -> RunResult:
    """``eccc run``: run ``sc`` and write the run directory when ``out`` is given.

    ``workers`` 2 (or more) runs the network and the messaging side in two processes
    (``sim.pipeline``): the same files, byte for byte, sooner.

    The directory holds ``INCOMPLETE`` from the start until every file is written, so
    an interrupted run (Ctrl-C, a crash) never looks finished; ``summary.json`` is
    written last but one. ``scale`` None is the scenario's own.
    """
    t0 = time.perf_counter()
    if out is not None:
        begin_run_dir(out)
    if sc.network is None:
        s, diag = run_stations(sc, seed=sc.seed if seed is None else seed, days=days)
        if out is not None:
            (out / "diagnostics.txt").write_text("\n".join(diag) + "\n")
            (out / "summary.json").write_bytes(
                orjson.dumps(s, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
            finish_run_dir(out)
        return RunResult(s, diag, time.perf_counter() - t0, out)
    fh = None
    log = None
    processes = None
    try:
        if out is not None:
            log = MessageLog(out / MESSAGES)
            if trace:
                fh = (out / "trace.jsonl").open("wb")
        kw: dict[str, Any] = {"seed": seed, "scale": scale, "days": days,
                              "policies": policies, "trace": fh, "drain_days": drain_days,
                              "messages": log, "log_messages": False}
        m: Model
        if workers > 1:
            from sim.pipeline import pipelined

            c0 = time.process_time()
            with pipelined(sc, **kw) as pm:
                pm.run(progress=progress)
            m = pm
            processes = {"network": pm.network,
                         "messaging": {"cpu_s": time.process_time() - c0,
                                       "wall_s": time.perf_counter() - t0,
                                       "wait_s": pm.wait_s, "unpickle_s": pm.unpickle_s,
                                       "peak_rss_mb": peak_rss_mb()}}
        else:
            m = Model(sc, **kw)
            m.run(progress=progress)
    finally:
        if fh is not None:
            fh.close()
        if log is not None:
            log.close()
    s = summarise(m)
    diag = diagnostics(m, s)
    if out is not None:
        write_run(out, m, s, diag)
        finish_run_dir(out)
    return RunResult(s, diag, time.perf_counter() - t0, out, processes)


INCOMPLETE = "INCOMPLETE"
# What a finished run writes: removed when a run starts in the same directory, so an
# old run's summary never sits beside a new run's partial files.
# Every kind of run (one process, two, shards, a what-if and its replications) writes
# these, the report's context and figures included: an old run's context.json or figures
# beside a new sharded run's summary described a run that was not there.
RUN_FILES = ("summary.json", "series.csv", "distributions.json", MESSAGES, "messages.csv",
             "trace.jsonl", "diagnostics.txt", "report.html", "context.json",
             "what_changed.json")
RUN_PATTERNS = ("*.png",)  # the report's figures (reports/render.py), one per figure
RUN_DIRS = ("counterfactual", "replications")  # a what-if's other side and its pairs


def begin_run_dir(out: Path) -> None:
    """Mark ``out`` INCOMPLETE and remove every file an earlier run of any kind wrote
    there (a directory of the user's own beside them stays: only run outputs go)."""
    import shutil

    out.mkdir(parents=True, exist_ok=True)
    (out / INCOMPLETE).write_text("This run did not finish (interrupted or failed); its files "
                                  "are partial.\n")
    for name in RUN_FILES:
        (out / name).unlink(missing_ok=True)
    for pattern in RUN_PATTERNS:
        for path in out.glob(pattern):
            if path.is_file():
                path.unlink()
    for name in RUN_DIRS:
        sub = out / name
        if sub.is_dir() and not sub.is_symlink() and _written_by_a_run(sub):
            shutil.rmtree(sub)


def _written_by_a_run(sub: Path) -> bool:
    """A counterfactual/ (a run directory) or replications/ (of seed-S run directories)."""
    runs = [sub, *sub.glob("seed-*")]
    return any((r / "summary.json").is_file() or (r / INCOMPLETE).is_file() for r in runs)


def finish_run_dir(out: Path) -> None:
    (out / INCOMPLETE).unlink(missing_ok=True)
