"""Same inputs, same outputs, byte for byte, in any process (docs/architecture.md).

Replays the shipped example trace with ``eccc replay`` in fresh interpreters
under different PYTHONHASHSEEDs: string hashing, and so the iteration order
of any set or dict built from strings, differs between them. The output
files and the printed metrics must not.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[1]
TRACE = ROOT / "scenarios" / "example_trace.jsonl"
SEEDS = ("0", "1", "12345")
CHAINS = {
    "every_scan": ("every_scan",),
    "held": ("milestones", "digest:minutes=60", "quiet_hours", "cap_rolling:limit=3"),
}


def _replay(policies: tuple[str, ...], seed: str, out: Path) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "eccc.cli", "replay", str(TRACE), "--out", str(out),
            "--json", "--quiet", "--strict"]
    for policy in policies:
        args += ["--policy", policy]
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_replay_is_byte_identical_across_hash_seeds(chain: str, tmp_path: Path) -> None:
    policies = CHAINS[chain]
    runs = {seed: _replay(policies, seed, tmp_path / f"out-{seed}.jsonl") for seed in SEEDS}
    printed = {}
    for seed, proc in runs.items():
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 0, stderr.decode()
        printed[seed] = stdout
    files = {seed: (tmp_path / f"out-{seed}.jsonl").read_bytes() for seed in SEEDS}

    first = files[SEEDS[0]]
    records = [orjson.loads(line) for line in first.splitlines()]
    assert sum(r["kind"] == "sms" and r["cause"].startswith("scan:") for r in records) > 100
    assert any(r["kind"] == "reply" for r in records)
    if chain == "held":
        assert any(r["kind"] == "held" for r in records)
    for seed in SEEDS[1:]:
        assert files[seed] == first, f"outputs differ between PYTHONHASHSEED={SEEDS[0]} and {seed}"
        assert printed[seed] == printed[SEEDS[0]]
    metrics = orjson.loads(printed[SEEDS[0]])
    assert metrics["inputs_rejected"] == 0
    assert metrics["inputs_accepted"] == len(TRACE.read_bytes().splitlines())
