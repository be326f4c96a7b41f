"""What a worker may write: an audit hook that refuses a write outside the build's folders.

:func:`install` adds a hook (:func:`sys.addaudithook`) to the worker process
that runs one example. Every write Python itself makes is checked before it
happens: ``open()`` and ``os.open()`` with a writing flag, renames, removals,
new folders and links, truncation, changes of mode, owner or times, a whole
tree removed, and a new SQLite database. One that lands outside the folders
the build lets workers write (its cache, the example's private home) raises
``OSError(EROFS)`` with the path, as bubblewrap's read-only file system does,
and is remembered (:func:`refused`), so the build fails even when the example
catches the error. An existing SQLite file outside them is not refused (reading
it is allowed) but watched: :func:`changed` names it if it changed.

The hook sees only what goes through Python: C code, ``ctypes`` and
subprocesses write past it. It costs almost nothing and runs whether or not
bubblewrap runs; where bubblewrap runs, it is the wall and this the first line.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# Which arguments of an audit event name a path it writes, each with the
# argument holding the folder descriptor it is relative to (dir_fd), and whether
# the last part of it is followed when it is a symbolic link (True) or acted on
# itself (False: a link removed or renamed is the link, not its target).
_PATHS: dict[str, tuple[tuple[tuple[int, int | None], ...], bool]] = {
    "os.rename": (((0, 2), (1, 3)), False),  # os.replace too
    "os.remove": (((0, 1),), False),
    "os.rmdir": (((0, 1),), False),
    "os.mkdir": (((0, 2),), False),
    "os.symlink": (((1, 2),), False),
    "os.link": (((1, 3),), False),
    "os.truncate": (((0, None),), True),
    "os.chmod": (((0, 2),), True),
    "os.chown": (((0, 3),), True),
    "os.utime": (((0, 3),), True),
    "os.setxattr": (((0, None),), True),
    "os.removexattr": (((0, None),), True),
    "shutil.rmtree": (((0, 1),), False),
}
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_ALWAYS = ("/dev",)  # /dev/null, /dev/shm: bubblewrap gives workers their own /dev too

_allowed: tuple[str, ...] = ()
_denied: tuple[str, ...] = ()
_coverage: str | None = None
_refused: list[str] = []
_watched: dict[str, tuple[int, int, int]] = {}


def install(writable: Iterable[Path], read_only: Iterable[Path] = ()) -> None:
    """Refuse, from now on in this process, Python's writes outside ``writable``.

    ``read_only`` folders inside ``writable`` stay refused. Once per process
    (a hook cannot be removed): a worker runs one example.
    """
    global _allowed, _denied, _coverage
    first = not _allowed
    _allowed = tuple(os.path.realpath(p) for p in [*map(str, writable), *_ALWAYS])
    _denied = tuple(os.path.realpath(p) for p in read_only)
    _coverage = _coverage_data()
    if first:
        # Python runs an audit hook untraced unless it says otherwise (__cantrace__), and
        # it stays so: an example's own sys.settrace() never reaches into the hook's frame,
        # and coverage's tracer does not run on every audit event (which slowed imports
        # enough, with libfaketime's spinning waits, to run examples past their CPU
        # limits). The hook's functions are left out of coverage ("untraced"); the
        # hostile tests check what they do.
        setattr(_hook, "__cantrace__", False)  # noqa: B010
        sys.addaudithook(_hook)


def refused() -> list[str]:
    """Every path a write to was refused, in order, once each."""
    return list(dict.fromkeys(_refused))


def changed() -> list[str]:
    """The watched SQLite files outside the writable folders that changed."""
    return [path for path, state in _watched.items() if _state(path) != state]


def _coverage_data() -> str | None:
    """The data file a coverage measurement of this process writes (its suffixes too)."""
    coverage = sys.modules.get("coverage")
    current = coverage.Coverage.current() if coverage is not None else None
    return os.path.abspath(current.config.data_file) if current is not None else None


def _hook(event: str, args: tuple[Any, ...]) -> None:  # pragma: no cover - untraced
    # What the checks call (os.getcwd, os.stat, os.readlink, realpath) raises no
    # event watched here, so the hook never runs inside itself.
    if event == "open":
        if isinstance(args[2], int) and args[2] & _WRITING:
            _check(args[0], None, follow=True)
    elif event == "sqlite3.connect":
        _check_database(args[0])
    elif event in _PATHS:
        paths, follow = _PATHS[event]
        for path, dir_fd in paths:
            _check(args[path], None if dir_fd is None else args[dir_fd], follow=follow)


def _resolved(path: Any, dir_fd: Any, follow: bool) -> str | None:  # pragma: no cover - untraced
    """The absolute path an event acts on, or None for what names no path (a file descriptor)."""
    if isinstance(path, int) or path is None:
        return None
    name = os.fsdecode(path)
    base = os.getcwd()
    if isinstance(dir_fd, int) and dir_fd >= 0:
        base = os.readlink(f"/proc/self/fd/{dir_fd}")
    full = os.path.join(base, name)
    if follow:
        return os.path.realpath(full)
    parent, last = os.path.split(os.path.normpath(full))
    return os.path.join(os.path.realpath(parent), last)


def _inside(path: str, folders: tuple[str, ...]) -> bool:  # pragma: no cover - untraced
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


def _allowed_path(path: str) -> bool:  # pragma: no cover - untraced
    if _coverage is not None and (path == _coverage or path.startswith(_coverage + ".")):
        return True
    return _inside(path, _allowed) and not _inside(path, _denied)


def _check(path: Any, dir_fd: Any, *, follow: bool) -> None:  # pragma: no cover - untraced
    target = _resolved(path, dir_fd, follow)
    if target is None or _allowed_path(target):
        return
    _refused.append(target)
    raise OSError(errno.EROFS, "an example writes only in its instance folder", target)


def _check_database(database: Any) -> None:  # pragma: no cover - untraced
    name = os.fsdecode(database) if isinstance(database, (str, bytes, os.PathLike)) else ""
    if name.startswith("file:"):  # a URI: read-only and in-memory ones write no file
        name, _, query = name[5:].partition("?")
        if "mode=ro" in query or "mode=memory" in query or "immutable=1" in query:
            return
    if name in ("", ":memory:"):
        return
    target = os.path.realpath(name)
    if _allowed_path(target):
        return
    if os.path.isfile(target):
        _watched.setdefault(target, _state(target))  # reading it is allowed
        return
    _check(target, None, follow=True)  # it would be created: refuse


def _state(path: str) -> tuple[int, int, int]:
    try:
        found = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return (found.st_mtime_ns, found.st_size, found.st_ino)
