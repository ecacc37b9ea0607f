"""One benchmark run in a fresh process, so that its peak memory is its own."""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections.abc import Callable
from typing import Any


def _call(fn: Callable[..., dict[str, Any]], args: tuple[Any, ...], q: Any) -> None:
    q.put(fn(*args))


def in_fresh_process(fn: Callable[..., dict[str, Any]], *args: Any, label: str
                     ) -> dict[str, Any]:
    """``fn(*args)`` in a spawned process (``fn`` a module-level function); its row is
    printed on stderr after ``label`` (without its samples) and returned."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_call, args=(fn, args, q))
    p.start()
    row: dict[str, Any] = q.get()
    p.join()
    brief = {k: v for k, v in row.items() if k != "samples"}
    print(f"{label}: {brief}", file=sys.stderr, flush=True)
    return row
