"""Run jobs in worker processes, a few at a time, each within a time limit.

Each job gets a process of its own, so an example that hangs can be stopped
and one that crashes cannot take the build down. The work is named by its
dotted path (``package.module:function``), so this side never imports it.
Processes fork from a fork server that has already imported the modules the
caller names (for the build: the worker and a warm-up that runs one tiny
example), so starting one is cheap.

What a worker can reach is decided where the fork server starts, since every
worker forks from it (:mod:`site_app.orchestrate.sandbox`): an allowlisted
environment with a fixed hash seed, a fixed clock (libfaketime, where
installed) and, where the machine allows user namespaces, a bubblewrap
sandbox with a read-only file system but the folders the caller names, a
private ``/tmp`` and no network. The build's own process stays as it is.

Each worker leads a session of its own and adopts the orphans of what it
starts (a subreaper), so every process a job started ends with it, on time
or not. The limit is the job's own CPU time; a wall-clock ceiling, a few
times longer, stops a job that sleeps. Arguments cross by pickle; results
come back through an unpickler that loads only the build's own records, so a
worker cannot make the build run code.
"""

from __future__ import annotations

import contextlib
import glob
import importlib
import inspect
import io
import math
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing import forkserver, resource_tracker, spawn
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar, cast

import psutil

from ..errors import ExampleError, Location
from ..model import Example
from . import sandbox as _sandbox
from .sandbox import Sandbox, containment

__all__ = ["Died", "Finished", "Refused", "Sandbox", "containment", "ended_badly", "run_in_workers"]

J = TypeVar("J")
# The pool stops a worker this long after its wall-clock ceiling, whatever it
# is doing; RLIMIT_CPU's hard limit is this much above its soft one.
GRACE = 2.0
# A job may take this many times its CPU limit in wall-clock time (it sleeps,
# waits on a lock, or shares a busy machine) before it is stopped.
WALL_FACTOR = 3.0
WALL_ROOM = 15.0  # and never less than this beyond its CPU limit (a busy machine, a short limit)


def wall_limit(timeout: float) -> float:
    """The wall-clock ceiling of a job whose CPU time is limited to ``timeout``.

    Time the job spent ready to run but waiting for a CPU (a busy machine) does not
    count against it: :func:`cpu_wait`.
    """
    return max(timeout * WALL_FACTOR, timeout + WALL_ROOM)


def cpu_wait(pid: int) -> float:
    """Seconds the threads of process ``pid`` have spent ready to run, waiting for a CPU.

    Linux's scheduler counts it per thread, the second field of
    ``/proc/<pid>/task/<tid>/schedstat``; where there is no such file, 0.
    """
    waited = 0
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(path, encoding="ascii") as stat:
                waited += int(stat.read().split()[1])
        except (OSError, ValueError, IndexError):  # a thread that just ended
            continue
    return waited / 1e9


@dataclass(frozen=True)
class Died:
    """A worker that ended without answering: its exit code or the signal that ended it."""

    exitcode: int | None

    @property
    def signal_name(self) -> str | None:
        if self.exitcode is None or self.exitcode >= 0:
            return None
        try:
            return signal.Signals(-self.exitcode).name
        except ValueError:  # pragma: no cover - a signal Python does not name
            return f"signal {-self.exitcode}"

    def __str__(self) -> str:
        name = self.signal_name
        return f"killed by {name}" if name else f"exited with code {self.exitcode}"


@dataclass(frozen=True)
class Refused:
    """A result the build would not load: it would not pickle, or names code to run."""

    what: str


@dataclass(frozen=True)
class Finished(Generic[J]):
    """What came back for one job: a result, an exception it raised, or a time-out.

    ``step`` is the last thing the job reported doing (see :func:`run_in_workers`'s
    ``report``), so a time-out or a death can say where it happened;
    ``died`` and ``refused`` say how a job ended that gave no answer.
    """

    job: J
    result: Any = None
    error: BaseException | None = None
    timed_out: bool = False
    seconds: float = 0.0
    step: Any = None
    died: Died | None = None
    refused: Refused | None = None


def _resolve(work: str) -> Any:
    module, _, name = work.partition(":")
    return getattr(importlib.import_module(module), name)


def _child(work: str, job: Any, conn: Connection, cpu_seconds: float) -> None:
    # A session of its own: the build's terminal signals do not reach it, and
    # the pool can end its whole process group. A subreaper: what it starts
    # and orphans stays its descendant, so it can end it all before it exits.
    # Killed with the fork server: a build that could not end it does not leave it.
    os.setsid()
    _sandbox.become_subreaper()
    _release_fork_server()
    _sandbox.die_with_parent()
    limit = math.ceil(cpu_seconds)
    _sandbox.limit_cpu(limit, limit + math.ceil(GRACE))
    conn.send(("started", None))
    try:
        function = _resolve(work)
        if "report" in inspect.signature(function).parameters:
            outcome: tuple[str, Any] = ("ok", function(job, report=_reporter(conn)))
        else:
            outcome = ("ok", function(job))
    except BaseException as exc:  # reported to the parent, which decides
        exc.__traceback__ = None
        outcome = ("error", exc)
    try:
        conn.send(outcome)
    except Exception as exc:  # the result or the exception would not pickle
        conn.send(("refused", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
        end_descendants(os.getpid())


def _release_fork_server() -> None:
    """Close this worker's copy of the write end of the fork server's "alive" pipe.

    The server ends when every copy is closed, the build's own when its process
    ends. But multiprocessing hands one to every process the server starts
    (``forkserver._serve_one``), so a worker kept the server, and so itself,
    alive after a build that was killed. A worker starts no process through
    this server: a fork server of its own, if it wants one, gets a pipe of its own.
    """
    server: Any = forkserver._forkserver
    fd = getattr(server, "_forkserver_alive_fd", None)  # its name in CPython 3.10 to 3.13
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
        server._forkserver_alive_fd = None


def _reporter(conn: Connection) -> Callable[[Any], None]:
    def report(step: Any) -> None:
        with contextlib.suppress(Exception):  # a step that does not pickle is not worth dying for
            conn.send(("step", step))

    return report


def end_descendants(pid: int) -> None:
    """Kill every process below ``pid`` (orphans it adopted included) and its process group.

    Repeats while new ones appear, so a process that forks as it dies is ended too.
    """
    for _ in range(20):
        try:
            found = psutil.Process(pid).children(recursive=True)
        except psutil.Error:
            found = []
        for process in found:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(found, timeout=1)
        if not found:
            break
    if pid != os.getpid():
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


def _end(process: Any) -> None:
    """End a worker and everything it started: its descendants, then itself, then its group."""
    if process.pid is not None:
        with contextlib.suppress(psutil.Error):
            below = psutil.Process(process.pid).children(recursive=True)
            for child in below:
                with contextlib.suppress(psutil.Error):
                    child.kill()
    process.kill()
    process.join()
    if process.pid is not None:
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)


_SAFE_BUILTINS = frozenset(
    {
        "set",
        "frozenset",
        "dict",
        "list",
        "tuple",
        "bytes",
        "bytearray",
        "str",
        "int",
        "float",
        "complex",
        "bool",
        "range",
        "slice",
    }
)


class _RecordsOnly(pickle.Unpickler):
    """Loads the build's own records, paths, containers and exception types; nothing else.

    Unpickling calls whatever a pickle names; an example runs in the worker
    and could send anything down its pipe.
    """

    def find_class(self, module: str, name: str) -> Any:
        if module in ("site_app.model", "site_app.errors", "site_app.orchestrate.pool"):
            return super().find_class(module, name)
        if module == "pathlib" and name in ("PosixPath", "PurePosixPath", "WindowsPath", "Path"):
            return super().find_class(module, name)
        if module == "builtins":
            value = super().find_class(module, name)
            if name in _SAFE_BUILTINS or (
                isinstance(value, type) and issubclass(value, BaseException)
            ):
                return value
        raise pickle.UnpicklingError(f"the result names {module}.{name}")


def _receive(conn: Connection) -> tuple[str, Any]:
    data = conn.recv_bytes()
    try:
        message = _RecordsOnly(io.BytesIO(data)).load()
    except Exception as exc:  # a result that names code, or that would not load
        return ("refused", f"{describe_refusal(exc)}")
    if not (isinstance(message, tuple) and len(message) == 2 and isinstance(message[0], str)):
        return ("refused", "the worker sent something other than a result")
    return cast("tuple[str, Any]", message)


def describe_refusal(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _context(preload: Sequence[str], box: _sandbox.Sandbox) -> Any:
    """A fork server started by the sandbox's launcher; workers fork from it.

    The launcher sets its environment, clock and containment; the server then
    imports the ``preload`` modules once for every worker. A server started
    for another sandbox (another project in the same process) is stopped first.
    """
    if sys.platform == "win32":  # pragma: no cover - no fork server there
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    if not (box.contain and _sandbox.bubblewrap_works()):
        # Nothing to bind: one server serves every project of this process.
        box = _sandbox.Sandbox(contain=False, passed=box.passed)
    wanted = (tuple(preload), box)
    global _server_for
    with _SERVER_LOCK:
        server: Any = forkserver._forkserver
        if _server_for != wanted and server._forkserver_pid is not None:
            server._stop()
        # The resource tracker is the build's own helper: started as the build
        # is, before the launcher is in place (the fork server starts it otherwise).
        resource_tracker.ensure_running()
        launcher = _sandbox.launcher(box)
        previous = spawn.get_executable()
        spawn.set_executable(str(launcher))
        try:
            forkserver.ensure_running()
        finally:
            spawn.set_executable(previous)
        _server_for = wanted
    return context


_SERVER_LOCK = threading.Lock()
_server_for: Any = None


def run_in_workers(
    work: str,
    jobs: Sequence[J],
    *,
    workers: int,
    timeout: float,
    preload: Sequence[str] = (),
    stop: threading.Event | None = None,
    sandbox: _sandbox.Sandbox | None = None,
) -> Iterator[Finished[J]]:
    """Yield each job's outcome as it finishes; ``work`` names a function, ``module:name``.

    ``timeout`` is the CPU time a job may use; it is stopped after
    :func:`wall_limit` of wall-clock time whatever it does. A function with a
    ``report`` parameter gets a callable that tells the pool what it is doing
    (:attr:`Finished.step`). When ``stop`` is set, the jobs still running are
    killed and the rest never start.
    """
    box = sandbox or _sandbox.Sandbox()
    for folder in box.writable:  # made by the build: a worker's guard lets it write only inside
        folder.mkdir(parents=True, exist_ok=True)
    context = _context(preload, box)
    ceiling = wall_limit(timeout) + GRACE
    pending = list(jobs)
    running: dict[Connection, _Running[J]] = {}
    try:
        while pending or running:
            if stop is not None and stop.is_set():
                return
            while pending and len(running) < max(1, workers):
                job = pending.pop(0)
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(
                    target=_child, args=(work, job, sender, timeout), daemon=True
                )
                process.start()
                sender.close()
                running[receiver] = _Running(process, job, time.monotonic())
            soonest = min(r.deadline(ceiling) for r in running.values())
            left = max(0.0, soonest - time.monotonic())
            ready = wait(list(running), timeout=left if stop is None else min(left, 0.1))
            for conn in cast("list[Connection]", ready):
                finished = _read(conn, running, ceiling)
                if finished is not None:
                    yield finished
            now = time.monotonic()
            for conn, each in list(running.items()):
                if now >= each.deadline(ceiling):
                    _end(each.process)
                    conn.close()
                    del running[conn]
                    yield Finished(
                        each.job, timed_out=True, seconds=now - each.started, step=each.step
                    )
    finally:
        for conn, each in running.items():
            _end(each.process)
            conn.close()


@dataclass
class _Running(Generic[J]):
    process: Any
    job: J
    started: float
    step: Any = None
    waited: float = 0.0  # its wait for a CPU when it started

    def deadline(self, ceiling: float) -> float:
        """When its wall-clock ceiling passes; its waits for a CPU since it started push it on.

        Those waits only push it later, so they are read once the plain ceiling
        has passed: the pool asks for every message of every job, and reading
        them each time cost a build of 100 examples 0.2 s (py-spy).
        """
        plain = self.started + ceiling
        if time.monotonic() < plain:
            return plain
        return plain + max(0.0, cpu_wait(self.process.pid) - self.waited)


def _read(
    conn: Connection, running: dict[Connection, _Running[J]], ceiling: float
) -> Finished[J] | None:
    """One message of a worker: a step, its start, or its outcome (then it is ended)."""
    each = running[conn]
    try:
        status, payload = _receive(conn)
    except EOFError:
        each.process.join()
        status, payload = "died", Died(each.process.exitcode)
    if status == "started":  # the limit counts from here, not from the fork server's start
        each.started, each.waited = time.monotonic(), cpu_wait(each.process.pid)
        return None
    if status == "step":
        each.step = payload
        return None
    del running[conn]
    seconds = time.monotonic() - each.started
    # Exiting counts against the limit too: a non-daemon thread the job left
    # running keeps the process alive after its answer. After an error, the
    # error stands: the process gets a moment to exit, then it is ended.
    if status == "ok":
        while each.process.is_alive() and (left := each.deadline(ceiling) - time.monotonic()) > 0:
            each.process.join(left)
    else:
        each.process.join(GRACE)
    conn.close()
    late = each.process.is_alive()
    _end(each.process)
    if status == "died":
        # SIGXCPU's own action ends a process that did not catch it: its CPU time ran out.
        out = payload.signal_name == "SIGXCPU"
        return Finished(each.job, seconds=seconds, step=each.step, died=payload, timed_out=out)
    if status == "refused":
        return Finished(each.job, seconds=seconds, step=each.step, refused=Refused(payload))
    if status == "error":
        return Finished(each.job, error=payload, seconds=seconds, step=each.step)
    if late:
        return Finished(
            each.job, timed_out=True, seconds=time.monotonic() - each.started, step=each.step
        )
    return Finished(each.job, result=payload, seconds=seconds)


def ended_badly(finished: Finished[Any], example: Example, timeout: float) -> ExampleError:
    """The error for a job that gave no answer: timed out, died or sent what the build refuses.

    The worker's last reported step says what it was doing and where (a page
    line while it answered a request).
    """
    what, where = finished.step if finished.step else ("starting", None)
    where = where or Location(example.display(example.app_file))
    name = example.name
    if finished.timed_out and finished.died is not None:  # SIGXCPU: its CPU limit
        return ExampleError(
            f"example '{name}' did not finish within {timeout:g} s of its own CPU time: "
            f"it was still {what}",
            where=where,
            fix="look for a loop at import, in setup or in a view; the plugin's timeout "
            "option sets the limit (seconds of the example's own CPU time)",
        )
    if finished.timed_out:
        return ExampleError(
            f"example '{name}' did not finish within {wall_limit(timeout):g} s of wall-clock "
            f"time: it was still {what}",
            where=where,
            fix="look for a sleep, a lock or a blocking call (a socket, input()) at import, "
            "in setup or in a view; the plugin's timeout option sets the limit",
        )
    if finished.refused is not None:
        return ExampleError(
            f"example '{name}' gave back a result the build does not load "
            f"({finished.refused.what}) while it was {what}",
            where=where,
            fix="answer with plain values: a view returns text, bytes or JSON, and headers "
            "are plain strings; do not change how Python pickles",
        )
    died = finished.died or Died(None)
    if died.signal_name == "SIGALRM":
        return ExampleError(
            f"example '{name}' was ended by its own alarm (SIGALRM, from signal.alarm() or "
            f"setitimer()) while it was {what}",
            where=where,
            fix="do not set alarms in an example: the build limits its time itself",
        )
    return ExampleError(
        f"example '{name}' ended its worker process ({died}) while it was {what}",
        where=where,
        fix="an example must not end its process (os._exit(), os.kill() of itself, a crash "
        "in a C extension); return an error response instead",
    )
