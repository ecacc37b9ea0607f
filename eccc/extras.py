"""Optional parts of the install, and the message a command gives when one is missing.

The core install (``pip install eccc-sim``) runs ``eccc run``, ``replay``, ``sweep``
and ``compare``. The other commands need an extra (pyproject.toml,
``[project.optional-dependencies]``); they call :func:`missing` before importing
anything from it, so a user without the extra is told what to install instead of
reading a traceback. Modules are looked up with ``importlib.util.find_spec``, which
does not run them: importing Locust here would monkey-patch this process (gevent).
"""

from __future__ import annotations

import importlib.util
import sys

# The top-level modules each extra brings, as imported (not as named on PyPI).
EXTRAS: dict[str, tuple[str, ...]] = {
    "http": ("starlette", "uvicorn", "httptools", "httpx", "locust", "swagger_ui_bundle",
             *(("uvloop",) if sys.platform != "win32" else ())),
    "dask": ("distributed",),
    "tune": ("optuna",),
}


def _absent(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):  # a broken or half-removed install
        return True


def missing(extra: str, command: str) -> str | None:
    """``None`` if every module of ``extra`` can be imported, else the message to print."""
    absent = [m for m in EXTRAS[extra] if _absent(m)]
    if not absent:
        return None
    return (f"{command} needs the [{extra}] extra (not installed: {', '.join(absent)}).\n"
            f"Install it with: pip install 'eccc-sim[{extra}]'\n"
            f"  (in a clone: .venv/bin/pip install -e '.[{extra}]', or make test for "
            "everything)")


def require(extra: str, command: str) -> bool:
    """Print the message for a missing extra on stderr; ``True`` if all is there."""
    message = missing(extra, command)
    if message is not None:
        print(message, file=sys.stderr)
    return message is None
