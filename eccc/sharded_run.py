"""``eccc run --shards N``: one big run as N shards, run on an executor and merged
(an approximation: research/shards.py); its own run directory, lines and table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from eccc.run_command import HEADLINE
from scenarios.schema import Scenario


def run_sharded_to_dir(sc: Scenario, seed: int, out: Path, policies: tuple[str, ...] | None,
                 args: argparse.Namespace, scale: float) -> int:
    """``--shards N``: split, run on an executor, merge; write summary and histograms."""
    import time

    import orjson

    from reports.summary import format_table
    from research.executors import make_executor
    from research.shards import run_sharded
    from sim.run import begin_run_dir, finish_run_dir

    t0 = time.perf_counter()
    executor = make_executor(args.workers, args.dask)
    # As for one run: no earlier run's files beside this one's, INCOMPLETE until written.
    begin_run_dir(out)

    def on_shard(done: int, n: int) -> None:
        if not args.quiet:
            print(f"eccc run {sc.name}: shard {done} of {n} done after "
                  f"{time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)

    if not args.quiet:
        print(f"eccc run {sc.name}: {args.shards} shards of 1/{args.shards} of the volume at "
              f"scale {scale:g} on {executor.name}; a line as each finishes", file=sys.stderr)
    try:
        merged = run_sharded(sc.model_dump(mode="json"), seed, args.shards, executor,
                             scale=scale, days=args.days, policies=policies,
                             on_shard=on_shard)
    except KeyboardInterrupt:
        print(f"\neccc run: interrupted; {out}/ is incomplete (see {out}/INCOMPLETE)",
              file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"eccc run: {exc}; {out}/ is incomplete", file=sys.stderr)
        return 1
    finally:
        executor.close()
    s = merged.summary
    diag = [f"Sharded run: {args.shards} shards of 1/{args.shards} of the volume and of every "
            f"shared capacity, on {executor.name}, merged exactly (research/shards.py).",
            "An approximation: n small queues are not one big one (pooling is lost, integer "
            "agents and servers round, the gateway's rate is enforced per shard)."]
    diag += [f"  merge gap: {g}" for g in merged.gaps]
    diag.append("Little's law per station (merged sums; see summary.json)")
    diag += [f"  {k.removeprefix('facility_').removesuffix('_littles_law_error'):<22} "
             f"error={100 * v:6.3f}%" for k, v in s.items() if k.endswith("_littles_law_error")]
    (out / "summary.json").write_bytes(
        orjson.dumps(s, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    (out / "distributions.json").write_bytes(orjson.dumps(merged.distributions))
    (out / "diagnostics.txt").write_text("\n".join(diag) + "\n")
    finish_run_dir(out)
    rows: dict[str, Any] = {k: s[k] for k in ("shards", *HEADLINE) if k in s}
    print(format_table(rows, f"eccc run {sc.name} (seed {seed}, scale {scale:g}, "
                             f"{args.shards} shards)"))
    print("\n".join(diag))
    print(f"run written to {out}/ (summary.json, distributions.json, diagnostics.txt; no "
          f"report for a sharded run) in {time.perf_counter() - t0:.1f} s")
    return 0
