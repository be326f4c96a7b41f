"""Build machinery of the Flask Field Guide.

The core (discovery, loading, freezing, capture, blocks, build) knows nothing
about MkDocs; :mod:`site_app.plugin` is the adapter that does.
"""

from .build import Builder, BuildResult
from .errors import (
    BlockError,
    BuildFailed,
    ExampleError,
    FreezeError,
    RequestFailed,
    SiteAppError,
)

__all__ = [
    "BlockError",
    "BuildFailed",
    "BuildResult",
    "Builder",
    "ExampleError",
    "FreezeError",
    "RequestFailed",
    "SiteAppError",
]
