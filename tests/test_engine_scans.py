"""Scans as real feeds deliver them: duplicates, late, regressions, gaps."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import codes
from engine.errors import InvalidInput
from engine.inputs import Scan
from engine.records import to_input
from tests.helpers import TN, at, engine, notices, reasons, scan, sub


def run(*inputs: object, policies: tuple[str, ...] = ("every_scan",)) -> list:  # type: ignore[type-arg]
    e = engine(*policies)
    return e.handle_all([sub("2026-12-14T08:30"), *inputs])  # type: ignore[list-item]


def test_exact_duplicate_and_duplicate_under_another_id() -> None:
    out = run(scan("2026-12-14T10:00", "03"),
              scan("2026-12-14T10:00", "03"),
              scan("2026-12-14T10:00", "03", event_id="other", city="", state="", zip=""))
    assert len(notices(out)) == 1
    assert reasons(out) == ["duplicate", "duplicate"]


def test_a_scan_whose_event_id_was_seen_is_a_duplicate_whatever_its_time_or_code() -> None:
    """A provider's retry may resend an event later, or with its code rewritten."""
    out = run(scan("2026-12-14T10:00", "10", event_id="E1"),
              scan("2026-12-14T10:05", "10", event_id="E1"),
              scan("2026-12-14T11:00", "OF", event_id="E1"),
              scan("2026-12-14T11:30", "OF", event_id="E2"),
              scan("2026-12-14T12:00", "01"))
    assert [n.cause for n in notices(out)] == ["scan:10", "scan:OF", "scan:01"]
    assert reasons(out) == ["duplicate", "duplicate"]
    # Ids are per parcel: another parcel's E1 is its own event.
    e = engine("every_scan")
    out = e.handle_all([sub("2026-12-14T08:30"), sub("2026-12-14T08:31", tn="EA123456789US"),
                        scan("2026-12-14T10:00", "10", event_id="E1"),
                        scan("2026-12-14T10:00", "10", tn="EA123456789US", event_id="E1")])
    assert len(notices(out)) == 2 and reasons(out) == []


def test_event_ids_go_with_a_forgotten_parcel_and_an_old_engine_loads() -> None:
    import pickle

    from engine.core import Engine, EngineConfig
    from engine.retention import RetentionConfig
    e = Engine(EngineConfig(retention=RetentionConfig(after_close_s=86_400,
                                                      silent_s=30 * 86_400)))
    e.handle_all([sub("2026-12-14T08:30"), scan("2026-12-14T10:00", "01", event_id="E1")])
    assert e._event_ids == {TN: ("E1",)}
    e.handle_all([scan("2026-12-17T10:00", "10", tn="EA123456789US")])  # days later
    assert TN not in e.parcels and not e._event_ids
    old = engine("every_scan")
    old.handle_all([sub("2026-12-14T08:30"), scan("2026-12-14T10:00", "10")])
    assert "_event_ids" not in vars(old)  # none made until a scan carries an id
    again = pickle.loads(pickle.dumps(old))
    out = again.handle_all([scan("2026-12-14T11:00", "OF", event_id="E9"),
                            scan("2026-12-14T11:05", "OF", event_id="E9")])
    assert len(notices(out)) == 1 and reasons(out) == ["duplicate"]


def test_late_scan_joins_history_without_a_text() -> None:
    e = engine()
    e.handle_all([sub("2026-12-14T08:30"), scan("2026-12-14T10:00", "03"),
                  scan("2026-12-14T14:00", "EF")])
    out = e.handle(scan("2026-12-14T12:00", "10"))
    assert reasons(out) == ["out_of_order"]
    parcel = e.parcels[TN]
    assert codes.CODES[parcel.code] == "EF"
    times = [int.from_bytes(parcel.history[i : i + 5], "big")
             for i in range(0, len(parcel.history), 10)]
    assert times == sorted(times) and len(times) == 3
    # ...and a late duplicate of it is still a duplicate
    assert reasons(e.handle(scan("2026-12-14T12:00", "10"))) == ["duplicate"]


def test_milestone_after_a_later_one_is_not_texted() -> None:
    out = run(scan("2026-12-15T08:00", "OF"), scan("2026-12-15T09:00", "10"),
              scan("2026-12-15T11:00", "01"))
    assert [n.cause for n in notices(out)] == ["scan:OF", "scan:01"]
    assert reasons(out) == ["regressed"]


def test_attempt_then_out_for_delivery_again_is_normal() -> None:
    out = run(scan("2026-12-15T08:00", "OF"), scan("2026-12-15T15:00", "02"),
              scan("2026-12-16T08:00", "OF"), scan("2026-12-16T11:00", "01"))
    assert [n.cause for n in notices(out)] == ["scan:OF", "scan:02", "scan:OF", "scan:01"]


def test_missing_place_and_unknown_code() -> None:
    out = run(scan("2026-12-14T10:00", "03", city="", state="", zip=""),
              scan("2026-12-14T11:00", "ZZ"))
    (only,) = notices(out)
    assert "Accepted at USPS Origin Facility 12/14 10:00am." in only.body
    assert reasons(out) == ["unknown_code"]


def test_scan_record_with_missing_fields_is_refused_or_tolerated() -> None:
    ok = to_input({"kind": "scan", "at": "2026-12-14T10:00:00-07:00",
                   "trackingNumber": TN, "eventCode": "10"})
    assert isinstance(ok, Scan) and ok.city == "" and ok.expected_delivery is None
    for bad, field in [
        ({"kind": "scan", "at": "2026-12-14T10:00:00-07:00", "trackingNumber": TN}, "eventCode"),
        ({"kind": "scan", "at": "2026-12-14T10:00:00", "trackingNumber": TN,
          "eventCode": "10"}, "at"),
        ({"kind": "scan", "at": "yesterday", "trackingNumber": TN, "eventCode": "10"}, "at"),
        ({"kind": "scan", "at": "2026-12-14T10:00:00Z", "eventCode": "10"}, "trackingNumber"),
        ({"kind": "teleport", "at": "2026-12-14T10:00:00Z"}, "kind"),
        ({"kind": "scan", "at": "2026-12-14T10:00:00Z", "trackingNumber": TN,
          "eventCode": "10", "expectedDelivery": "soon"}, "expectedDelivery"),
    ]:
        try:
            to_input(bad)
        except InvalidInput as exc:
            assert exc.field == field, (bad, exc)
        else:
            raise AssertionError(f"accepted {bad}")


def test_eta_change_is_news_for_expected_delivery_subscribers() -> None:
    e = engine("milestones")
    out = e.handle_all([
        sub("2026-12-14T08:30", options=("expected_delivery",)),
        scan("2026-12-14T10:00", "03", expected_delivery=20437),
        scan("2026-12-14T12:00", "10", expected_delivery=20437),
        scan("2026-12-14T14:00", "EF", expected_delivery=20438),
    ])
    assert [n.cause for n in notices(out)] == ["scan:03", "scan:EF"]
    assert "Expected delivery 12/16" in notices(out)[1].body


def test_state_per_parcel_is_compact() -> None:
    e = engine()
    e.handle_all([scan(f"2026-12-14T{h:02d}:00", c) for h, c in
                  zip(range(8, 19), ["03", "10", "EF", "10", "EF", "07", "PC", "OF", "01"],
                      strict=False)])
    parcel = e.parcels[TN]
    assert len(parcel.history) == 9 * 10
    assert parcel.subs is None
    assert at("2026-12-14T16:00") == parcel.last_at


def test_history_records_unpack_to_the_scan() -> None:
    from engine.state import pack_scan, unpack_scan

    e = engine()
    s = scan("2026-12-14T10:00", "OF", offset_min=-420)
    e.handle(s)
    record = e.parcels[TN].history[-10:]
    at_, offset, code, place = unpack_scan(record)
    assert (at_, offset, codes.CODES[code]) == (s.at, -420, "OF")
    assert record == pack_scan(s.at, -420, code, place)


def test_records_refuse_impossible_times_and_name_the_kind_first() -> None:
    for rec, field in [
        ({"kind": "scan", "at": "9999-12-31T23:00:00-05:00", "trackingNumber": TN,
          "eventCode": "10"}, "at"),
        ({"kind": "scan", "at": "1969-12-31T23:00:00+00:00", "trackingNumber": TN,
          "eventCode": "10"}, "at"),
        ({"kind": "teleport"}, "kind"),
        ({"at": "2026-12-14T10:00:00Z"}, "kind"),
    ]:
        try:
            to_input(rec)
        except InvalidInput as exc:
            assert exc.field == field, (rec, exc)
        else:
            raise AssertionError(f"accepted {rec}")
    try:
        Scan(at=2**41, tracking_number=TN, event_code="10")
    except InvalidInput as exc:
        assert exc.field == "at"
    else:
        raise AssertionError("accepted a time past 9999")


def test_status_line_is_public() -> None:
    e = engine()
    assert e.status_line(TN) == ""
    e.handle(scan("2026-12-14T10:00", "07"))
    assert e.status_line(TN) == "Arrived at Post Office 12/14 10:00am DENVER CO 80202"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 600), st.sampled_from(["03", "10", "EF", "07", "OF",
                                                                  "01", "ZZ"])),
                min_size=1, max_size=12))
def test_the_newest_scan_time_is_the_last_records(scans: list[tuple[int, str]]) -> None:
    """``Parcel.last_at`` is read from the history: whatever the order of the scans
    (late, repeated, unknown codes), it is the newest event time the parcel has seen."""
    e = engine()
    base = at("2026-12-14T08:00")
    for minute, code in scans:
        e.handle(Scan(at=base + 60 * minute, tracking_number=TN, event_code=code,
                      city="DENVER", state="CO", zip="80202", offset_min=-420))
    assert e.parcels[TN].last_at == base + 60 * max(m for m, _ in scans)


def test_parcels_from_a_snapshot_with_their_own_last_scan_time_still_work(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A snapshot written when a parcel kept its newest scan time as a field still loads,
    and the restored engine answers as one from a snapshot written now."""
    import pickle

    from engine.state import Parcel

    def old_state(self: Parcel) -> tuple[None, dict[str, object]]:
        return None, {"history": self.history, "last_at": self.last_at, "code": self.code,
                      "max_rank": self.max_rank, "eta": self.eta, "subs": self.subs}

    def run(old: bool) -> list[object]:
        e = engine()
        e.handle(sub("2026-12-14T07:00"))
        e.handle_all([scan("2026-12-14T08:00", "03"), scan("2026-12-14T10:00", "10")])
        with monkeypatch.context() as m:
            if old:
                m.setattr(Parcel, "__getstate__", old_state, raising=False)
            blob = pickle.dumps(e)
        e = pickle.loads(blob)
        out: list[object] = list(e.handle(scan("2026-12-14T09:00", "EF")))  # late
        out += e.handle(scan("2026-12-14T10:00", "10"))  # repeated
        out += e.handle(scan("2026-12-14T12:00", "OF"))
        return [*out, e.parcels[TN].last_at, e.parcels[TN].history]

    assert run(old=True) == run(old=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.tuples(st.just("code"), st.integers(-1, 254)),
                         st.tuples(st.just("max_rank"), st.integers(-1, 14))), max_size=10))
def test_a_parcels_code_and_furthest_rank_read_back_as_fields(
        sets: list[tuple[str, int]]) -> None:
    """``Parcel`` packs the newest code and the furthest rank in one int (``status``):
    any sequence of sets reads back as plain fields would."""
    from engine.state import Parcel

    p = Parcel()
    want = {"code": -1, "max_rank": -1}
    for name, value in sets:
        setattr(p, name, value)
        want[name] = value
    assert {"code": p.code, "max_rank": p.max_rank} == want
    twin = Parcel()
    twin.code, twin.max_rank = p.code, p.max_rank
    assert twin.status is p.status  # one int object per value, not one per parcel


def test_the_cause_of_texts_about_a_code_is_one_shared_string(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every output about a scan with a given code carries the same cause string object
    (a held notice keeps it overnight; a national day holds millions), and the memo of
    causes stays bounded whatever codes a shim is sent."""
    from engine import scanning
    from engine.outputs import Held, Sms, Suppressed
    from tests.helpers import TN2

    monkeypatch.setattr(scanning, "_CAUSES", {})
    monkeypatch.setattr(scanning, "CAUSES_KEPT", 4)
    e = engine("every_scan", "quiet_hours")
    e.handle(sub("2026-12-14T09:00"))
    e.handle(sub("2026-12-14T09:01", tn=TN2))
    out = e.handle(scan("2026-12-14T23:00", "03"))  # held until morning
    out += e.handle(scan("2026-12-14T23:05", "03", tn=TN2))
    out += e.handle(scan("2026-12-14T23:10", "03"))  # a duplicate
    held = [o for o in out if isinstance(o, Held | Sms | Suppressed)]
    assert len(held) == 3 and all(o.cause == "scan:03" for o in held)
    assert len({id(o.cause) for o in held}) == 1
    for k in range(10):  # unknown codes: suppressed, each with its own cause
        out = e.handle(scan(f"2026-12-15T0{k}:00", f"Z{k}"))
        unknown = [o for o in out if isinstance(o, Suppressed) and o.reason == "unknown_code"]
        assert [o.cause for o in unknown] == [f"scan:Z{k}"]
        assert len(scanning._CAUSES) <= 4
