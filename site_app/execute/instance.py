"""An example's private instance folder, from the moment its app is made.

Flask computes ``instance_path`` while it constructs the app, and a factory
may use it at once (Flask's tutorial calls ``os.makedirs(app.instance_path)``
in ``create_app``), so setting it on the finished app is too late. While
:func:`instance_folder` is open, every app of the Flask class made gets the
example's own folder, and the working directory is that folder too, so a file
an app writes at start-up under a relative name lands there, never in the
project. ``{instance}`` in a ``[build.config]`` value names that folder.

The build (site_app.execute.load) and the in-browser runner, which ships this
file next to its driver, follow the one rule; so it imports the standard
library only and is handed the Flask class.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

PLACEHOLDER = "{instance}"


def config_for(values: Mapping[str, Any], instance: str | os.PathLike[str]) -> dict[str, Any]:
    """``values`` with ``{instance}`` in each text value replaced by the folder."""
    folder = os.fspath(instance)
    return {
        key: value.replace(PLACEHOLDER, folder) if isinstance(value, str) else value
        for key, value in values.items()
    }


@contextmanager
def instance_folder(flask_class: Any, instance: str | os.PathLike[str]) -> Iterator[None]:
    """Every app of ``flask_class`` made inside gets ``instance`` as its instance folder.

    An app given ``instance_path=`` explicitly keeps it. The folder is created
    if missing, and is the working directory until the block ends.
    """
    folder = os.fspath(instance)
    saved = flask_class.__dict__.get("auto_find_instance_path")

    def private_instance(self: object) -> str:
        return folder

    os.makedirs(folder, exist_ok=True)
    flask_class.auto_find_instance_path = private_instance
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(cwd)
        if saved is None:
            del flask_class.auto_find_instance_path
        else:  # pragma: no cover - Flask defines it on its base class
            flask_class.auto_find_instance_path = saved
