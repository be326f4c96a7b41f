"""What is installed: which distribution provides each top-level module, and its version.

Reading every installed distribution's file list takes a while (a third of a
second with the guide's libraries), so it happens once per process and is
cached. The fork server's warm-up runs an example, which fills the cache
before the first fork: every worker inherits it and never reads it again.
Both the download's ``requirements.txt`` and the libraries a result depends
on read it from here, and only from here.
"""

from __future__ import annotations

import functools
import importlib.metadata as metadata
from collections.abc import Mapping


@functools.cache
def distributions_of_modules() -> Mapping[str, list[str]]:
    """Top-level module name -> the distributions that install it."""
    return metadata.packages_distributions()


@functools.cache
def version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None when it is not installed."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
