"""Build machinery of the Flask Field Guide.

The core (discovery, loading, freezing, capture, blocks, build) knows nothing
about MkDocs; :mod:`site_app.plugin` is the adapter that does.
"""

from typing import TYPE_CHECKING

from .build import Builder, BuildResult
from .errors import (
    BlockError,
    BuildFailed,
    ExampleError,
    FreezeError,
    RequestFailed,
    SiteAppError,
)


def create_app() -> "Flask":
    """``flask --app site_app run``: every example live under /examples/<name>/."""
    from .preview import create_app as make

    return make()


__all__ = [
    "BlockError",
    "BuildFailed",
    "BuildResult",
    "Builder",
    "ExampleError",
    "FreezeError",
    "RequestFailed",
    "SiteAppError",
    "create_app",
]

if TYPE_CHECKING:
    from flask import Flask
