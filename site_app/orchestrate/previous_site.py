"""The last good site, kept aside while a build writes a new one.

A build that fails, or is interrupted (Ctrl-C, SIGTERM), puts it back; a
whole build drops it. The folders move with both signals held back, so no
moment of a build leaves a half-moved pair behind.
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def _held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done (then they arrive)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def sigterm_as_interrupt() -> Any:
    """SIGTERM unwinds the build as Ctrl-C does (its ``finally`` blocks run); returns
    the handler it replaced, for :func:`signal.signal` to put back."""
    return signal.signal(signal.SIGTERM, _interrupt)


class PreviousSite:
    """``site`` moved to ``site.previous`` while a build runs."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.aside = site.with_name(site.name + ".previous")
        self.kept = False

    def move_aside(self) -> None:
        """A folder left aside by a build killed outright is the last good site: it comes
        back first."""
        with _held():
            if self.aside.is_dir():
                shutil.rmtree(self.site, ignore_errors=True)
                self.aside.rename(self.site)
            if self.site.is_dir():
                self.site.rename(self.aside)
                self.kept = True

    def put_back(self) -> bool:
        """The new site goes, the previous one comes back; whether there was one."""
        with _held():
            if not self.kept:
                return False
            shutil.rmtree(self.site, ignore_errors=True)
            self.aside.rename(self.site)
            self.kept = False
            return True

    def drop(self) -> None:
        with _held():
            if self.kept:
                shutil.rmtree(self.aside, ignore_errors=True)
                self.kept = False


def stash(site: Path, names: Iterable[str]) -> None:
    """Move the named folders of ``site`` aside, out of reach of a builder that empties it."""
    kept = site.with_name(site.name + "-kept")
    for name in names:
        if (site / name).is_dir():
            kept.mkdir(exist_ok=True)
            (site / name).rename(kept / name)


def unstash(site: Path, names: Iterable[str]) -> None:
    """Put back what :func:`stash` moved aside."""
    kept = site.with_name(site.name + "-kept")
    for name in names:
        if (kept / name).is_dir() and not (site / name).exists():
            site.mkdir(parents=True, exist_ok=True)
            (kept / name).rename(site / name)


class LastGoodSite:
    """What keeps the last good site whole through a build: SIGTERM unwinds the build as
    Ctrl-C does, and the previous site waits aside until :meth:`end` knows the new one
    is whole (``whole``)."""

    def __init__(self) -> None:
        self.previous: PreviousSite | None = None
        self.whole = False
        self._handler: Any = None

    def start(self, site: Path, *, keep_previous: bool) -> None:
        if self._handler is None:
            self._handler = sigterm_as_interrupt()
        self.whole = False
        if keep_previous:
            self.previous = PreviousSite(site)
            self.previous.move_aside()

    def end(self) -> str:
        """After a whole build the previous site goes; after any other end it comes back.
        Returns what to tell the user ("" for nothing)."""
        told = ""
        if self.previous is not None and self.whole:
            self.previous.drop()
        elif self.previous is not None and self.previous.put_back():
            told = f"the build failed; {self.previous.site} was left as it was"
        if self._handler is not None:
            signal.signal(signal.SIGTERM, self._handler)
            self._handler = None
        return told
