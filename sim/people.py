"""The people parcels are for, by number: a few numbers each, not an object.

Region r's recipients are a pool of ``pool[r]`` people (``Customers.size_pools``);
its i-th person has the phone ``+1 AAA NNNNNNN`` with the area code
``area_codes[i % len(area_codes)]`` and the number ``2,000,000 + i``. An area code
belongs to one region (the scenario checks), so a phone number names one person
and the person's slot is found from the number alone.

What the model remembers of a person is kept in flat arrays indexed by slot
(regions one after another): whether they were ever drawn, the most notifications
in any 24 hours, whether they opted out or asked QUIET, their region, and how many
notifications reached them in the last day; and one log, in time order, of the
notifications of the last day (time and slot, 12 bytes each). A fortnight
at national volume meets about ten million people: as objects (~300 bytes each,
with their phone string and dict slot) that was 3 GB growing with the horizon, as
arrays 15 bytes a person (with the count of texts the engine decided for them,
which the texts-per-recipient metrics need).
"""

from __future__ import annotations

from array import array
from collections import Counter
from itertools import accumulate
from typing import TYPE_CHECKING, Final

import numpy as np

from engine.recent import RecentCounts, SlotCounts
from scenarios.network import FIRST_NUMBER, LAST_NUMBER, phone_number

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scenarios.network import Region

KNOWN: Final = 1      # drawn for a parcel at least once
OPTED_OUT: Final = 2  # texted STOP (fatigue)
QUIET: Final = 4      # texted QUIET
DAY: Final = 86_400


class People:
    """Every recipient of a run, by slot."""

    def __init__(self, regions: Sequence[Region], pool: Sequence[int]) -> None:
        if not all(0 < n <= LAST_NUMBER + 1 - FIRST_NUMBER for n in pool):
            raise ValueError("a region's pool of recipients must hold 1 to 8,000,000 people")
        if len(pool) > 65_535:
            raise ValueError("at most 65,535 regions")
        self.pool = list(pool)
        self._areas = [list(r.area_codes) for r in regions]
        self._region_of_area = {a: k for k, codes in enumerate(self._areas) for a in codes}
        starts = list(accumulate(self.pool, initial=0))
        self._offset = starts[:-1]
        n = starts[-1]
        self.region_of = array("H")  # each slot's region
        for r, k in enumerate(self.pool):
            self.region_of.extend(array("H", [r]) * k)
        self.max24 = array("I", [0]) * n       # most notifications in any 24 hours
        self.state = bytearray(n)              # KNOWN | OPTED_OUT | QUIET
        self.texts = array("I", [0]) * n       # texts the engine decided for them (tally)
        self._strangers: Counter[str] = Counter()  # texts to numbers that are nobody's
        # The notifications of the last day and how many each person had (engine.recent),
        # counted by slot in a flat array (``in_day``).
        in_day = SlotCounts(n)
        self._day: RecentCounts[int] = RecentCounts(DAY, in_day, typecode="d",
                                                    key_typecode="I")
        self.in_day = in_day.values

    def meet(self, region: int, i: int) -> str:
        """The ``i``-th person of ``region``, now known: their phone number."""
        self.state[self._offset[region] + i] |= KNOWN
        codes = self._areas[region]
        return phone_number(codes[i % len(codes)], FIRST_NUMBER + i)

    def slot(self, phone: str) -> int:
        """The slot of the known person with this number (E.164), or -1."""
        s = self._slot_of(phone)
        return s if s >= 0 and self.state[s] & KNOWN else -1

    def _slot_of(self, phone: str) -> int:
        """The slot this number (E.164) names, known or not, or -1 for nobody's."""
        area = phone[2:5]
        region = self._region_of_area.get(area)
        if region is None or len(phone) != 12 or phone[:2] != "+1":
            return -1
        number = phone[5:]
        if not (number.isascii() and number.isdigit()):  # int() takes other digits too
            return -1
        i = int(number) - FIRST_NUMBER
        codes = self._areas[region]
        if not 0 <= i < self.pool[region] or codes[i % len(codes)] != area:
            return -1
        return self._offset[region] + i

    def notified(self, slot: int, at: float) -> int:
        """A notification reached the person in ``slot`` at ``at`` (times never go back:
        the model's pump delivers in time order): how many in the 24 hours up to ``at``,
        this one included (and the most so far is updated)."""
        n24 = self._day.add(at, slot)
        if n24 > self.max24[slot]:
            self.max24[slot] = n24
        return n24

    def count(self, to: str) -> None:
        """A text the engine decided for ``to`` (``engine.tally.Recipients``): counted
        by the slot the number names (drawn yet or not, so a number is always counted
        in one place). A number that is nobody's is counted by number: the model sends
        none, but the totals stay exact whatever a scenario does."""
        s = self._slot_of(to)
        if s >= 0:
            self.texts[s] += 1
        else:
            self._strangers[to] += 1

    def totals(self) -> list[int]:
        """Each texted recipient's number of texts (``engine.tally.Recipients``)."""
        values = np.frombuffer(self.texts, dtype=f"u{self.texts.itemsize}")
        return values[values > 0].tolist() + list(self._strangers.values())  # type: ignore[no-any-return]

    def max24_values(self) -> list[int]:
        """The most notifications in 24 hours of everyone notified at least once."""
        values = np.frombuffer(self.max24, dtype=f"u{self.max24.itemsize}")
        return values[values > 0].tolist()  # type: ignore[no-any-return]
