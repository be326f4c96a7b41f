"""Run jobs in worker processes, a few at a time, each within a time limit.

Each job gets a process of its own, so an example that hangs can be stopped
and one that crashes cannot take the build down. The work is named by its
dotted path (``package.module:function``), so this side never imports it.
Processes fork from a fork server that has already imported the modules the
caller names (for the build: the worker and a warm-up that runs one tiny
example), so starting one is cheap, and that server runs with a fixed hash
seed, so every build iterates sets alike. Arguments and results cross by
pickle: plain records, never live objects.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar, cast

J = TypeVar("J")
# The pool stops a worker this long after its time limit, whatever it is doing:
# the job's own alarm comes first and says which step was still running, but a
# worker stuck in C code never reports.
GRACE = 2.0


@dataclass(frozen=True)
class Finished(Generic[J]):
    """What came back for one job: a result, an exception it raised, or a time-out."""

    job: J
    result: Any = None
    error: BaseException | None = None
    timed_out: bool = False
    seconds: float = 0.0


def _resolve(work: str) -> Any:
    module, _, name = work.partition(":")
    return getattr(importlib.import_module(module), name)


def _child(work: str, job: Any, conn: Connection) -> None:
    # The limit counts from here, not from the request to the fork server,
    # which may still be warming up; the parent restarts its clock on this.
    conn.send(("started", time.monotonic()))
    try:
        outcome: tuple[str, Any] = ("ok", _resolve(work)(job))
    except BaseException as exc:  # reported to the parent, which decides
        exc.__traceback__ = None
        outcome = ("error", exc)
    try:
        conn.send(outcome)
    except Exception as exc:  # the result or the exception would not pickle
        conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")))
    finally:
        conn.close()


def _context(preload: Sequence[str]) -> Any:  # typeshed has no common type with .Process
    """A fork server started with a fixed hash seed, so set order is the same every build.

    Workers fork from it, already holding the ``preload`` modules in memory.
    """
    if sys.platform == "win32":  # pragma: no cover - no fork server there
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    previous = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = "0"
    try:
        forkserver.ensure_running()
    finally:
        if previous is None:
            del os.environ["PYTHONHASHSEED"]
        else:
            os.environ["PYTHONHASHSEED"] = previous
    return context


def run(
    work: str,
    jobs: Sequence[J],
    *,
    workers: int,
    timeout: float,
    preload: Sequence[str] = (),
    stop: threading.Event | None = None,
) -> Iterator[Finished[J]]:
    """Yield each job's outcome as it finishes; ``work`` names a function, ``module:name``.

    When ``stop`` is set, the jobs still running are killed and the rest never start.
    """
    context = _context(preload)
    pending = list(jobs)
    running: dict[Connection, tuple[Any, J, float]] = {}
    try:
        while pending or running:
            if stop is not None and stop.is_set():
                return
            while pending and len(running) < max(1, workers):
                job = pending.pop(0)
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(work, job, sender), daemon=True)
                process.start()
                sender.close()
                running[receiver] = (process, job, time.monotonic())
            soonest = min(started for _, _, started in running.values()) + timeout + GRACE
            left = max(0.0, soonest - time.monotonic())
            ready = wait(list(running), timeout=left if stop is None else min(left, 0.1))
            for conn in cast("list[Connection]", ready):
                process, job, started = running[conn]
                seconds = time.monotonic() - started
                try:
                    status, payload = conn.recv()
                except EOFError:
                    process.join()
                    status = "error"
                    payload = RuntimeError(
                        f"the worker process died (exit code {process.exitcode})"
                    )
                if status == "started":
                    running[conn] = (process, job, payload)
                    continue
                del running[conn]
                # Exiting counts against the limit too: a non-daemon thread the
                # job left running keeps the process alive after its answer.
                process.join(max(0.0, started + timeout + GRACE - time.monotonic()))
                conn.close()
                if process.is_alive():
                    process.kill()
                    process.join()
                    if status == "ok":
                        yield Finished(job, timed_out=True, seconds=time.monotonic() - started)
                        continue
                if status == "ok":
                    yield Finished(job, result=payload, seconds=seconds)
                else:
                    yield Finished(job, error=payload, seconds=seconds)
            now = time.monotonic()
            for conn, (process, job, started) in list(running.items()):
                if now - started >= timeout + GRACE:
                    process.kill()
                    process.join()
                    conn.close()
                    del running[conn]
                    yield Finished(job, timed_out=True, seconds=now - started)
    finally:
        for conn, (process, _, _) in running.items():
            process.kill()
            process.join()
            conn.close()
