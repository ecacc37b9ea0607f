"""The engine's regular expressions on untrusted text: the same answers, in linear time.

A scan's eventCity was checked with ``[^\\W_]*(?:[ .'&()\\u2019-]+[^\\W_]*)*``: nested
quantifiers over an inner part that could match nothing, so a run of separators ending
in a refused character ("-" * 43 + "!") backtracked exponentially and hung the shim's
event loop (and ``eccc replay``). These tests would hang, not fail, on such a pattern:
they run in a child process with a generous timeout.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.inputs import _CITY
from engine.links import _HOST, _LABEL_CHAR

# The pattern as it was: the reference for which strings are place names.
_OLD_CITY = re.compile(r"[^\W_]*(?:[ .'&()\u2019-]+[^\W_]*)*")
_SEPARATORS = " .'&()\u2019-"
# A dotted name as links.py found it, trying every position: quadratic on a long run of
# label characters (130 ms on 1,600 digits). The reference for which spans are names.
_OLD_HOST = re.compile(f"[{_LABEL_CHAR}](?:[{_LABEL_CHAR}-]*[{_LABEL_CHAR}])?"
                       f"(?:\\.[{_LABEL_CHAR}](?:[{_LABEL_CHAR}-]*[{_LABEL_CHAR}])?)+")


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(_SEPARATORS + "_!/,aZ9é\u0301\u0663\t"),
                                  st.characters()), max_size=14))
def test_city_pattern_accepts_exactly_what_the_old_one_did(text: str) -> None:
    assert (_CITY.fullmatch(text) is None) == (_OLD_CITY.fullmatch(text) is None)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from("ab9é-.-.!_ @\u0301·"), st.characters()),
               max_size=24))
def test_dotted_names_are_found_where_they_were(text: str) -> None:
    assert ([m.span(1) for m in _HOST.finditer(text)]
            == [m.span() for m in _OLD_HOST.finditer(text)])


_PROBE = textwrap.dedent("""
    import importlib, pkgutil, re, engine
    from engine.records import to_input
    from engine.errors import InvalidInput
    # Runs of each separator (and of separators between letters) then a refused
    # character, at the field's limit, through the trace record as the shim and eccc
    # replay read it: the old pattern never returned on these.
    seps = " .'&()\\u2019-"
    names = [c * 59 + tail for c in seps for tail in "!_/\\x00"]
    names += [(c + "a") * 29 + c + "!" for c in seps]
    for name in names:
        rec = {"kind": "scan", "at": "2026-12-16T14:00:01Z", "trackingNumber": "EA1",
               "eventCode": "10", "eventCity": name}
        try:
            to_input(rec)
        except InvalidInput as exc:
            assert exc.field == "eventCity", exc
        else:
            raise AssertionError(f"{name!r} accepted")
    # Every pattern the engine compiles, on runs of the characters it names, then a
    # character that ends no match: exponential backtracking shows at a few dozen.
    for info in pkgutil.walk_packages(engine.__path__, "engine."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if not isinstance(value, re.Pattern):
                continue
            chars = set(value.pattern) | set(" \\t\\n-._'&()!#/:,+aA1")
            for c in chars:
                for text in (c * 300 + "!", c * 300 + "\\x00", (c + "a") * 150 + "_",
                             (c + " ") * 150 + "\\x00"):
                    value.search(text)
                    value.fullmatch(text)
    print("done")
""")


def test_adversarial_city_names_and_every_engine_pattern_answer_at_once() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "done"
