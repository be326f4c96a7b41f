"""The build's config wins: ``[build.config]`` values stay whatever the app's own code sets.

An app made at import may read its own settings first
(``app.config.from_pyfile(...)``, ``from_object``, ``from_envvar``, a plain
``app.config["X"] = ...``) and hand them to an extension at once
(``SQLAlchemy(app)`` opens its engine from ``SQLALCHEMY_DATABASE_URI``).
Setting the build's values on the finished app is too late for both. So
while the build makes the app, every Flask config is created holding them
and keeps them: a write to one of those keys leaves the build's value.

The in-browser runner pins configs with this same file (the build copies it
next to the runner's driver), so it imports the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any


def _pinned_class(base: type[dict[str, Any]], values: Mapping[str, Any]) -> type[dict[str, Any]]:
    """``base`` (Flask's ``Config`` or an app's own subclass), with ``values`` kept."""

    class Pinned(base):  # type: ignore[valid-type, misc]
        def __setitem__(self, key: str, value: Any) -> None:
            super().__setitem__(key, values.get(key, value))

        def update(self, *args: Any, **kwargs: Any) -> None:
            for key, value in dict(*args, **kwargs).items():
                self[key] = value

        def setdefault(self, key: str, default: Any = None) -> Any:
            if key not in self:
                self[key] = default
            return self[key]

        def __ior__(self, other: Any) -> Pinned:
            self.update(other)
            return self

    Pinned.__name__, Pinned.__qualname__ = base.__name__, base.__qualname__
    Pinned.__module__ = base.__module__
    return Pinned


def pin(config: dict[str, Any], values: Mapping[str, Any]) -> None:
    """Put ``values`` in ``config`` and keep them there, whatever is set later."""
    if not values:
        return
    config.__class__ = _pinned_class(type(config), dict(values))
    for key, value in values.items():
        config[key] = value


@contextmanager
def pinned_configs(flask_class: Any, values: Mapping[str, Any]) -> Iterator[None]:
    """Every app of ``flask_class`` made inside gets a config that keeps ``values``."""
    saved = flask_class.__dict__.get("make_config")
    original = flask_class.make_config

    def make_config(self: Any, instance_relative: bool = False) -> Any:
        config = original(self, instance_relative)
        pin(config, values)
        return config

    flask_class.make_config = make_config
    try:
        yield
    finally:
        if saved is None:
            del flask_class.make_config
        else:
            flask_class.make_config = saved
