"""site_app: show real Flask apps on MkDocs pages, with the answers they really gave.

The public surface: :func:`run_pages` (every example a set of pages needs,
run into the cache and an output folder, for any site builder; ``python -m
site_app build`` calls it), the :class:`Builder` and what it returns, the
settings records, and the errors. The MkDocs plugin is
:class:`site_app.mkdocs_plugin.FlaskExamplesPlugin` (entry point
``flask-examples``); the fences any Python-Markdown builder runs are in
:mod:`site_app.fence`; ``python -m site_app preview`` serves every example live
and restarts on edits (``flask --app site_app run`` still serves them, without
the restart).
"""

from typing import TYPE_CHECKING

from .errors import (
    BlockError,
    BuildFailed,
    ExampleError,
    FreezeError,
    Location,
    RequestFailed,
    SiteAppError,
)
from .model import Example, ExampleSettings, Settings
from .orchestrate.builder import Builder, BuildResult
from .orchestrate.engine import run_pages


def create_app() -> "Flask":
    """``flask --app site_app run``: every example live under /examples/<name>/.

    Prefer ``python -m site_app preview``: Flask's ``--debug`` reloader watches
    every folder on ``sys.path``, the project's .nox/ and node_modules/ too.
    """
    from .execute.preview import create_app as make

    return make()


__all__ = [
    "BlockError",
    "BuildFailed",
    "BuildResult",
    "Builder",
    "Example",
    "ExampleError",
    "ExampleSettings",
    "FreezeError",
    "Location",
    "RequestFailed",
    "Settings",
    "SiteAppError",
    "create_app",
    "run_pages",
]

if TYPE_CHECKING:
    from flask import Flask
