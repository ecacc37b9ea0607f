"""The type of every key of a study file (sweep, tune), checked before anything is used.

A study file is TOML, so a key can hold anything: ``set = 5``, ``plugins = "x.py"`` or
``minimize = "opt_outs"`` would otherwise be iterated, or crash somewhere deep with a
traceback. ``check_keys`` refuses them in one line naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]


def _integer(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _strings(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _tables(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, dict) for x in v)


KINDS: dict[str, Check] = {
    "a string": lambda v: isinstance(v, str),
    "an integer": _integer,
    "a number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "true or false": lambda v: isinstance(v, bool),
    "a table": lambda v: isinstance(v, dict),
    "a list of strings": _strings,
    "an array of tables": _tables,
}


def shown(value: Any) -> str:
    """A value as the message quotes it: short, and its TOML type when it is a table."""
    if isinstance(value, dict):
        return "a table"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_keys(raw: Mapping[str, Any], kinds: Mapping[str, str], where: str,
               error: type[ValueError], prefix: str = "") -> None:
    """Each key of ``raw`` named in ``kinds`` holds a value of that kind (``KINDS``), or
    ``error`` says ``where: prefix+key: must be KIND, not VALUE``."""
    for key, kind in kinds.items():
        if key in raw and not KINDS[kind](raw[key]):
            raise error(f"{where}: {prefix}{key}: must be {kind}, not {shown(raw[key])}")


def check_grid(grid: Any, where: str, key: str, error: type[ValueError]) -> None:
    """A grid: a table whose every key holds a non-empty list of values."""
    if not isinstance(grid, dict) or not all(isinstance(v, list) and v for v in grid.values()):
        raise error(f"{where}: {key}: each key needs a non-empty list of values")
