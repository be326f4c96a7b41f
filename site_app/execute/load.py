"""Import one example fresh, in isolation, and hand back its app.

Examples are imported under their real dotted names (``snippets.hello.app``)
so that Flask finds their templates and static files. Before and after each
load every module of the examples' top package is taken out of
``sys.modules``, so an edited example is re-read on the next build and two
loads never share state.

The app the build sends requests to is made in three steps, one function
each: :func:`import_app` imports the example and returns the app its module
gives, whatever its framework; :func:`configured_app` makes that a Flask app
in its private instance folder with ``[build.config]`` kept; :func:`set_up_app`
then runs the example's setup (commands, then ``setup_python`` steps).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import inspect
import shlex
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from flask.cli import FlaskGroup

from ..errors import ExampleError, Location, describe
from ..model import Example, Settings
from .instance import config_for, instance_folder
from .pinned import pinned_configs


class _OwnNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Lets an example import itself by its own name, as it does when ``flask run`` serves it.

    ``flask --app js_example run`` imports the package as ``js_example``, and
    Flask's JavaScript example imports ``from js_example import views``. The
    build imports it as ``snippets.js_example``; this finder, asked last (so
    it never hides an installed module), answers a top-level name that is an
    example's folder with that same module object, so the app is not created
    twice. Submodules then load through the package's ``__path__``.
    """

    def __init__(self, top_package: str, folder: Path) -> None:
        self.top_package = top_package
        self.folder = folder
        self.names: set[str] = set()
        self.specs: dict[str, ModuleSpec | None] = {}

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if "." in fullname or not (self.folder / fullname / "__init__.py").is_file():
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        self.names.add(spec.name)
        module = importlib.import_module(f"{self.top_package}.{spec.name}")
        self.specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # Importing set the alias's spec on the real module; give it back its own.
        module.__spec__ = self.specs[module.__name__.partition(".")[2]]


@contextmanager
def isolated_modules(top_package: str, search_path: Path) -> Iterator[None]:
    """Import ``top_package`` afresh from ``search_path``; restore everything after."""
    own_names = _OwnNames(top_package, search_path / top_package)

    def ours(name: str) -> bool:
        head = name.partition(".")[0]
        return head == top_package or head in own_names.names

    saved = {name: mod for name, mod in sys.modules.items() if ours(name)}
    saved_path = list(sys.path)
    saved_finders = list(sys.meta_path)
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(search_path))
    sys.meta_path.append(own_names)
    importlib.invalidate_caches()
    try:
        yield
    finally:
        for name in [n for n in sys.modules if ours(n)]:
            del sys.modules[name]
        sys.modules.update(saved)
        sys.path[:] = saved_path
        sys.meta_path[:] = saved_finders


def where_in_example(example: Example, exc: BaseException) -> Location:
    """The deepest place in the example's own files that ``exc`` passed through."""
    if isinstance(exc, SyntaxError) and exc.filename:
        path = Path(exc.filename)
        if path.is_relative_to(example.directory):
            return Location(example.display(path), exc.lineno)
    location = Location(example.display(example.app_file))
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.is_relative_to(example.directory):
            location = Location(example.display(path), frame.lineno)
    return location


def set_up_app(example: Example, instance_dir: Path, settings: Settings) -> Flask:
    """:func:`configured_app`, then the example's setup: the app the build sends requests."""
    app = configured_app(example, instance_dir, settings)
    run_setup(example, app)
    return app


def configured_app(example: Example, instance_dir: Path, settings: Settings) -> Flask:
    """Import the example and return a new app configured for the build.

    Call inside :func:`isolated_modules`. ``{instance}`` in the example's
    ``[build.config]`` values is replaced by ``instance_dir``, which is also
    the app's instance folder from its construction on (see
    :mod:`site_app.execute.instance`), so nothing is written into the examples folder.
    Those values are in the app's config from its construction on and stay
    whatever the app's own code sets (:mod:`site_app.execute.pinned`).
    """
    config = config_for(example.settings.config, instance_dir)
    with instance_folder(Flask, instance_dir), pinned_configs(Flask, config):
        app = import_app(example, settings, config)
    if not isinstance(app, Flask):
        raise ExampleError(
            f"example '{example.name}' gave a {type(app).__name__}, not a Flask app",
            where=Location(example.display(example.app_file)),
            fix="make create_app() return the Flask object, or name the Flask object app; "
            'for a FastAPI or Django example, set [build] framework = "fastapi" or "django" '
            "in example.toml",
        )
    app.instance_path = str(instance_dir)
    app.config.update(config)
    return app


def import_example(example: Example, settings: Settings) -> ModuleType:
    """Import the module that holds the example's app; errors name the file and line."""
    try:
        return importlib.import_module(example.app_module)
    except Exception as exc:
        raise _import_failed(example, exc, settings) from exc


def import_app(example: Example, settings: Settings, config: dict[str, Any] | None = None) -> Any:
    """Import the example and return its app, whatever its framework.

    ``create_app(config)`` is called when the module has it, else its ``app``
    is returned.
    """
    module = import_example(example, settings)
    try:
        return _app_of_module(example, module, config or {})
    except ExampleError:
        raise
    except Exception as exc:
        raise _import_failed(example, exc, settings) from exc


def _import_failed(example: Example, exc: Exception, settings: Settings) -> ExampleError:
    fix = "fix the error above; run the example's tests to see the whole traceback"
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        fix = (
            f"if '{exc.name}' is a library, {settings.missing_library_fix}; "
            "otherwise fix the import"
        )
    return ExampleError(
        f"importing example '{example.name}' failed: {describe(exc)}",
        where=where_in_example(example, exc),
        fix=fix,
    )


def _app_of_module(example: Example, module: Any, config: dict[str, Any]) -> Any:
    """What ``module`` gives: ``create_app(config)`` (or ``create_app()``), else its ``app``."""
    factory = getattr(module, "create_app", None)
    if callable(factory):
        accepts_config = bool(inspect.signature(factory).parameters)
        return factory(config or None) if accepts_config else factory()
    app = getattr(module, "app", None)
    if app is None:
        raise ExampleError(
            f"example '{example.name}' has no app",
            where=Location(example.display(example.app_file)),
            fix="define a Flask object named app, or a create_app() factory, in this file",
        )
    return app


def run_setup(example: Example, app: Flask) -> None:
    """Run the example's setup commands (``flask <command>``) in order.

    Each runs as ``flask --app <example> <command>`` would: through a
    ``FlaskGroup`` that loads this app and pushes its app context, so a plain
    Click command added with ``app.cli.add_command`` (Flask's tutorial's
    ``init-db``) works as it does in a terminal. ``.env`` files are not read:
    the example's settings come from ``example.toml``.
    """
    runner = app.test_cli_runner()
    cli = FlaskGroup(create_app=lambda: app, load_dotenv=False, set_debug_flag=False)
    for command in example.settings.setup:
        result = runner.invoke(cli, args=shlex.split(command))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise ExampleError(
                f"setup command 'flask {command}' of example '{example.name}' raised "
                f"{describe(result.exception)}",
                where=where_in_example(example, result.exception),
                fix="fix the command, or run it by hand with "
                f"`flask --app {example.app_module} {command}` to see the traceback",
            ) from result.exception
        if result.exit_code != 0:
            output = result.output.strip().splitlines()
            last = output[-1] if output else "no output"
            raise ExampleError(
                f"setup command 'flask {command}' of example '{example.name}' "
                f"exited {result.exit_code}: {last}",
                where=Location(example.display(example.directory / "example.toml")),
                fix="check the command's name and arguments under [build] setup",
            )
    run_setup_python(example, app)


def run_setup_python(example: Example, app: Flask) -> None:
    """Run the example's ``setup_python`` steps, after its setup commands, in order.

    Each step is Python run as a line typed into ``flask shell`` would be:
    in an app context, with the names of the app's module (``db``, the
    models) and ``app``, the app the build made. A step's own names do not
    leak into the module or into the next step.
    """
    settings = example.settings
    module = sys.modules.get(example.app_module)
    for index, step in enumerate(settings.setup_python, 1):
        names = {**vars(module), "app": app} if module is not None else {"app": app}
        label = f"setup_python[{index}]"
        try:
            with app.app_context():
                exec(compile(step, label, "exec"), names)
        except Exception as exc:
            line = settings.setup_python_lines[index - 1] if settings.setup_python_lines else 0
            raise ExampleError(
                f"setup step {index} of example '{example.name}' ({_first_line(step)}) raised "
                f"{describe(exc)}{_step_line(exc, label)}",
                where=_blame(example, exc, line),
                fix="fix the step under [build] setup_python of example.toml, or the code it "
                "calls; it runs as in `flask shell`, with the names of the app's module",
            ) from exc


def _first_line(step: str) -> str:
    lines = [line.strip() for line in step.strip().splitlines()]
    return lines[0] + (" ..." if len(lines) > 1 else "") if lines else "empty"


def _step_line(exc: BaseException, label: str) -> str:
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == label]
    return f" at line {lines[-1]} of the step" if lines and lines[-1] else ""


def _blame(example: Example, exc: BaseException, line: int) -> Location:
    """The example's own file the error came from, else the step in example.toml."""
    toml = Location(example.display(example.directory / "example.toml"), line or None)
    inside = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if Path(f.filename).is_relative_to(example.directory)
    ]
    return where_in_example(example, exc) if inside else toml
