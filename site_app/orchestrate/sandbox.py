"""Where worker processes run: their environment, their clock, what they can write.

Workers fork from one fork server, so whatever the server starts with, every
worker has. :func:`launcher` writes the small program that starts it: a
shell script that clears the environment down to an allowlist
(:func:`allowed_environment`), preloads libfaketime so every clock an example
can read (Python's, SQLite's ``CURRENT_TIMESTAMP``, a C extension's, a
subprocess's) shows the build's fixed time, and, where user namespaces are
allowed, runs the server under bubblewrap: the whole file system read-only but
the folders the build names (its cache: instance folders, frozen pages, a
temporary folder) and no network. Where they are not (some CI runners), or
the project turns it off (the plugin's ``contain: false``), the worker's own
guard (:mod:`site_app.execute.guard`, an audit hook that runs in both cases)
is what refuses a write (:func:`containment` says which ran). The build's own
process is never changed.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import glob
import os
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The variables a worker inherits: what finds programs and libraries, the
# locale, and what a measuring tool sets (coverage of the workers themselves).
ALLOWED = ("PATH", "LANG", "LANGUAGE", "VIRTUAL_ENV", "PYTHONPATH", "SYSTEMROOT")
ALLOWED_PREFIXES = ("LC_", "COVERAGE_")
FIXED_TIME = "2026-01-01 00:00:00"  # UTC; the worker's Python clock says the same
# libfaketime's settings for a worker, beside LD_PRELOAD. The monotonic clock
# stays real, so time limits and waits hold. FAKETIME_WAIT_MS (libfaketime's
# source, pthread_cond_timedwait_common; not in its README) makes every timed
# wait on a condition wait that many real milliseconds: 0.9.10 subtracts the
# *fixed* time from a monotonic deadline there, so without it each wait ends at
# once and a thread waiting for the GIL spins (two CPU-bound threads: 1.2-4.4 s
# of CPU against 0.12 s; 100 requests through FastAPI's test client: 13.7 s
# against 0.13 s). 5 ms is CPython's GIL switch interval, the one such wait in
# Python itself; a C extension's longer timed wait returns after 5 ms, timed out.
FAKETIME_SETTINGS = {
    "FAKETIME": FIXED_TIME,
    "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    "FAKETIME_WAIT_MS": "5",
}
_FAKETIME_GLOBS = (
    "/usr/lib/*/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
    "/usr/local/lib/faketime/libfaketime.so.1",
)


@dataclass(frozen=True)
class Sandbox:
    """What the workers may write (``writable``) and what inside it stays read-only.

    ``contain`` False: never use bubblewrap (the worker's checks still run).
    ``passed`` names variables of the build's environment that workers get as well.
    """

    writable: tuple[Path, ...] = ()
    read_only: tuple[Path, ...] = ()
    contain: bool = True
    passed: tuple[str, ...] = ()
    temporary: Path | None = None  # the workers' TMPDIR and HOME (inside ``writable``)


def allowed_environment(
    environ: Mapping[str, str], passed: tuple[str, ...] = (), temporary: Path | None = None
) -> dict[str, str]:
    """The build's environment reduced to the allowlist, plus the fixed settings of a worker."""
    env = {
        key: value
        for key, value in environ.items()
        if key in ALLOWED or key.startswith(ALLOWED_PREFIXES) or key in passed
    }
    env.setdefault("PATH", os.defpath)
    env["PYTHONHASHSEED"] = "0"  # every build iterates sets alike
    env["TZ"] = "UTC"
    # Each worker makes private ones below this folder.
    env["HOME"] = env["TMPDIR"] = str(temporary or tempfile.gettempdir())
    return env


@functools.cache
def faketime_library() -> str | None:
    """libfaketime's preload library, when installed (Debian's ``faketime``)."""
    for pattern in _FAKETIME_GLOBS:
        for found in sorted(glob.glob(pattern)):
            return found
    return None


def _measuring() -> tuple[Path, ...]:
    """Where a coverage measurement of this process writes its data, if one runs.

    Workers are measured too (the test suite's coverage), and save beside it, or in the
    working folder: coverage starts a forked worker from its configuration file, where
    the data file's name is relative (``.coverage``).
    """
    coverage = sys.modules.get("coverage")
    current = coverage.Coverage.current() if coverage is not None else None
    if current is None:
        return ()
    return (Path(os.path.abspath(current.config.data_file)).parent, Path.cwd())


def _bwrap_arguments(box: Sandbox) -> list[str]:
    # /tmp stays read-only like the rest (a project may live there); the
    # workers' temporary folder is one of the writable ones.
    args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    # No --die-with-parent: it follows the thread that started the server, and
    # the server ends on its own when the build's process does (its "alive" pipe).
    args += ["--unshare-net"]
    for folder in box.writable + _measuring():
        folder.mkdir(parents=True, exist_ok=True)
        args += ["--bind", str(folder), str(folder)]
    for folder in box.read_only:
        folder.mkdir(parents=True, exist_ok=True)
        args += ["--ro-bind", str(folder), str(folder)]
    return args


@functools.cache
def bubblewrap_works() -> bool:
    """Whether bubblewrap is installed and this machine lets it make namespaces."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    probe = [bwrap, *_bwrap_arguments(Sandbox()), "--", sys.executable, "-c", "pass"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):  # pragma: no cover - a broken install
        return False
    return done.returncode == 0


def containment(box: Sandbox) -> str:
    """One line for the build's log: how the workers are contained."""
    clock = "a fixed clock (libfaketime)" if faketime_library() else "Python's clock fixed only"
    if box.contain and bubblewrap_works():
        kind = "bubblewrap: all read-only but the build's cache, no network"
    else:
        kind = (
            "no sandbox (bubblewrap unavailable or off): Python's writes outside the cache "
            "refused by an audit hook, the examples' folder checked after each example"
        )
    return f"workers: {kind}; {clock}; allowlisted environment"


def launcher(box: Sandbox) -> Path:
    """A script that starts Python as the fork server should run: env, clock, sandbox."""
    if box.temporary is not None:
        box.temporary.mkdir(parents=True, exist_ok=True)
    env = allowed_environment(os.environ, box.passed, box.temporary)
    command = ["exec", "env", "-i"]
    library = faketime_library()
    if library is not None:
        env.update(LD_PRELOAD=library, **FAKETIME_SETTINGS)
    command += [f"{key}={value}" for key, value in sorted(env.items())]
    if box.contain and bubblewrap_works():
        command += [shutil.which("bwrap") or "bwrap", *_bwrap_arguments(box), "--"]
    command += [sys.executable]
    folder = Path(tempfile.mkdtemp(prefix="flask-examples-launcher-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    script = folder / "python"
    script.write_text("#!/bin/sh\n" + " ".join(shlex.quote(part) for part in command) + ' "$@"\n')
    script.chmod(0o700)
    return script


def become_subreaper() -> None:
    """Adopt the orphans of this process's descendants (Linux), so none escapes its end."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def die_with_parent() -> None:
    """Be killed (SIGKILL) when the parent process ends (Linux's PR_SET_PDEATHSIG).

    A worker's parent is the fork server, which ends when the build's process
    does, however that ends (its "alive" pipe closes): a build killed, or
    stopped before it could end its workers, leaves no worker running.
    """
    if sys.platform.startswith("linux"):
        parent = os.getppid()
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # it ended before the line above took effect
            os.kill(os.getpid(), signal.SIGKILL)


def limit_cpu(soft: int, hard: int) -> None:
    """SIGXCPU after ``soft`` seconds of this process's CPU time, SIGKILL after ``hard``."""
    resource.setrlimit(resource.RLIMIT_CPU, (max(1, soft), max(1, hard)))
