"""Frequency policies: plug-ins behind one small interface (``base.Policy``).

Build a chain with ``build(["milestones", "quiet_hours", "cap_rolling:limit=3"])``.
A researcher's own policy is a ``Policy`` subclass decorated with ``register``
in a module of their own, imported before the chain is built.
"""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Iterable

from engine.errors import LocalMisuse
from engine.policies import budget, caps, digest, law, quiet, selection
from engine.policies.base import REGISTRY, Drop, Hold, Policy, Verdict, register

__all__ = [
    "REGISTRY", "Drop", "Hold", "Policy", "Verdict", "budget", "build", "canonical", "caps",
    "digest", "law", "parse_spec", "quiet", "register", "selection",
]


def _value(text: str) -> object:
    low = text.lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)  # a plug-in's float parameter; checked against its default
    except ValueError:
        return text


def parse_spec(spec: str) -> tuple[str, dict[str, object]]:
    """``"cap_rolling:limit=3,hours=24"`` -> ``("cap_rolling", {"limit": 3, "hours": 24})``."""
    name, _, rest = spec.strip().partition(":")
    params: dict[str, object] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, val = item.partition("=")
        if not eq or not key.strip():
            raise LocalMisuse(f"policy {spec!r}: expected key=value, got {item!r}")
        if key.strip() in params:  # "limit=3,limit=4": which one was meant?
            raise LocalMisuse(f"policy {spec!r}: {key.strip()!r} is given twice")
        params[key.strip()] = _value(val.strip())
    return name.strip(), params


def canonical(spec: str) -> tuple[str, tuple[tuple[str, object], ...]]:
    """A spec as the policy it builds: its name and every parameter, the defaults filled
    in, so "cap_rolling", "cap_rolling: limit=3" and "cap_rolling:limit=3" (3 is the
    default) are one chain entry, and "every_scan:" is "every_scan". A number is compared
    as its value (3 and 3.0 alike). A spec that does not parse is its own text."""
    try:
        name, params = parse_spec(spec)
    except LocalMisuse:
        return (spec, ())
    factory = REGISTRY.get(name)
    full: dict[str, object] = {}
    if factory is not None:
        try:
            sig = inspect.signature(factory)
        except (TypeError, ValueError):
            sig = None
        if sig is not None:
            full = {p.name: p.default for p in sig.parameters.values()
                    if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                    and p.default is not p.empty}
    full.update(params)

    def norm(v: object) -> object:
        if isinstance(v, bool) or not isinstance(v, int | float):
            return v
        return float(v)

    return (name, tuple(sorted((k, norm(v)) for k, v in full.items())))


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_params(spec: str, name: str, factory: object, params: dict[str, object]) -> None:
    """Unknown parameters are named with the valid ones, not as Python's TypeError."""
    try:
        sig = inspect.signature(factory)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return
    valid = [p.name for p in sig.parameters.values()
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for key, value in params.items():
        if key not in valid:
            takes = ", ".join(valid) if valid else "no parameters"
            raise LocalMisuse(f"policy {spec!r}: unknown parameter {key!r}"
                              f"{_did_you_mean(key, valid)}; {name} takes: {takes}")
        default = sig.parameters[key].default
        if isinstance(default, bool):
            kind, ok = "true or false", type(value) is bool
        elif isinstance(default, int):
            kind, ok = "a whole number", type(value) is int
        elif isinstance(default, float):
            kind = "a finite number"
            ok = type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]
        else:
            continue
        if not ok:
            raise LocalMisuse(f"policy {spec!r}: {key} must be {kind} (default {default!r}), "
                              f"got {value!r}")


def build(specs: list[str] | tuple[str, ...]) -> tuple[Policy, ...]:
    """Policies from specs, in order. Errors name the spec and what is allowed."""
    chain = []
    for spec in specs:
        name, params = parse_spec(spec)
        factory = REGISTRY.get(name)
        if factory is None:
            known = ", ".join(sorted(REGISTRY))
            raise LocalMisuse(f"unknown policy {name!r}{_did_you_mean(name, REGISTRY)}; "
                              f"known policies: {known}")
        _check_params(spec, name, factory, params)
        try:
            chain.append(factory(**params))
        except (TypeError, ValueError) as exc:
            raise LocalMisuse(f"policy {spec!r}: {exc}") from None
    return tuple(chain)
