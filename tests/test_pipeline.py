"""The two-process run (``eccc run --workers 2``, sim/pipeline.py) gives the one-process bytes.

Whole runs: every file of the run directory, byte for byte, on ``tiny`` (with a
trace) and on a network with a facility closure and continuous stations. And the
order argument itself, on a toy network built to be adversarial: parcels whose
scans fall exactly on the pump's drain boundary, several at one instant, from
processes whose events come before and after the pump's at equal times, next to
the 8 PM late checks and their care calls; the network side's ops replayed in
this process must reach the engine in the one-process order.
"""

from __future__ import annotations

import io
import queue
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
import simpy

from eccc.cli import main
from scenarios.schema import Scenario, load
from sim.model import PUMP_S, Model
from sim.pipeline import END, MessagingSide, NetworkSide, PipelineError, network_state
from sim.run import run_to_dir


def _same_files(a: Path, b: Path) -> list[str]:
    names = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    return names


def test_tiny_two_processes_byte_identical(tmp_path: Path) -> None:
    sc = load("tiny")
    one = run_to_dir(sc, out=tmp_path / "one", trace=True)
    two = run_to_dir(sc, out=tmp_path / "two", trace=True, workers=2)
    names = _same_files(tmp_path / "one", tmp_path / "two")
    assert {"summary.json", "series.csv", "distributions.json", "messages.csv.gz",
            "trace.jsonl", "diagnostics.txt"} <= set(names)
    assert one.summary["texts_total"] > 100 and one.summary["care_contacts"] > 0
    assert one.processes is None
    assert two.processes is not None
    net = two.processes["network"]
    assert net["ops"] > 1000 and net["batches"] > 10  # the network really ran apart


def test_station_network_with_closure_two_processes(tmp_path: Path) -> None:
    """Continuous stations (their grid, Erlang C keys) and a facility closure."""
    sc = load("network_station")
    closure = {"kind": "facility_closure", "facility": sc.network.facilities[1].name,  # type: ignore[union-attr]
               "start": f"{sc.start}T20:00:00-07:00", "hours": 10}
    sc = Scenario.model_validate({**sc.model_dump(mode="json"), "faults": [closure]})
    run_to_dir(sc, out=tmp_path / "one", days=1)
    run_to_dir(sc, out=tmp_path / "two", days=1, workers=2)
    names = _same_files(tmp_path / "one", tmp_path / "two")
    assert "summary.json" in names


@pytest.mark.slow
def test_what_if_through_the_command_line(tmp_path: Path) -> None:
    """``eccc run WHATIF --workers 2``: the run, its counterfactual and what changed."""
    for w, name in (("1", "one"), ("2", "two")):
        assert main(["run", "carrier_outage", "--scale", "0.01", "--days", "1", "--quiet",
                     "--workers", w, "--out", str(tmp_path / name)]) == 0
    names = _same_files(tmp_path / "one", tmp_path / "two")  # the report and figures too
    assert {"what_changed.json", "counterfactual/messages.csv.gz", "report.html",
            "volume.png"} <= set(names)


def test_workers_and_dask_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "tiny", "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err
    assert main(["run", "tiny", "--dask", "local"]) == 2
    assert "use --workers 2" in capsys.readouterr().err


# ------------------------------------------------------------ the order, adversarially
def _toy_network(m: Model) -> None:
    """Followed parcels whose scans land on drain boundaries, from processes ordered
    before (``early``) and after (``late``) the pump's tick at the same instant."""
    env = m.env
    region = m.regions[0]
    zone = region.zone

    def parcels(offset: int, first: bool) -> Generator[simpy.Event, object, None]:
        if not first:
            yield env.timeout(0)  # re-scheduled after the pump's start: after it at ties
        k = 0
        while env.now < m.t_begin + 86400:
            yield env.timeout(PUMP_S)
            k += 1
            if k % 3:
                continue
            now = env.now
            boundary = now - m.LAG_S  # exactly the ``until`` of this tick's drain
            p = piece = m.arrivals._tracked(0, 0, boundary + offset, int(now // 86400) + 1)
            # on the boundary (twice), just inside it, a tick ahead, and behind the
            # previous boundary (the pump clamps it to its clock: ``late_pushes``)
            for at in (boundary, boundary, boundary - 1, boundary + PUMP_S,
                       boundary - PUMP_S - 1):
                m.scans.emit(p, "10", at, region, facility=True)
            if k % 9 == 0:
                m.followed.exception(p)
            if k % 2 == 0:  # delivered at once: closed now, folded after the grace
                m.scans.emit(p, "01", boundary, region)
                m.metrics.delivered(1, p.accepted_at, boundary, piece, zone, parcel=p)
            elif k % 5 == 0:
                m.metrics.returned(1, piece, parcel=p)

    env.process(parcels(0, True))
    env.process(parcels(1, False))


class ToyModel(Model):
    def start_network(self) -> None:
        _toy_network(self)


class ToyNetwork(NetworkSide):
    def start_network(self) -> None:
        _toy_network(self)


class _Queue:
    def __init__(self, items: list[bytes]) -> None:
        self.items = items

    def get(self, timeout: float) -> bytes:
        if not self.items:
            raise queue.Empty
        return self.items.pop(0)


class _Ended:
    exitcode = 0

    def is_alive(self) -> bool:
        return False


def _toy_scenario() -> Scenario:
    sc = load("tiny")
    # a care centre that answers calls at any hour, and many late parcels reach it
    return Scenario.model_validate({**sc.model_dump(mode="json"),
                                    "customers": {**sc.customers.model_dump(mode="json"),
                                                  "care_if_uninformed": 0.5}})


def _replayed(sc: Scenario, batches: list[bytes], **kw: Any) -> MessagingSide:
    b = MessagingSide(sc, proc=_Ended(), q=_Queue(batches), **kw)
    b.run()
    return b


def test_replay_order_equals_one_process_order_adversarially() -> None:
    sc = _toy_scenario()
    kw: dict[str, Any] = {"days": 1, "drain_days": 2.0}
    one_trace = io.BytesIO()
    one = ToyModel(sc, trace=one_trace, **kw)
    one.run()

    batches: list[bytes] = []
    a = ToyNetwork(sc, put=batches.append, **kw)
    a.start()
    a.advance(a.t_end)
    a.ops.append((END,))
    a.ship(("end", a.ops, network_state(a), {}))
    two_trace = io.BytesIO()
    b = _replayed(sc, batches, trace=two_trace, **kw)

    assert one.engine_inputs > 1000
    assert two_trace.getvalue() == one_trace.getvalue()  # every input, in the same order
    assert b.messages == one.messages
    assert b.late_pushes == one.late_pushes > 0
    assert (b.care.contacts, b.care.answered, b.care.abandoned) == (
        one.care.contacts, one.care.answered, one.care.abandoned)
    assert one.care.contacts > 0
    assert (b.followed.delivered, b.followed.exceptions, b.followed.scans_delivered) == (
        one.followed.delivered, one.followed.exceptions, one.followed.scans_delivered)
    assert one.followed.exceptions > 0


def test_replay_out_of_step_is_an_error() -> None:
    """A stream whose markers do not match this side's sync events is refused."""
    sc = _toy_scenario()
    batches: list[bytes] = []
    a = NetworkSide(sc, put=batches.append, days=1, drain_days=1.0)
    a.ship(("ops", [(10,), (11, 0, 0)], 0))  # a late-check marker where a tick falls
    with pytest.raises(PipelineError, match="out of step"):
        _replayed(sc, batches, days=1, drain_days=1.0)


class _Sink:
    def __init__(self) -> None:
        self.items: list[bytes] = []

    def put(self, data: bytes) -> None:
        self.items.append(data)

    def close(self) -> None:
        pass

    def join_thread(self) -> None:
        pass


def test_a_failed_network_process_stops_the_run_with_its_reason() -> None:
    from sim.pipeline import _network_main

    sc = load("tiny")
    sink = _Sink()
    _network_main(sc.model_dump(mode="json"), {"days": 1, "no_such_option": 1}, sink)
    with pytest.raises(PipelineError, match=r"(?s)network process failed.*no_such_option"):
        _replayed(sc, sink.items, days=1)
    with pytest.raises(PipelineError, match="ended without finishing"):
        _replayed(sc, [], days=1)  # nothing came and the process is gone
