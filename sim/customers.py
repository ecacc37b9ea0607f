"""Customers as actors: they opt in, read texts, reply, tire, and call care.

Opt-in: a followed parcel's channel is drawn from the scenario's opt-in shares
(checkout at label time; tracking page, confirmed by "YES"; or texting the
tracking number to the short code). Recipients live in the destination region
(its zone, its area codes) and may follow several parcels.

Fatigue hazard (an explicit model to study, not a fact: docs/facts.md gives marketing
opt-out rates of 0.5-2% per message, higher at weekends, lowest at <=2 a
week). On each notification reaching the handset the person opts out (texts
STOP) with probability

    p = 1 - exp(-base * exp(slope * max(0, n24 - free)) * w)

where n24 counts the texts they received in the last 24 hours including this
one and w is ``weekend_factor`` on Saturdays and Sundays (local), else 1.

Replies: a notification that reaches someone still opted in draws once for a
reply: "<tracking number> WHEN" with ``status_question``, "HELP" with
``help_request``, "QUIET" with ``quiet_request`` (once per person). These
come from their own random stream.

"Where is my order": at 8 PM local on the promised day, a parcel not yet
delivered is late; its customer contacts care with ``care_if_informed`` if a
text about it reached them in the last 24 hours (or told them of an exception)
and with ``care_if_uninformed`` otherwise. Parcels nobody follows by text are
late customers who were never told.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from engine.inputs import SmsIn, Subscribe
from engine.localclock import hour_and_weekday
from sim.dists import EPOCH_ORDINAL, Sampler, categorical, local_epoch, zone
from sim.people import OPTED_OUT, QUIET, People

if TYPE_CHECKING:
    from sim.loads import Tracked
    from sim.model import Model

CHANNELS = ("checkout", "tracking_page", "text")
LATE_CHECK_H = 20.0
# A person's opt-in texts and subscriptions are decided when the parcel is made, a day
# ahead, and queued as (how, parcel, phone), built when due (``built``): a national day
# has hundreds of thousands waiting, and a ``Subscribe`` with its options and time was
# about 180 bytes. ``how`` = option index << 2 | one of these.
CHECKOUT, PAGE, TEXT, YES = 0, 1, 2, 3


class Customers:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.spec = model.scenario.customers
        self.rng = model.rng["customers"]
        self.fatigue_rng = model.rng["fatigue"]
        opt_in: dict[str, float] = dict(self.spec.opt_in)
        weights = np.array([opt_in.get(c, 0.0) for c in CHANNELS], dtype=float)
        total = float(weights.sum())
        self.channel_p: np.ndarray = weights / total if total > 0 else np.full(3, 1 / 3)
        names = sorted(self.spec.options)
        self.option_names = names
        self._options = [(n,) for n in names]  # one tuple per option, shared
        w = np.array([self.spec.options[n] for n in names], dtype=float)
        self.option_p = w / w.sum()
        self._channel = categorical(self.channel_p, self.rng)
        self._option = categorical(self.option_p, self.rng)
        self.reaction = Sampler(self.spec.reaction_s, self.rng)
        self.care_delay = Sampler(self.spec.care_delay_h, self.rng, 3600.0)
        self.people: People  # made by size_pools, once the expected volume is known
        self.opt_outs = 0
        self.opt_outs_by_hour = [0] * model.hours
        self.status_questions = 0
        self.help_requests = 0
        self.quiet_requests = 0
        self.reply_rng = model.rng["replies"]
        self.reply_reaction = Sampler(self.spec.reaction_s, self.reply_rng)
        self.reply_any = (self.spec.status_question + self.spec.help_request
                          + self.spec.quiet_request)
        self.inbound = 0
        self.late_tracked = 0
        self.care_expected = 0.0
        self.care_expected_no_sms = 0.0
        f = self.spec.fatigue
        self._late_at: dict[tuple[int, int], int] = {}
        self.f_base, self.f_slope, self.f_free, self.f_weekend = (
            f.base, f.slope, f.free, f.weekend_factor)

    def size_pools(self, expected_followed: float) -> None:
        """Recipients per region, so each follows ``parcels_per_recipient`` on average."""
        m = self.model
        shares = np.array([r.destination_share for r in m.regions], dtype=float)
        shares /= shares.sum()
        self.people = People(m.regions, [
            max(1, min(7_000_000, int(expected_followed * s / self.spec.parcels_per_recipient)))
            for s in shares])

    def follow(self, p: Tracked, label_at: float, accept_at: float) -> None:
        m = self.model
        phone = self.people.meet(p.dest, int(self.rng.integers(self.people.pool[p.dest])))
        rng = self.rng
        channel = CHANNELS[self._channel()]
        option = self._option() << 2
        if channel == "checkout":
            m.push_asked(int(label_at) + 1, option | CHECKOUT, p, phone)
            return
        t = int(accept_at + rng.exponential(6 * 3600))
        if channel == "text":
            m.push_asked(t, TEXT, p, phone)
            self.inbound += 1
            return
        m.push_asked(t, option | PAGE, p, phone)
        if rng.random() < self.spec.confirm_yes:
            m.push_asked(t + 1 + int(self.reaction()), YES, p, phone)
            self.inbound += 1

    def built(self, how: int, p: Tracked, phone: str, at: int) -> Subscribe | SmsIn:
        """The input ``follow`` queued as ``how``, as it would have built it then."""
        channel = how & 3
        if channel == YES:
            return SmsIn(at=at, sender=phone, body="YES")
        if channel == TEXT:
            return SmsIn(at=at, sender=phone, body=p.tn)
        zip_code = self.model.regions[p.dest].zip
        if channel == CHECKOUT:
            return Subscribe(at=at, tracking_number=p.tn, phone=phone, channel="checkout",
                             options=self._options[how >> 2], merchant="Northwind Tea",
                             destination_zip=zip_code)
        return Subscribe(at=at, tracking_number=p.tn, phone=phone, channel="tracking_page",
                         options=self._options[how >> 2], destination_zip=zip_code)

    def late_check_at(self, p: Tracked) -> int:
        key = (p.eta_day, p.dest)  # a few hundred distinct (day, region) over a run
        at = self._late_at.get(key)
        if at is None:
            day = date.fromordinal(p.eta_day + EPOCH_ORDINAL)
            at = self._late_at[key] = local_epoch(day, LATE_CHECK_H,
                                                  self.model.regions[p.dest].zone)
        return at

    def late_check(self, p: Tracked, at: float) -> None:
        """8 PM on the promised day: late and uninformed people call."""
        if p.returned or (p.delivered_at is not None and p.delivered_at <= at):
            return
        self.late_tracked += 1
        informed = p.exception_texted or (
            p.last_texted_at is not None and at - p.last_texted_at < 86400)
        prob = self.spec.care_if_informed if informed else self.spec.care_if_uninformed
        self.care_expected += prob
        self.care_expected_no_sms += self.spec.care_if_uninformed
        if self.rng.random() < prob:
            self.model.care.contact(at + self.care_delay())

    def late_untracked(self, n: int, at: float) -> None:
        """Parcels nobody follows: ``n`` late, their customers were never told."""
        if n <= 0:
            return
        k = int(self.rng.binomial(n, self.spec.care_if_uninformed))
        for _ in range(k):
            self.model.care.contact(at + self.care_delay())

    def on_handset(self, at: float, to: str, p: Tracked | None, notification: bool) -> None:
        """A notification reached a phone: count it, maybe tire of it, maybe ask."""
        if not notification:
            # An answer to the person's own text is not fatigue: it neither counts
            # towards their texts in 24 h nor tires them (texts_per_recipient_24h_*).
            return
        people = self.people
        c = people.slot(to)
        if c < 0:
            return
        n24 = people.notified(c, at)
        state = people.state[c]
        if state & OPTED_OUT:
            return
        w = 1.0
        if self.f_weekend != 1.0 and hour_and_weekday(
                int(at), zone(self.model.regions[people.region_of[c]].zone))[1] >= 5:
            w = self.f_weekend
        hazard = self.f_base * math.exp(self.f_slope * max(0, n24 - self.f_free)) * w
        if self.fatigue_rng.random() < 1.0 - math.exp(-hazard):
            people.state[c] = state | OPTED_OUT
            self.opt_outs += 1
            t = int(at + self.reaction()) + 1
            h = int((t - self.model.t_begin) // 3600)
            if 0 <= h < len(self.opt_outs_by_hour):
                self.opt_outs_by_hour[h] += 1
            self.model.push_input(t, SmsIn(at=t, sender=to, body="STOP"))
            self.inbound += 1
            return
        if self.reply_any > 0:
            self._reply(at, c, to, p)

    def _reply(self, at: float, c: int, to: str, p: Tracked | None) -> None:
        """Maybe text back: a status question, HELP or QUIET (one draw decides which).

        Replies draw from their own stream, so how many texts a policy sends does not
        shift the draws that pick parcels' channels and options (common random numbers).
        """
        u = self.reply_rng.random()
        if u >= self.reply_any:
            return
        spec = self.spec
        if u < spec.status_question:
            if p is None:
                return
            # A keyword adds to the subscription's options (the engine merges), so anyone
            # can ask, whatever they chose, without losing the updates they had.
            body = f"{p.tn} WHEN"
            self.status_questions += 1
        elif u < spec.status_question + spec.help_request:
            body = "HELP"
            self.help_requests += 1
        elif not self.people.state[c] & QUIET:
            body = "QUIET"
            self.people.state[c] |= QUIET
            self.quiet_requests += 1
        else:
            return
        t = int(at + self.reply_reaction()) + 1
        self.model.push_input(t, SmsIn(at=t, sender=to, body=body))
        self.inbound += 1
