"""Quicker construction for the engine's events, which stay frozen.

A frozen dataclass's generated ``__init__`` sets each field with
``object.__setattr__(self, name, value)``: a generic attribute lookup by name per
field. The engine takes and makes an event object per input and per decision
(tens of millions on a national peak day), so ``quick_init`` gives a frozen,
slotted, keyword-only dataclass an ``__init__`` that calls each slot's own setter
instead: the same assignments in the same order, the same defaults, then
``__post_init__``. Nothing else changes: assigning to a field afterwards still
raises ``FrozenInstanceError``, and equality, hashing, ``repr`` and
``dataclasses.fields`` are the dataclass's own. (Measured on a 10-field event:
2.3 -> 1.4 us per object.)
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """Replace ``cls.__init__`` (a frozen, slotted, keyword-only dataclass)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: quick_init is for frozen, slotted dataclasses")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names: dict[str, Any] = {}
    signature: list[str] = []
    body: list[str] = []
    for f in fields:
        if not f.init or not f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: quick_init needs plain keyword fields")
        if f.default is dataclasses.MISSING:
            signature.append(f.name)
        else:
            names[f"_default_{f.name}"] = f.default
            signature.append(f"{f.name}=_default_{f.name}")
        names[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        body.append(f"    _set_{f.name}(self, {f.name})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__(self, *, {', '.join(signature)}):\n" + "\n".join(body or ["    pass"])
    exec(source, names)  # as dataclasses itself builds __init__
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
