"""The front with confidence: paired dominance, groups, labels that never overlap."""

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from reports.frontier import draw_front, finding, spread
from research.frontier import MAXIMIZE, MINIMIZE, Objective, frontier
from research.tune import hypervolume

OBJ = [Objective("fatigue", MINIMIZE), Objective("informed", MAXIMIZE)]


def crn_points(offsets: dict[int, tuple[float, float]], noise: float, reps: int = 5,
               seed: int = 0) -> dict[int, dict[int, dict[str, float]]]:
    """Each replication has a large shared draw (common random numbers: the same parcels
    for every point) plus each point's own small noise."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(0, 10, size=(reps, 2))
    out: dict[int, dict[int, dict[str, float]]] = {}
    for i, (f, inf) in offsets.items():
        own = rng.normal(0, noise, size=(reps, 2))
        out[i] = {r: {"fatigue": 50 + f + shared[r, 0] + own[r, 0],
                      "informed": 50 + inf + shared[r, 1] + own[r, 1]} for r in range(reps)}
    return out


def labels(points: dict[int, object]) -> dict[int, str]:
    return {i: f"p{i}" for i in points}


def test_worse_on_every_objective_is_dominated_even_inside_each_points_spread() -> None:
    # b is worse than a by 1 on both objectives; each point's own spread is ~10 (shared
    # noise), so their per-point intervals overlap, but the paired differences are sharp.
    pts = crn_points({0: (0.0, 0.0), 1: (1.0, -1.0)}, noise=0.05)
    f = frontier(pts, labels(pts), OBJ)
    assert f.dominated_by == {1: [0]}
    assert f.groups == [[0]]


def test_worse_by_noise_only_is_not_dominated() -> None:
    # b is no different from a: only its own noise (and a 0.01 nudge) separates them
    pts = crn_points({0: (0.0, 0.0), 1: (0.01, -0.01)}, noise=0.5)
    f = frontier(pts, labels(pts), OBJ)
    assert f.dominated_by == {}
    assert f.groups == [[0, 1]] or f.groups == [[1, 0]]  # one group: cannot be told apart


def test_worse_on_one_objective_only_is_not_dominated() -> None:
    pts = crn_points({0: (0.0, 0.0), 1: (3.0, 3.0)}, noise=0.05)  # more fatigue, more informed
    f = frontier(pts, labels(pts), OBJ)
    assert f.dominated_by == {}
    assert len(f.groups) == 2  # a real trade-off: two distinct chains


def test_an_exact_tie_on_one_objective_and_worse_on_the_other_is_dominated() -> None:
    pts = {0: {r: {"fatigue": 1.0 + r, "informed": 5.0} for r in range(3)},
           1: {r: {"fatigue": 1.5 + r, "informed": 5.0} for r in range(3)}}
    assert frontier(pts, labels(pts), OBJ).dominated_by == {1: [0]}
    same = {0: pts[0], 1: pts[0]}  # identical everywhere: neither is worse, one group
    f = frontier(same, labels(same), OBJ)
    assert f.dominated_by == {} and f.groups == [[0, 1]]


def test_one_replication_calls_nothing_dominated() -> None:
    pts = crn_points({0: (0.0, 0.0), 1: (5.0, -5.0)}, noise=0.05, reps=1)
    assert frontier(pts, labels(pts), OBJ).dominated_by == {}


def test_constant_differences_are_exact_and_infeasible_points_are_not_judged() -> None:
    pts = {0: {r: {"fatigue": 1.0 + r, "informed": 5.0} for r in range(3)},
           1: {r: {"fatigue": 2.0 + r, "informed": 4.0} for r in range(3)},
           2: {r: {"fatigue": 0.0, "informed": 9.0} for r in range(3)}}
    f = frontier(pts, labels(pts), OBJ, feasible={2: False})
    assert f.eligible == [0, 1] and f.dominated_by == {1: [0]}


def test_a_false_dominance_rate_near_five_percent_at_most() -> None:
    # many pairs of identical policies (noise only): dominated in about <= 5% of cases
    called = 0
    for seed in range(200):
        pts = crn_points({0: (0.0, 0.0), 1: (0.0, 0.0)}, noise=1.0, seed=seed)
        called += bool(frontier(pts, labels(pts), OBJ).dominated_by)
    assert called <= 0.05 * 200 * 2  # two directions tested per pair; both objectives needed


@given(st.lists(st.floats(0, 1), min_size=1, max_size=60), st.floats(0.005, 0.2))
def test_spread_keeps_labels_apart_and_on_the_axes(targets: list[float], gap: float) -> None:
    pos, used = spread(targets, gap)
    assert all(0.0 <= p <= 1.0 for p in pos)
    ordered = sorted(pos)
    assert all(b - a >= used - 1e-9 for a, b in itertools.pairwise(ordered))
    assert used == min(gap, 1.0 / len(targets))


def test_front_labels_never_overlap_when_points_cluster() -> None:
    n = 14
    points = [{"index": i, "label": f"milestones + cap_rolling:limit={i},hours=24 variant {i}",
               "eligible": True, "dominated_by": [], "group": None, "means": {}}
              for i in range(n)]
    points.append({"index": n, "label": "every_scan", "eligible": True, "dominated_by": [0],
                   "group": None, "means": {}})
    front = {"confidence": 0.95, "replications": 5,
             "objectives": [{"metric": "f", "sense": "minimize"},
                            {"metric": "i", "sense": "maximize"}],
             "groups": [{"name": chr(65 + i), "members": [i]} for i in range(n)],
             "points": points}
    # all front points within a hair of each other
    rows = {p["index"]: {"f": (1.0 + 0.001 * p["index"], 0.9, 1.1),
                         "i": (0.5 + 0.0005 * p["index"], 0.4, 0.6)} for p in points}
    fig = draw_front(front, rows, "f", "i")
    assert not isinstance(fig, str)
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = [t for t in fig.axes[0].texts]
    assert len(texts) == n  # the front only, one label per group
    boxes = [Text.get_window_extent(t, renderer) for t in texts]  # the words, not the leader
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    assert "14 of 15 chains make the front in 14 groups" in finding(front)


def test_hypervolume_exact_values() -> None:
    assert hypervolume([[0.0, 0.0]], [1.0, 1.0]) == 1.0
    assert abs(hypervolume([[0.0, 0.5], [0.5, 0.0]], [1.0, 1.0]) - 0.75) < 1e-12
    assert abs(hypervolume([[0.5, 0.5, 0.5]], [1.0, 1.0, 1.0]) - 0.125) < 1e-12
    # two boxes in 3-D: 0.5*1*1 + 1*0.5*1 - overlap 0.5*0.5*1 = 0.75
    assert abs(hypervolume([[0.5, 0.0, 0.0], [0.0, 0.5, 0.0]], [1, 1, 1]) - 0.75) < 1e-12
    assert hypervolume([[2.0, 0.0]], [1.0, 1.0]) == 0.0  # beyond the reference
