"""Discovery: the only code that knows how the examples folder is laid out.

An example is a directory ``<examples folder>/<name>/`` holding ``__init__.py``. Its
app is ``app`` or ``create_app()`` in ``app.py``, or ``create_app()`` in the
package's ``__init__.py``. An optional ``example.toml`` tells the build how
to prepare it::

    [build]
    framework = "flask"               # or "fastapi", "django": captured, not frozen
    setup = ["init-db"]               # flask CLI commands run before freezing
    setup_python = ["db.create_all()"]  # then Python, in the app's module and app context
    urls = ["/items/1"]               # extra URLs to freeze
    exclude = ["/admin/reset"]        # URLs never to freeze (captured all the same)
    default_mimetype = "text/html"    # type of extensionless URLs when frozen
    browser = false                   # cannot run in the reader's browser; then
    browser_reason = "needs pandas"   # say why (shown under its blocks)
    env = ["MY_API_BASE"]             # variables of the build's environment it gets

    [build.config]                    # config given to the app; {instance}
    DATABASE = "{instance}/app.db"    # is a private temporary directory
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path
from typing import Any

from ..errors import ExampleError, Location, relative_to
from ..model import BROWSER_FRAMEWORKS, FRAMEWORKS, Example, ExampleSettings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SETTINGS_FILE = "example.toml"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BUILD_KEYS = {
    "env",
    "framework",
    "setup",
    "setup_python",
    "urls",
    "exclude",
    "default_mimetype",
    "config",
    "browser",
    "browser_reason",
}
# Settings that prepare a Flask app or its freeze; other frameworks have neither.
_FLASK_ONLY_KEYS = ("setup", "setup_python", "urls", "exclude", "default_mimetype", "config")


def discover(snippets_dir: Path, root: Path | None = None) -> dict[str, Example]:
    """Find every example under ``snippets_dir``, sorted by name.

    Messages name paths relative to ``root``, the project's folder (by
    default the folder that holds ``snippets_dir``).
    """
    snippets_dir = snippets_dir.resolve()
    root = (root or snippets_dir.parent).resolve()
    if not snippets_dir.is_dir():
        raise ExampleError(
            f"the examples directory {snippets_dir} does not exist",
            fix="create it, or point the plugin's snippets_dir option at it",
        )
    if not (snippets_dir / "__init__.py").is_file():
        raise ExampleError(
            "the examples directory is not a package",
            where=Location(relative_to(snippets_dir / "__init__.py", root)),
            fix="create an empty __init__.py there, so examples have dotted names",
        )
    found: dict[str, Example] = {}
    for directory in sorted(p for p in snippets_dir.iterdir() if p.is_dir()):
        if directory.name.startswith((".", "_")):
            continue
        found[directory.name] = _read_example(directory, snippets_dir.name, root)
    return found


def suggest(examples: dict[str, Example], name: str, folder: str) -> str:
    """A 'did you mean' hint for a name that is not an example under ``folder``."""
    close = difflib.get_close_matches(name, list(examples), n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    known = ", ".join(examples) or "none yet"
    return f"use one of the examples under {folder}/ ({known}), or create it"


def _read_example(directory: Path, top_package: str, root: Path) -> Example:
    name = directory.name
    where = Location(relative_to(directory, root) + "/")
    if not NAME_RE.match(name):
        raise ExampleError(
            f"'{name}' is not a valid example name",
            where=where,
            fix="use lower-case letters, digits and underscores, starting with a letter",
        )
    nested = sorted(
        child.name
        for child in directory.iterdir()
        if child.is_dir() and ((child / "app.py").is_file() or (child / "__init__.py").is_file())
    )
    if not (directory / "__init__.py").is_file() and nested:
        raise ExampleError(
            f"examples live directly under {directory.parent.name}/, not in folders of "
            f"their own ({', '.join(nested)} found in {name}/)",
            where=where,
            fix=f"move each one to {directory.parent.name}/<name>/ with a name no other "
            "example has",
        )
    if not (directory / "__init__.py").is_file():
        raise ExampleError(
            "this example has no __init__.py",
            where=where,
            fix="add an empty __init__.py: every example is a package",
        )
    package = f"{top_package}.{name}"
    if (directory / "app.py").is_file():
        app_module, app_file = f"{package}.app", directory / "app.py"
    else:
        app_module, app_file = package, directory / "__init__.py"
    settings = _read_settings(directory / SETTINGS_FILE, root)
    return Example(name, directory, package, app_module, app_file, settings, root)


def _read_settings(path: Path, root: Path) -> ExampleSettings:
    if not path.is_file():
        return ExampleSettings()
    where = Location(relative_to(path, root))
    text, build = _build_table(path, where)

    def strings(key: str) -> tuple[str, ...]:
        value = build.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ExampleError(
                f"build.{key} must be a list of strings", where=where, fix=f'write {key} = ["..."]'
            )
        return tuple(value)

    config = build.get("config", {})
    if not isinstance(config, dict):
        raise ExampleError(
            "build.config must be a table", where=where, fix="write it as [build.config]"
        )
    mimetype = build.get("default_mimetype", ExampleSettings.default_mimetype)
    if not isinstance(mimetype, str):
        raise ExampleError(
            "build.default_mimetype must be a string", where=where, fix='e.g. "application/json"'
        )
    framework = _framework(build, where)
    exclude = strings("exclude")
    for url in exclude:
        if not url.startswith("/"):
            raise ExampleError(
                f"build.exclude holds {url!r}, which is not a URL path",
                where=where,
                fix='write paths as the app routes them, e.g. exclude = ["/api/cache/delete"]',
            )
    browser, reason = _browser(build, framework, where)
    steps = strings("setup_python")
    lines = tuple(_python_step(text, step, index, where) for index, step in enumerate(steps, 1))
    return ExampleSettings(
        strings("setup"),
        strings("urls"),
        mimetype,
        config,
        framework,
        exclude=exclude,
        browser=browser,
        browser_reason=reason,
        setup_python=steps,
        setup_python_lines=lines,
        env=_env(strings("env"), where),
    )


def _env(names: tuple[str, ...], where: Location) -> tuple[str, ...]:
    """``build.env``: names of the build's variables the example is given."""
    for name in names:
        if not _ENV_NAME_RE.match(name):
            raise ExampleError(
                f"build.env holds {name!r}, which is not the name of a variable",
                where=where,
                fix='name variables of the build\'s environment, e.g. env = ["MY_API_BASE"]',
            )
    return names


def _build_table(path: Path, where: Location) -> tuple[str, dict[str, Any]]:
    """An example.toml's text and its ``[build]`` table, every key known."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ExampleError(
            f"not valid UTF-8 ({exc.reason})", where=where, fix="save it as UTF-8"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ExampleError(f"not valid TOML: {exc}", where=where, fix="correct the syntax") from exc
    unknown = set(data) - {"build"}
    build: dict[str, Any] = data.get("build", {})
    unknown |= {f"build.{k}" for k in set(build) - _BUILD_KEYS}
    if unknown:
        raise ExampleError(
            f"unknown setting(s): {', '.join(sorted(unknown))}",
            where=where,
            fix=f"the [build] table accepts {', '.join(sorted(_BUILD_KEYS))}",
        )
    return text, build


def _framework(build: dict[str, Any], where: Location) -> str:
    """``build.framework``, and no Flask-only key for another framework."""
    framework = build.get("framework", ExampleSettings.framework)
    if framework not in FRAMEWORKS:
        raise ExampleError(
            f"build.framework must be one of {', '.join(repr(f) for f in FRAMEWORKS)}, "
            f"not {framework!r}",
            where=where,
            fix='write e.g. framework = "fastapi"; leave it out for a Flask app',
        )
    flask_only = [key for key in _FLASK_ONLY_KEYS if key in build]
    if framework != "flask" and flask_only:
        raise ExampleError(
            f"build.{flask_only[0]} applies to Flask examples only, and this one is "
            f"framework = {framework!r}",
            where=where,
            fix=f"remove {', '.join(flask_only)}: a {framework} example is captured with its "
            "own test client, never set up with flask commands, configured or frozen",
        )
    return str(framework)


def _browser(build: dict[str, Any], framework: str, where: Location) -> tuple[bool, str]:
    """Whether the example runs in the reader's browser, and if not, why (stripped)."""
    runs = framework in BROWSER_FRAMEWORKS
    browser, reason = build.get("browser", runs), build.get("browser_reason", "")
    if not isinstance(browser, bool) or not isinstance(reason, str):
        raise ExampleError(
            "build.browser must be true or false, and build.browser_reason a string",
            where=where,
            fix='write browser = false and browser_reason = "why it cannot run in a browser"',
        )
    if runs and not browser and not reason.strip():
        raise ExampleError(
            "build.browser = false needs a reason: readers see it instead of the Run button",
            where=where,
            fix='add browser_reason = "..." (e.g. "pandas has no pure-Python wheel")',
        )
    if browser and reason:
        raise ExampleError(
            "build.browser_reason is set, but the example runs in the browser",
            where=where,
            fix="remove browser_reason, or set browser = false",
        )
    return browser, reason.strip()


def _python_step(text: str, step: str, index: int, where: Location) -> int:
    """The line of example.toml where step ``index`` of ``setup_python`` starts; it must compile."""
    first = next((line.strip() for line in step.splitlines() if line.strip()), "")
    found = [number for number, line in enumerate(text.splitlines(), 1) if first and first in line]
    line = found[0] if found else None
    try:
        compile(step, f"setup_python[{index}]", "exec")
    except SyntaxError as exc:
        raise ExampleError(
            f"build.setup_python step {index} is not valid Python: {exc.msg} "
            f"(line {exc.lineno} of the step)",
            where=Location(where.path, line),
            fix='write statements as in a module, e.g. setup_python = ["db.create_all()"]',
        ) from exc
    return line or 0
