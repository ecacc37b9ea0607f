"""Where sweep tasks run: in this process, a local process pool, or a Dask cluster.

Every executor has one method, ``run(fn, tasks)``, yielding ``(index, result)``
as tasks finish, in any order; callers sort. ``fn`` must never raise for a
bad point (``research.sweep.evaluate`` turns errors into a result), so an executor
only has to survive infrastructure failures: a worker process that dies marks
its tasks failed instead of losing the sweep.

Researchers' plug-in policies are files, not packages: ``load_plugins``
imports them by path, and each task calls it again in its worker process
(idempotent, cached in ``sys.modules``) so a process pool or a remote Dask
worker knows the policy before it builds an engine. No home-made cluster code:
past one machine it is Dask's scheduler and workers (docs/architecture.md, Scale).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Protocol

Task = Any
Result = dict[str, Any]


class PluginError(Exception):
    """A plug-in file that cannot be used: missing, or its import raised anything at all
    (a SyntaxError, a RuntimeError, even SystemExit). The message is one line:
    ``TypeName: what it said``; ``path`` is the file."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


def load_plugins(paths: Sequence[str]) -> None:
    """Import each plug-in file once per process so its ``@register`` policies exist;
    ``PluginError`` for one that is missing or whose import raises (whatever it raises,
    SystemExit included: a plug-in must not end the command, or make it exit 0)."""
    for raw in paths:
        path = Path(raw).resolve()
        name = "eccc_plugin_" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
        if name in sys.modules:
            continue
        if not path.is_file():
            raise PluginError(path, f"no such file ({path})")
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise PluginError(path, f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except KeyboardInterrupt:
            del sys.modules[name]
            raise
        except BaseException as exc:  # the researcher's code: whatever it raises
            del sys.modules[name]
            raise PluginError(path, f"{type(exc).__name__}: {exc}") from exc


def infrastructure_failure(message: str) -> Result:
    return {"ok": False, "error": message}


class Executor(Protocol):
    name: str

    def run(self, fn: Callable[[Task], Result], tasks: Sequence[Task]
            ) -> Iterator[tuple[int, Result]]: ...

    def close(self) -> None: ...


class InProcess:
    """One task after another in this process: the reference the others must match."""

    name = "in-process"

    def run(self, fn: Callable[[Task], Result], tasks: Sequence[Task]
            ) -> Iterator[tuple[int, Result]]:
        for i, task in enumerate(tasks):
            yield i, fn(task)

    def close(self) -> None:
        pass


def _ignore_interrupts() -> None:
    """In a pool's worker: Ctrl-C is the parent's to handle (the terminal sends it to
    the whole process group), so a worker neither prints a traceback nor dies mid-task."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


class LocalPool:
    """A process pool over all cores by default (simulation is CPU-bound; threads won't do)."""

    name = "process pool"

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:  # 0 was all cores, -1 a pool's traceback
            raise ValueError(f"workers must be at least 1 (got {workers}); None is all cores")
        self.workers = workers or os.cpu_count() or 1

    def run(self, fn: Callable[[Task], Result], tasks: Sequence[Task]
            ) -> Iterator[tuple[int, Result]]:
        if not tasks:
            return
        pool = ProcessPoolExecutor(max_workers=min(self.workers, len(tasks)),
                                   initializer=_ignore_interrupts)
        try:
            futures: dict[Future[Result], int] = {pool.submit(fn, t): i
                                                  for i, t in enumerate(tasks)}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    try:
                        yield futures[fut], fut.result()
                    except BrokenProcessPool as exc:  # a worker died (OOM, segfault)
                        yield futures[fut], infrastructure_failure(f"worker died: {exc}")
        except BaseException:
            # Ctrl-C (or the caller gave up): the queued tasks are dropped and the running
            # ones stopped, rather than run to the end before the interruption is said.
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            raise
        pool.shutdown(wait=True)

    def close(self) -> None:
        pass


class DaskCluster:
    """Tasks on a Dask distributed cluster: an address, or ``"local"`` for a LocalCluster.

    ``processes=False`` keeps a LocalCluster's workers as threads in this
    process (fast to start, what the tests use); the default starts processes.
    """

    name = "dask"

    def __init__(self, address: str, workers: int | None = None, processes: bool = True) -> None:
        import distributed

        dist: Any = distributed  # untyped package: keep its calls out of strict checks
        Client, LocalCluster = dist.Client, dist.LocalCluster
        self.cluster: Any = None
        self.client: Any
        if address == "local":
            self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                        threads_per_worker=1, processes=processes,
                                        # a free port: the scheduler always serves
                                        # HTTP, and 8787 may be another cluster's
                                        dashboard_address=":0")
            self.client = Client(self.cluster)
        else:
            self.client = Client(address)
        self.name = f"dask ({self.client.scheduler.address})"

    def run(self, fn: Callable[[Task], Result], tasks: Sequence[Task]
            ) -> Iterator[tuple[int, Result]]:
        import distributed

        as_completed: Any = distributed.as_completed
        if not tasks:
            return
        # pure=False: a task's identity is its index, not a hash of its arguments.
        futures = self.client.map(fn, list(tasks), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures):
            try:
                yield index[fut.key], fut.result()
            except Exception as exc:  # worker lost; the scheduler gave up on the task
                yield index[fut.key], infrastructure_failure(f"dask: {type(exc).__name__}: {exc}")

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(workers: int | None = None, dask: str | None = None,
                  processes: bool = True) -> Executor:
    """``--dask`` wins; ``--workers 1`` means in this process (easy to debug)."""
    if dask:
        return DaskCluster(dask, workers, processes)
    if workers == 1:
        return InProcess()
    return LocalPool(workers)
