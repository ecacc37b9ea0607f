"""USPS tracking event codes and the milestones they mean.

Codes are those of Web Tools TrackV2 / Tracking API v3 ``eventCode`` (see
docs/facts.md). The table is data: one row per code, tested directly.
"""

from __future__ import annotations

from typing import Final

# Milestones, i.e. the status a person cares about.
LABEL_CREATED: Final = 0
ACCEPTED: Final = 1
IN_TRANSIT: Final = 2
AT_UNIT: Final = 3
OUT_FOR_DELIVERY: Final = 4
ATTEMPTED: Final = 5
AVAILABLE_FOR_PICKUP: Final = 6
DELIVERED: Final = 7
ALERT: Final = 8
RETURN_TO_SENDER: Final = 9
UNKNOWN: Final = 10

MILESTONE_NAMES: Final = (
    "label_created", "accepted", "in_transit", "at_unit", "out_for_delivery",
    "attempted", "available_for_pickup", "delivered", "alert", "return_to_sender",
    "unknown",
)

# Progress rank along the normal path. A later scan with a lower rank is a
# regression (e.g. "processed" after "out for delivery": the OF scan was
# premature, a scan error the OIG found on 33% of parcels). Attempts share the
# out-for-delivery rank because OF -> attempt -> OF -> delivered is a normal
# cycle. Alerts have no rank (None): they never move progress.
PROGRESS: Final[tuple[int | None, ...]] = (0, 1, 2, 3, 4, 4, 5, 6, None, 1, None)

# Categories, matched against a subscriber's update options (a bitmask).
CAT_IN_TRANSIT: Final = 1
CAT_DAY_OF_DELIVERY: Final = 2
CAT_DELIVERED: Final = 4
CAT_PICKUP: Final = 8
CAT_EXCEPTION: Final = 16
CAT_ETA: Final = 32
CAT_ALL: Final = 63

CATEGORY_OF_MILESTONE: Final = (
    CAT_IN_TRANSIT, CAT_IN_TRANSIT, CAT_IN_TRANSIT, CAT_IN_TRANSIT, CAT_DAY_OF_DELIVERY,
    CAT_EXCEPTION, CAT_PICKUP, CAT_DELIVERED, CAT_EXCEPTION, CAT_EXCEPTION, 0,
)

# code -> (milestone, the wording a person reads)
EVENTS: Final[dict[str, tuple[int, str]]] = {
    "GX": (LABEL_CREATED, "Label Created, not yet in system"),
    "MA": (LABEL_CREATED, "Shipping Label Created"),
    "TM": (ACCEPTED, "Shipment Accepted"),
    "PA": (ACCEPTED, "Shipment Accepted"),
    "03": (ACCEPTED, "Accepted at USPS Origin Facility"),
    "10": (IN_TRANSIT, "Processed at USPS Facility"),
    "PC": (AT_UNIT, "Sorting Complete"),  # at the delivery unit, after 07
    "EF": (IN_TRANSIT, "Departed USPS Facility"),
    "SF": (IN_TRANSIT, "Departed Post Office"),
    "06": (IN_TRANSIT, "Forwarded"),
    "07": (AT_UNIT, "Arrived at Post Office"),
    "14": (AVAILABLE_FOR_PICKUP, "Arrived at Pickup Point"),
    "OF": (OUT_FOR_DELIVERY, "Out for Delivery"),
    "01": (DELIVERED, "Delivered"),
    "17": (DELIVERED, "Picked Up"),
    "43": (DELIVERED, "Picked Up"),
    "02": (ATTEMPTED, "Delivery Attempted - Notice Left"),
    "52": (ATTEMPTED, "Notice Left"),
    "53": (ATTEMPTED, "Receptacle Blocked"),
    "54": (ATTEMPTED, "Receptacle Full / Item Oversized"),
    "55": (ATTEMPTED, "No Secure Location Available"),
    "56": (ATTEMPTED, "No Authorized Recipient Available"),
    "30": (ATTEMPTED, "No Access to Delivery Location"),
    "51": (ATTEMPTED, "Business Closed"),
    "71": (ATTEMPTED, "Rescheduled to Next Delivery Day"),
    "16": (AVAILABLE_FOR_PICKUP, "Available for Pickup"),
    "04": (ALERT, "Refused"),
    "05": (ALERT, "Undeliverable as Addressed"),
    "08": (ALERT, "Missent"),
    "15": (ALERT, "Mis-shipped"),
    "31": (ALERT, "Not Picked Up"),
    "44": (ALERT, "Customer Recall"),
    "DX": (ALERT, "Delivery Status Not Updated"),
    "09": (RETURN_TO_SENDER, "Return to Sender"),
    **{str(c): (ALERT, "Addressing Problem") for c in range(21, 30)},
}

# A compact index per code, so per-parcel history can store one byte per scan.
CODES: Final[tuple[str, ...]] = tuple(EVENTS)
CODE_INDEX: Final[dict[str, int]] = {code: i for i, code in enumerate(CODES)}
UNKNOWN_CODE_INDEX: Final = 255
MILESTONE_OF_INDEX: Final[tuple[int, ...]] = tuple(EVENTS[c][0] for c in CODES)
WORDING_OF_INDEX: Final[tuple[str, ...]] = tuple(EVENTS[c][1] for c in CODES)


def milestone_of(code: str) -> int:
    """The milestone of an event code; UNKNOWN for a code not in the table."""
    row = EVENTS.get(code)
    return UNKNOWN if row is None else row[0]


def is_terminal(milestone: int) -> bool:
    """Delivered (or picked up): nothing later is news."""
    return milestone == DELIVERED
