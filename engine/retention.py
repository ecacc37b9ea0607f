"""Retention: the engine forgets what can no longer matter, so its memory follows
the parcels alive, not the horizon it has run.

Once a simulated (or real) day, at the first input whose time crosses a day
boundary (UTC), the engine sweeps its parcels in the order it first saw them:

- a parcel is forgotten when it closed (its status is delivered or returned to
  sender) at least ``after_close_s`` ago, or has had no scan for ``silent_s``,
  and no text about it is held and no tracking-page subscription to it awaits
  its YES (pending state; kept until the silent limit). Its subscriptions go with it,
  from its phones' lists and from the policies' memory (digest windows);
- a phone is forgotten once it lost its last subscription that way (or, new
  and never subscribed, at the next sweep), has no
  pending tracking-page subscription, no text awaiting a receipt, no failed
  receipts, no text a policy still counts (a rolling cap's, a weekly budget's or a
  state cap's window: ``Policy.holds``, so forgetting never lifts a cap early) and
  no preference: an opted-out phone (or one that asked QUIET) is
  never forgotten, so an opt-out always holds. The phone's input counter (which
  keeps message ids unique) is kept in a small remnant and restored if the
  phone comes back, so no message id is ever reused.

Everything happens at input times and in insertion order (no clock, no set
iteration), so every driver and every snapshot/restart forgets the same things
at the same input. A scan for a forgotten parcel is handled like one for an
unknown parcel (a new, unsubscribed record) and counted as
``scans_forgotten_parcel`` (reason code ``forgotten``), for a while after the
forgetting (``after_close_s``).

Why these defaults: no text can follow a delivered parcel except a late,
duplicate scan, and three days cover the held texts (quiet hours, digests) and
receipts by a wide margin; a parcel with no scan for 30 days is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from engine import codes
from engine.outbox import EngineState, trim_oldest
from engine.state import Parcel, Phone, Sub, without

DAY: Final = 86_400
FORGOTTEN: Final = "forgotten"  # the reason code of a scan for a forgotten parcel
_CLOSED: Final = frozenset(
    i for i, m in enumerate(codes.MILESTONE_OF_INDEX)
    if m in (codes.DELIVERED, codes.RETURN_TO_SENDER))


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionConfig:
    """How long the engine keeps a closed or silent parcel (seconds of input time)."""

    after_close_s: int = 3 * DAY
    silent_s: int = 30 * DAY

    def __post_init__(self) -> None:
        if self.after_close_s < 0 or self.silent_s < self.after_close_s:
            raise ValueError("retention: need 0 <= after_close_s <= silent_s")

    @classmethod
    def of_days(cls, after_close_days: float, silent_days: float) -> RetentionConfig:
        """From days (a scenario's ``[retention]``, ``eccc replay``'s flags), to the
        second. Raises ``ValueError`` (out of order, NaN) or ``OverflowError`` (infinite)."""
        return cls(after_close_s=round(after_close_days * DAY),
                   silent_s=round(silent_days * DAY))


DEFAULT_RETENTION: Final = RetentionConfig()


class Retention(EngineState):
    """The sweep and its bookkeeping; ``Engine`` calls ``_retain`` from ``handle``."""

    retention: RetentionConfig | None
    _next_sweep: int
    _tombstones: dict[str, int]       # forgotten tracking number -> when, oldest first
    _remnants: dict[str, int]         # forgotten phone -> its input counter
    _deferred: list[Phone]            # idle phones waiting on a receipt: next sweep
    forgotten_parcels: int
    forgotten_phones: int
    scans_forgotten_parcel: int

    def _init_retention(self, config: RetentionConfig | None) -> None:
        self.retention = config
        self._next_sweep = 0 if config is not None else 2**62  # never, when off
        self._tombstones = {}
        self._remnants = {}
        self._deferred = []
        self.forgotten_parcels = 0
        self.forgotten_phones = 0
        self.scans_forgotten_parcel = 0

    def _retain(self, at: int) -> None:
        """Called with every input's time, before it is handled."""
        if at >= self._next_sweep and self.retention is not None:
            boundary = at // DAY * DAY
            if self._next_sweep:
                # Judged at the boundary, not at the input that crossed it, so drivers
                # that interleave wake-ups differently still forget the same things.
                self._sweep(boundary)
            self._next_sweep = boundary + DAY

    def _note_scan(self, tn: str) -> None:
        if tn in self._tombstones and tn not in self.parcels:
            self.scans_forgotten_parcel += 1

    def _phone(self, e164: str) -> Phone:
        """The phone, created if new; a forgotten phone gets its input counter back."""
        phone = self.phones.get(e164)
        if phone is None:
            phone = self.phones[e164] = Phone(e164)
            touches = self._remnants.pop(e164, None)
            if touches is not None:
                phone.touches = touches
            if self.retention is not None:
                # Looked at by the next sweep: someone who only texted HELP is forgotten
                # then; someone who subscribed is kept until their parcels are.
                self._deferred.append(phone)
        return phone

    # ------------------------------------------------------------------ sweep
    def _sweep(self, now: int) -> None:
        cfg = self.retention
        assert cfg is not None
        held = {n.sub.tracking_number for _, _, n in self._held}  # membership only
        closed_before = now - cfg.after_close_s
        silent_before = now - cfg.silent_s
        gone: list[str] = []
        for tn, parcel in self.parcels.items():  # insertion order: deterministic
            last = parcel.last_at
            if last < 0 or last > closed_before:
                continue  # never scanned (kept), or scanned too recently
            silent = last <= silent_before
            if not (parcel.code in _CLOSED or silent) or tn in held:
                continue
            if not silent and parcel.subs and any(not sub.active for sub in parcel.subs):
                continue  # awaiting YES: a later YES still answers with its status
            gone.append(tn)
        subs: list[Sub] = []
        phones, self._deferred = self._deferred, []
        stops, event_ids = self._parcel_stops, self._event_ids
        for tn in gone:
            parcel = self.parcels.pop(tn)
            self._tombstones[tn] = now
            if stops:
                stops.pop(tn, None)
            if event_ids:
                event_ids.pop(tn, None)
            self._drop_subs(parcel, subs, phones)
        self.forgotten_parcels += len(gone)
        dropped = self._forget_phones(phones, now)
        for policy in self.policies:
            policy.forget(subs, dropped)
        self._prune_tombstones(now)

    @staticmethod
    def _drop_subs(parcel: Parcel, subs: list[Sub], phones: list[Phone]) -> None:
        for sub in parcel.subs or ():
            phone = sub.phone
            if sub in phone.subs:
                phone.subs = without(phone.subs, sub)
            if sub in phone.pending:
                phone.pending = without(phone.pending, sub)
            subs.append(sub)
            if not phone.subs:
                phones.append(phone)

    def _forget_phones(self, candidates: list[Phone], now: int) -> list[Phone]:
        """Forget the candidates that hold nothing; those only waiting on a receipt (or
        with failed receipts) or still counted by a policy (``Policy.holds``: a cap's or a
        budget's window) are looked at again at the next sweep."""
        dropped: list[Phone] = []
        if not candidates:
            return dropped
        waiting = {id(p) for p in self._in_flight.values()}  # membership only
        seen: set[int] = set()
        for phone in candidates:  # in order; the set only skips repeats
            if id(phone) in seen:
                continue
            seen.add(id(phone))
            if (phone.subs or phone.pending or phone.opted_out or phone.quiet
                    or self.phones.get(phone.e164) is not phone):
                continue
            if (phone.fails or id(phone) in waiting
                    or any(policy.holds(phone, now) for policy in self.policies)):
                # Looked at again at the next sweep: forgetting a phone a cap or a
                # budget still counts would lift it early.
                self._deferred.append(phone)
                continue
            del self.phones[phone.e164]
            if phone.touches:
                self._remnants[phone.e164] = phone.touches
            dropped.append(phone)
        self.forgotten_phones += len(dropped)
        return dropped

    def _prune_tombstones(self, now: int) -> None:
        cfg = self.retention
        assert cfg is not None
        tomb = self._tombstones
        horizon = now - cfg.after_close_s
        # Oldest first, in one pass (see engine.outbox.trim_oldest): a national day
        # prunes about a million.
        dead = 0
        for when in tomb.values():
            if when > horizon:
                break
            dead += 1
        trim_oldest(tomb, len(tomb) - dead)
