"""`eccc metrics`, the generated docs page and sweep-file validation, all from the registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eccc.cli import main
from reports.glossary import markdown
from reports.registry import METRICS

ROOT = Path(__file__).resolve().parent.parent


def test_docs_page_is_generated_from_the_registry() -> None:
    page = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert page == markdown() + "\n", "regenerate with make docs"


def test_metrics_lists_every_metric(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics"]) == 0
    out = capsys.readouterr().out
    for name in METRICS:
        assert f"  {name}  [" in out
    assert "LATENCY: How long from scan to handset" in out


def test_metrics_json_and_one_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "--json", "facility_denver_sdc_queue_mean"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["group"] == "network" and "denver_sdc" in row["definition"]
    assert main(["metrics", "--json", "--group", "cost"]) == 0
    assert {r["group"] for r in json.loads(capsys.readouterr().out)} == {"cost"}


def test_metrics_unknown_name_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "opt_out"]) == 2
    assert "did you mean 'opt_outs'" in capsys.readouterr().err


def test_sweep_with_misspelt_metric_is_refused_before_running(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sweep = tmp_path / "s.toml"
    sweep.write_text('name = "s"\nbase = "tiny"\nreplications = 1\n'
                     'metrics = ["texts_total", "care_contcts"]\n'
                     '[[points]]\npolicies = ["milestones"]\n')
    out = tmp_path / "out"
    assert main(["sweep", str(sweep), "--workers", "1", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "metrics: unknown metric 'care_contcts'; did you mean 'care_contacts'" in err
    assert not out.exists()


def test_sweep_pareto_names_are_checked_too(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    sweep = tmp_path / "s.toml"
    sweep.write_text('name = "s"\nbase = "tiny"\nmetrics = ["opt_outs"]\n'
                     '[pareto]\nminimize = ["optouts"]\n')
    assert main(["sweep", str(sweep), "--workers", "1", "--out", str(tmp_path / "o")]) == 2
    assert "pareto.minimize: unknown metric 'optouts'" in capsys.readouterr().err


def test_group_is_read_in_any_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "--json", "--group", "Fatigue"]) == 0
    assert {r["group"] for r in json.loads(capsys.readouterr().out)} == {"fatigue"}
    assert main(["metrics", "--group", "COST"]) == 0
    assert capsys.readouterr().out.startswith("COST:")


@pytest.mark.parametrize("argv", [["metrics"], ["metrics", "--json"]])
def test_output_to_a_closed_pipe_ends_quietly(argv: list[str]) -> None:
    """`eccc metrics | head -1` printed a BrokenPipeError traceback (exit 1)."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write: as head after its lines
    try:
        done = subprocess.run([sys.executable, "-m", "eccc", *argv], stdout=write,
                              stderr=subprocess.PIPE, cwd=ROOT, check=False,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        os.close(write)
    assert done.stderr == b"" and done.returncode == 141
