"""Table tests: USPS event code -> milestone."""

import pytest

from engine import codes


@pytest.mark.parametrize(
    ("code", "milestone"),
    [
        ("GX", codes.LABEL_CREATED), ("MA", codes.LABEL_CREATED),
        ("TM", codes.ACCEPTED), ("PA", codes.ACCEPTED), ("03", codes.ACCEPTED),
        ("10", codes.IN_TRANSIT), ("EF", codes.IN_TRANSIT), ("SF", codes.IN_TRANSIT),
        ("07", codes.AT_UNIT), ("PC", codes.AT_UNIT),
        ("OF", codes.OUT_FOR_DELIVERY),
        ("01", codes.DELIVERED), ("17", codes.DELIVERED), ("43", codes.DELIVERED),
        ("02", codes.ATTEMPTED), ("52", codes.ATTEMPTED), ("53", codes.ATTEMPTED),
        ("54", codes.ATTEMPTED), ("55", codes.ATTEMPTED), ("56", codes.ATTEMPTED),
        ("30", codes.ATTEMPTED), ("51", codes.ATTEMPTED), ("71", codes.ATTEMPTED),
        ("14", codes.AVAILABLE_FOR_PICKUP), ("16", codes.AVAILABLE_FOR_PICKUP),
        ("04", codes.ALERT), ("05", codes.ALERT), ("08", codes.ALERT), ("15", codes.ALERT),
        ("21", codes.ALERT), ("29", codes.ALERT), ("31", codes.ALERT), ("44", codes.ALERT),
        ("DX", codes.ALERT),
        ("09", codes.RETURN_TO_SENDER),
        ("ZZ", codes.UNKNOWN), ("", codes.UNKNOWN),
    ],
)
def test_code_to_milestone(code: str, milestone: int) -> None:
    assert codes.milestone_of(code) == milestone


def test_every_code_has_wording_and_fits_a_byte() -> None:
    assert len(codes.CODES) < codes.UNKNOWN_CODE_INDEX
    for code in codes.CODES:
        assert codes.WORDING_OF_INDEX[codes.CODE_INDEX[code]]


def test_progress_order_follows_the_normal_path() -> None:
    path = [codes.LABEL_CREATED, codes.ACCEPTED, codes.IN_TRANSIT, codes.AT_UNIT,
            codes.OUT_FOR_DELIVERY, codes.DELIVERED]
    ranks = [codes.PROGRESS[m] for m in path]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    # an attempt does not block the next day's out-for-delivery
    assert codes.PROGRESS[codes.ATTEMPTED] == codes.PROGRESS[codes.OUT_FOR_DELIVERY]
    assert codes.PROGRESS[codes.ALERT] is None
