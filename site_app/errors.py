"""One small exception hierarchy for site_app's build.

Every error says what is wrong, where (a file and, when known, a line) and
what to do about it. ``str(error)`` is the message a contributor reads.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Location:
    """A place in a file: a page of the guide or a file of an example."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


class SiteAppError(Exception):
    """Base class: something in the guide or an example needs fixing."""

    def __init__(self, what: str, *, where: Location | None = None, fix: str = "") -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross from worker processes to the build: keep every field.
        return (_rebuild, (type(self), self.what, self.where, self.fix))

    @property
    def message(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text}\n    fix: {self.fix}" if self.fix else text


class BlockError(SiteAppError):
    """A ``flask-example`` block in a page is malformed or points at nothing."""


class ExampleError(SiteAppError):
    """An example under ``snippets/`` cannot be found, imported or set up."""


class FreezeError(SiteAppError):
    """Frozen-Flask could not freeze an example, or warned while doing it."""


class RequestFailed(SiteAppError):
    """A request of a block raised or answered with a status nobody expected."""


class BuildFailed(SiteAppError):
    """Several problems were found; each one is listed."""

    def __init__(self, errors: list[SiteAppError]) -> None:
        self.errors = errors
        count = len(errors)
        head = f"{count} problem{'s' if count != 1 else ''} in the examples:"
        body = "\n".join(f"  - {e.message}".replace("\n", "\n    ") for e in errors)
        super().__init__(f"{head}\n{body}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (BuildFailed, (self.errors,))


def _rebuild(kind: type[SiteAppError], what: str, where: Location | None, fix: str) -> SiteAppError:
    return kind(what, where=where, fix=fix)


def relative_to(path: Path, root: Path) -> str:
    """Show ``path`` relative to ``root`` when it is inside, else as it is."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def describe(exc: BaseException) -> str:
    """``ZeroDivisionError: division by zero``."""
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg}"
    if isinstance(exc, OSError) and exc.errno == errno.EROFS and exc.filename:
        return (
            f"a write to {exc.filename} outside its instance folder, which the build's "
            "sandbox refused (OSError: read-only file system)"
        )
    return f"{type(exc).__name__}: {exc}"
