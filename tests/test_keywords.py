"""Table tests: what an inbound text means."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        ("AYUDA", "help", "AYUDA"),
        ("ayuda por favor", "help", "AYUDA"),
        ("AIDE", "help", "AIDE"),  # the French HELP CWTA guidelines require in Canada
        ("ARRET", "opt_out", "ARRET"),
        ("arrêt", "opt_out", "ARRET"),
        ("dtop", "opt_out", "STOP"),  # STOP mistyped, as the whole text only
        ("quiet", "quiet", "QUIET"),
        ("AWAKE", "awake", "AWAKE"),
        ("please stop texting me", "opt_out", "REQUEST"),
        ("Opt out", "opt_out", "OPTOUT"),
        ("opt-out", "opt_out", "OPTOUT"),
        ("STOP ALL", "opt_out", "STOPALL"),
        ("stopp", "opt_out", "STOP"),  # a key held down: a reasonable reader sees STOP
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
        (f"{TN} STOP", "stop_parcel", ""),
        (f"{TN} opt-out", "stop_parcel", ""),
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


CORPUS = Path(__file__).resolve().parent / "revocation_corpus.txt"


def corpus() -> list[tuple[str, str]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, text = line.split("\t", 1)
            rows.append((expected, text.replace("{TN}", TN)))
    return rows


@pytest.mark.parametrize(("expected", "text"), corpus())
def test_revocation_corpus(expected: str, text: str) -> None:
    verb = parse(text).verb
    assert (verb if verb in ("opt_out", "stop_parcel") else "other") == expected


_KEYWORDS = ["STOP", "STOPALL", "STOP ALL", "QUIT", "END", "REVOKE", "OPT OUT", "OPTOUT",
             "OPT-OUT", "CANCEL", "UNSUBSCRIBE", "UN-SUBSCRIBE"]
_NOISE = st.sampled_from(["", " ", "  ", ".", "!", "!!!", "?", ",", "-", "...", "🛑", "🙏",
                          "\n", "\t", "*", "(", ")", "\"", "'", "👍 "])


def _any_case(draw: st.DrawFn, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.lower() if f else c.upper() for c, f in zip(word, flips, strict=True))


@st.composite
def revocations(draw: st.DrawFn) -> tuple[str, bool]:
    """A revocation keyword in any case, spacing and punctuation, with or without a
    tracking number on either side; whether it names a parcel."""
    word = draw(st.sampled_from(_KEYWORDS))
    sep = draw(st.sampled_from([" ", "-", "_", "  ", ". "]))
    word = word.replace(" ", sep).replace("-", sep) if sep != " " else word
    text = draw(_NOISE) + _any_case(draw, word) + draw(_NOISE)
    where = draw(st.sampled_from(["", "before", "after"]))
    tn = draw(st.sampled_from([TN, "9400 1118 9922 3456 7890 12", "EA123456789US"]))
    if where == "before":
        text = f"{tn}{draw(_NOISE)} {text}"
    elif where == "after":
        text = f"{text} {tn}{draw(_NOISE)}"
    return text, bool(where)


@given(revocations())
@settings(max_examples=400, deadline=None)
def test_any_revocation_keyword_is_understood(case: tuple[str, bool]) -> None:
    text, names_parcel = case
    command = parse(text)
    stop_all = "ALL" in text.upper().replace(" ", "").replace("-", "").replace("_", "").replace(
        ".", "")
    if names_parcel and not stop_all:
        assert command.verb == "stop_parcel", text
        assert command.tracking_number in (TN, "EA123456789US")
    else:
        assert command.verb == "opt_out", text


# A plain request to stop that names a time of day asks for the quiet window, every form alike
# (docs/compliance.md section 2); an event ("after it's delivered") or a day is a revocation.
@pytest.mark.parametrize("text", [
    "don't text before 8am", "no texts after 10pm please", "please don't text me so early",
    "stop texting me at 5am", "Stop texting me at night", "no more texts after 9 pm",
    "don't text me before 7 please", "no mensajes de noche", "STOP texting me at 3am",
    "Please no texts late at night",
])
def test_time_of_day_is_quiet(text: str) -> None:
    assert parse(text).verb == "quiet"


@pytest.mark.parametrize("text", [
    "stop texting me after it's delivered", "no more updates for today", "stop texting me",
    "Stop. No texts at night",
])
def test_not_a_time_of_day_still_revokes(text: str) -> None:
    assert parse(text).verb == "opt_out"


@pytest.mark.parametrize("text", [
    "deliver after 5pm please", "leave it at the door after 6pm", "Is it coming before 8am?",
    "come by at 10am", "I was up so early", "stop at 5pm please",
])
def test_time_of_day_alone_is_not_quiet(text: str) -> None:
    assert parse(text).verb != "quiet"
