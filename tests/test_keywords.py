"""Table tests: what an inbound text means."""

import pytest

from engine.keywords import parse

TN = "9400111899223456789012"


@pytest.mark.parametrize(
    ("body", "verb", "word"),
    [
        ("STOP", "opt_out", "STOP"),
        ("stop", "opt_out", "STOP"),
        ("  Stop.  ", "opt_out", "STOP"),
        ("STOP!", "opt_out", "STOP"),
        ("stopall", "opt_out", "STOPALL"),
        ("Unsubscribe", "opt_out", "UNSUBSCRIBE"),
        ("cancel", "opt_out", "CANCEL"),
        ("END", "opt_out", "END"),
        ("quit?", "opt_out", "QUIT"),
        ("revoke", "opt_out", "REVOKE"),
        ("OptOut", "opt_out", "OPTOUT"),
        ("START", "opt_in", "START"),
        ("yes", "opt_in", "YES"),
        ("Yes!", "opt_in", "YES"),
        ("unstop", "opt_in", "UNSTOP"),
        ("HELP", "help", "HELP"),
        ("info", "help", "INFO"),
        ("quiet", "quiet", "QUIET"),
        ("AWAKE", "awake", "AWAKE"),
        ("please stop texting me", "unknown", ""),
        ("stopp", "unknown", ""),
        ("", "unknown", ""),
        ("thanks!", "unknown", ""),
    ],
)
def test_keywords(body: str, verb: str, word: str) -> None:
    command = parse(body)
    assert (command.verb, command.word) == (verb, word)


@pytest.mark.parametrize(
    ("body", "verb", "mode"),
    [
        (TN, "track", ""),
        ("9400 1118 9922 3456 7890 12", "track", ""),
        (f"{TN} AA", "track", "AA"),
        (f"{TN} af", "track", "AF"),
        (f"ap {TN}", "track", "AP"),
        (f"{TN} DND", "track", "DND"),
        (f"{TN} delivery", "track", "WHEN"),
        (f"{TN} DATE", "track", "WHEN"),
        (f"{TN} update", "track", "WHEN"),
        (f"{TN} when?", "track", "WHEN"),
        (f"STOP {TN}", "stop_parcel", ""),
        (f"stop {TN}.", "stop_parcel", ""),
        ("EA123456789US", "track", ""),
        (f"{TN} XYZ", "unknown", ""),
        ("12345", "unknown", ""),
    ],
)
def test_tracking_commands(body: str, verb: str, mode: str) -> None:
    command = parse(body)
    assert command.verb == verb
    assert command.mode == mode
    if verb != "unknown":
        assert command.tracking_number in (TN, "EA123456789US")
