"""What a run measured: counters over time, samples, and the flat summary.

One naming scheme (shared with replay and the shim through
``engine.tally.OutputTally``): ``summary.json`` is a flat, sorted mapping
of metric names to numbers or strings; ``series.csv`` has one row per
simulated hour; ``distributions.json`` holds samples for the figures.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sim.dists import epoch_day, local_date
from sim.latency import LatencyHistogram

if TYPE_CHECKING:
    from sim.followed import FollowedParcels
    from sim.loads import Load, Tracked
    from sim.model import Model

SAMPLE_CAP = 20_000
LATENCIES = ("scan_to_decision", "decision_to_submit", "submit_to_handset", "scan_to_handset")


def _r(x: float, nd: int = 6) -> float:
    return float(round(float(x), nd))


def _histogram(counts: Counter[int]) -> dict[str, list[int]]:
    keys = sorted(counts)
    return {"values": keys, "counts": [counts[k] for k in keys]}


class Metrics:
    def __init__(self, model: Model) -> None:
        self.model = model
        h = model.hours
        self.arrived_by_hour = [0] * h
        self.delivered_by_hour = [0] * h
        self.texts_by_hour = [0] * h
        self.segments_by_hour = [0] * h
        self.care_queue_by_hour = [0] * h
        self.gateway_queue_by_hour = [0] * h
        self.accepted = 0
        self.delivered_n = 0
        self.returned_n = 0
        self.on_time = 0
        self.days_sum = 0.0
        self.days_hist: Counter[int] = Counter()
        self.pending: Counter[tuple[int, int]] = Counter()
        self.latency = {name: LatencyHistogram() for name in LATENCIES}
        self.misleading = 0
        self.texts_handset = 0

    def _hour(self, t: float) -> int:
        return int((t - self.model.t_begin) // 3600)

    # ---------------------------------------------------------------- parcels
    def arrived(self, hour: float, n: int) -> None:
        m = self.model
        if m.t_accept_begin <= hour < m.t_accept_end:
            self.accepted += n
        h = self._hour(hour)
        if 0 <= h < len(self.arrived_by_hour):
            self.arrived_by_hour[h] += n

    def pending_add(self, dest: int, eta: int, n: int) -> None:
        if n:
            self.pending[(dest, eta)] += n

    def delivered(self, n: int, accepted_at: float, at: float, piece: Load, zone: str,
                  parcel: Tracked | None = None) -> None:
        if parcel is not None:
            parcel.delivered_at = at
            self.model.followed.closed(parcel, at)
        else:
            self.pending[(piece.dest, piece.eta_day)] -= n
        h = self._hour(at)
        if 0 <= h < len(self.delivered_by_hour):
            self.delivered_by_hour[h] += n
        self.delivered_n += n
        # Days to deliver: local calendar days from acceptance to delivery (the service
        # standard's unit), one definition for the mean and the histogram.
        day = local_date(at, zone)
        days = (day - local_date(accepted_at, zone)).days
        self.days_sum += n * days
        self.days_hist[days] += n
        if epoch_day(day) <= piece.eta_day:
            self.on_time += n

    def returned(self, n: int, piece: Load, parcel: Tracked | None = None) -> None:
        self.returned_n += n
        if parcel is not None:
            parcel.returned = True
            self.model.followed.closed(parcel, self.model.env.now)
        else:
            self.pending[(piece.dest, piece.eta_day)] -= n

    def take_late(self, dest: int, eta: int) -> int:
        """Untracked parcels promised for ``eta`` and still on their way."""
        return max(0, self.pending.get((dest, eta), 0))

    # ---------------------------------------------------------------- texts
    def text_decided(self, at: float, segments: int) -> None:
        h = self._hour(at)
        if 0 <= h < len(self.texts_by_hour):
            self.texts_by_hour[h] += 1
            self.segments_by_hour[h] += segments

    def text_delivered(self, scan_at: float | None, decided: float, submitted: float,
                       handset: float) -> None:
        self.texts_handset += 1
        lat = self.latency
        lat["decision_to_submit"].add(submitted - decided)
        lat["submit_to_handset"].add(handset - submitted)
        if scan_at is not None:
            lat["scan_to_decision"].add(decided - scan_at)
            lat["scan_to_handset"].add(handset - scan_at)

    def care_queue_sample(self, t: float) -> None:
        h = self._hour(t) - 1  # the hour that just ended
        if 0 <= h < len(self.care_queue_by_hour):
            self.care_queue_by_hour[h] = self.model.care.queue_len()

    def gateway_queue_sample(self, t: float) -> None:
        h = self._hour(t) - 1
        if 0 <= h < len(self.gateway_queue_by_hour):
            self.gateway_queue_by_hour[h] = self.model.gateway.queue_len(t)

    # ---------------------------------------------------------------- output
    def latency_summary(self) -> tuple[dict[str, float | None], dict[str, list[float]]]:
        out: dict[str, float | None] = {}
        samples: dict[str, list[float]] = {}
        for name, hist in self.latency.items():
            # None (null) when no text reached that stage: no latency to measure
            for q in (50, 95, 99):
                out[f"latency_{name}_p{q}_s"] = (_r(hist.percentile(q / 100)) if hist.n
                                                 else None)
            out[f"latency_{name}_mean_s"] = _r(hist.mean) if hist.n else None
            # evenly spaced order statistics keep the CDF for the figures
            samples[name] = [_r(x, 3) for x in hist.quantiles(SAMPLE_CAP)]
        return out, samples

    def series_rows(self) -> tuple[list[str], list[list[Any]]]:
        m = self.model
        facilities = [f for f in m.facilities if f.kind != "acceptance"]
        header = ["hour", "parcels_arrived", "parcels_delivered", "texts", "segments",
                  "opt_outs", "care_contacts", "care_queue_len", "care_abandoned",
                  "gateway_queue_len", *[f"util_{f.name}" for f in facilities]]
        rows = []
        for h in range(m.hours):
            t = m.t_begin + 3600 * h
            row: list[Any] = [
                datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                self.arrived_by_hour[h], self.delivered_by_hour[h], self.texts_by_hour[h],
                self.segments_by_hour[h], m.customers.opt_outs_by_hour[h],
                m.care.contacts_by_hour[h], self.care_queue_by_hour[h],
                m.care.abandoned_by_hour[h], self.gateway_queue_by_hour[h]]
            for f in facilities:
                row.append(_r(min(1.0, f.processed_by_hour[h] / f.cap_h), 4) if f.cap_h else 0)
            rows.append(row)
        return header, rows

    def distributions(self) -> dict[str, Any]:
        _, samples = self.latency_summary()
        per = Counter(self.model.customers.people.max24_values())
        total = Counter(self.model.tally.recipients.totals())
        return {
            "latency_s": samples,
            # the fixed-bin histograms behind the latency metrics (sim.latency): exact merges
            **{f"latency_{name}": h.to_json() for name, h in self.latency.items()},
            "texts_per_recipient_24h": _histogram(per),
            # every text the engine decided per recipient over the run (texts_per_recipient_*)
            "texts_per_recipient": _histogram(total),
            "days_to_deliver": _histogram(self.days_hist),
        }

    def recipients_24h(self) -> dict[str, float | None]:
        # None (null): nobody was notified, so there is no mean or share to report (a 0
        # would read as "nobody texted too often", and as an improvement in a what-if).
        maxes = self.model.customers.people.max24_values()
        n = len(maxes)
        if not n:
            return dict.fromkeys(("texts_per_recipient_24h_max_mean",
                                  "texts_per_recipient_24h_share_over_3",
                                  "texts_per_recipient_24h_share_over_5"))
        return {
            "texts_per_recipient_24h_max_mean": _r(sum(maxes) / n),
            "texts_per_recipient_24h_share_over_3": _r(sum(x > 3 for x in maxes) / n),
            "texts_per_recipient_24h_share_over_5": _r(sum(x > 5 for x in maxes) / n),
        }

    def parcels_summary(self, followed: FollowedParcels) -> dict[str, float | None]:
        delivered = followed.delivered
        of_first = followed.of_text_first
        exc = followed.exceptions
        exc_texted = followed.exceptions_texted
        n = self.delivered_n
        # Each share and mean comes with its numerator and denominator, so shards merge
        # exactly (research.shards) instead of averaging rounded ratios.
        return {
            "parcels_accepted": self.accepted,
            "parcels_delivered": n,
            "parcels_on_time": self.on_time,
            "parcels_returned": self.returned_n,
            "parcels_tracked": followed.count,
            "parcels_tracked_delivered": delivered,
            "days_to_deliver_sum": _r(self.days_sum),
            # None (null) when nothing was delivered: no population to measure
            "days_to_deliver_mean": _r(self.days_sum / n, 4) if n else None,
            "on_time_share": _r(self.on_time / n, 4) if n else None,
            "ofd_text_before_delivery": of_first,
            "ofd_text_before_delivery_share": _r(of_first / delivered, 4) if delivered
            else None,
            "exceptions_tracked": exc,
            "exceptions_texted_before_promise": exc_texted,
            "exceptions_texted_before_promise_share":
                _r(exc_texted / exc, 4) if exc else None,
            "misleading_texts_scan_errors": self.misleading,
        }
