"""A project's ``mkdocs.yml`` as the engine reads it, with no site builder imported.

The same file configures MkDocs (which hands its plugin the options itself)
and Zensical (which runs no plugin): ``python -m site_app build`` and the
fence read the ``flask-examples`` options from it here. MkDocs' own tags are
understood: ``!ENV [NAME, default]``, and ``!!python/name:`` (kept as text).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import SiteAppError
from ..model import Settings

PLUGIN = "flask-examples"
_DEFAULTS = Settings(Path(), Path(), Path())


class ProjectError(SiteAppError):
    """The project's configuration file cannot be read."""


@dataclass(frozen=True)
class Project:
    """What the engine needs of a project: its settings, pages and where the runner goes."""

    settings: Settings
    config_file: Path
    docs_dir: Path
    use_directory_urls: bool = True
    browser_runner: bool = False
    runner_url: str = "runner"

    def pages(self) -> dict[str, str]:
        """Every Markdown page, by its path from the project's folder (docs/x.md)."""
        return {
            self.settings.display(path): path.read_text(encoding="utf-8")
            for path in sorted(self.docs_dir.rglob("*.md"))
        }

    def site_root(self, page: str) -> str:
        """The relative URL from a page (docs/x.md) to the site's root, as MkDocs makes it."""
        relative = (self.settings.root / page).resolve().relative_to(self.docs_dir).as_posix()
        depth = relative.count("/")
        if self.use_directory_urls and relative.rsplit("/", 1)[-1] not in ("index.md", "README.md"):
            depth += 1
        return "../" * depth


class _Loader(yaml.SafeLoader):
    """MkDocs' YAML: ``!ENV`` reads the environment; Python tags stay text."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = items[:-1] or items, items[-1] if len(items) > 1 else None
    for name in names:
        if str(name) in os.environ:
            return os.environ[str(name)]
    return default


_Loader.add_constructor("!ENV", _env)
_Loader.add_multi_constructor(
    "tag:yaml.org,2002:python/", lambda loader, suffix, node: f"!!python/{suffix}"
)
_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class Option:
    """One option of the plugin in ``mkdocs.yml``: the types it takes, its default, its use."""

    kinds: tuple[type, ...]
    default: Any
    doc: str


# The plugin's options, for MkDocs (which checks them) and for this module (which checks
# them for a builder without plugins). A list option (``forbid_text``) holds text.
OPTIONS: dict[str, Option] = {
    "snippets_dir": Option((str,), "snippets", "Folder of the examples: one package each."),
    "cache_dir": Option(
        (str,), ".cache/flask-examples", "Private folder for frozen pages and stored outputs."
    ),
    "examples_url": Option(
        (str,), _DEFAULTS.examples_url, "Folder of the site that holds the frozen pages."
    ),
    "workers": Option((int,), _DEFAULTS.workers, "Worker processes; 0 means one per core."),
    "timeout": Option(
        (int, float), _DEFAULTS.timeout, "Seconds of its own CPU time one example may take."
    ),
    "answer_limit": Option(
        (int,), _DEFAULTS.answer_limit, "Bytes of an answer a page shows; more is cut, noted."
    ),
    "contain": Option(
        (bool,), _DEFAULTS.contain, "Workers under bubblewrap where it runs; false: the guard."
    ),
    "keep_previous_site": Option(
        (bool,), True, "On `mkdocs build`, a failed build leaves the previous site as it was."
    ),
    "missing_library_fix": Option(
        (str,), _DEFAULTS.missing_library_fix, "Advice when an example lacks a library."
    ),
    "tests_dir": Option(
        (str, type(None)), None, "Rule: every example is imported by a test file in here."
    ),
    "require_shown": Option(
        (bool,), _DEFAULTS.require_shown, "Rule: every example is shown on some page."
    ),
    "forbid_typed_python": Option(
        (bool,), _DEFAULTS.forbid_typed_python, "Rule: no Python typed into a page."
    ),
    "check_includes": Option(
        (bool,), _DEFAULTS.check_includes, "Rule: every --8<-- include names an example's file."
    ),
    "forbid_text": Option((list,), [], "Rule: no page holds any of these texts."),
    "browser_runner": Option(
        (bool,), False, "Ship the in-browser runner (Node.js, `npm ci`, browser/requirements.txt)."
    ),
    "runner_url": Option((str,), "runner", "Folder of the site for the runner and its files."),
}


def checked_options(options: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Every option, a default where ``options`` has none; an unknown one, or one of the
    wrong type, is an error naming ``where`` (the configuration file)."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ProjectError(
            f"{where}: unknown option(s) of the {PLUGIN} plugin: {', '.join(unknown)}",
            fix=f"the options are {', '.join(OPTIONS)}",
        )
    checked = {name: option.default for name, option in OPTIONS.items()}
    for name, value in options.items():
        kinds = OPTIONS[name].kinds
        wrong = not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool))
        if wrong or (isinstance(value, list) and not all(isinstance(v, str) for v in value)):
            names = " or ".join("a list of texts" if k is list else k.__name__ for k in kinds)
            raise ProjectError(
                f"{where}: the {PLUGIN} option {name} is {value!r}, not {names}",
                fix=f"give {name} {names} (default: {OPTIONS[name].default!r})",
            )
        checked[name] = value
    return checked


def settings_from(options: Mapping[str, Any], root: Path, where: str = "mkdocs.yml") -> Settings:
    """The build's settings from the plugin's options; paths relative to ``root``."""
    root = root.resolve()
    given = checked_options(options, where)
    tests_dir = given["tests_dir"]
    return Settings(
        root=root,
        snippets_dir=(root / given["snippets_dir"]).resolve(),
        cache_dir=(root / given["cache_dir"]).resolve(),
        examples_url=given["examples_url"].strip("/"),
        tests_dir=(root / tests_dir).resolve() if tests_dir else None,
        forbid_text=tuple(given["forbid_text"]),
        timeout=float(given["timeout"]),
        **{
            name: given[name]
            for name in (
                "require_shown",
                "forbid_typed_python",
                "check_includes",
                "missing_library_fix",
                "workers",
                "contain",
                "answer_limit",
            )
        },
    )


# The Markdown extensions a site's pages need: the fences need superfences; the
# page's own tabs, notes and includes need the others.
REQUIRED_EXTENSIONS: dict[str, dict[str, Any]] = {
    "pymdownx.superfences": {},
    "pymdownx.tabbed": {"alternate_style": True},
    "pymdownx.details": {},
    "pymdownx.snippets": {},
}


def check_extensions(
    where: str, extensions: list[str], configs: dict[str, Any], settings: Settings
) -> None:
    """Each required extension configured as the pages need it; pymdownx.snippets'
    ``base_path`` made absolute (a build works from any folder) and holding the examples."""
    folder = settings.display(settings.snippets_dir)
    for name, required in REQUIRED_EXTENSIONS.items():
        if name not in extensions:
            extra = "".join(f" with {k}: {str(v).lower()}" for k, v in required.items())
            if name == "pymdownx.snippets":
                extra = f" with base_path: [{folder}] and check_paths: true"
            raise ProjectError(
                f"{where}: the flask-examples plugin needs the Markdown extension {name}",
                fix=f"add it under markdown_extensions{extra}",
            )
        for key, value in required.items():
            if configs.get(name, {}).get(key) != value:
                raise ProjectError(
                    f"{where}: the flask-examples plugin needs {name} with {key}: "
                    f"{str(value).lower()}",
                    fix="set it under markdown_extensions",
                )
    snippets = configs.setdefault("pymdownx.snippets", {})
    bases = snippets.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    snippets["base_path"] = [str((settings.root / b).resolve()) for b in bases]
    if str(settings.snippets_dir) not in snippets["base_path"]:
        raise ProjectError(
            f"{where}: pymdownx.snippets does not look in {folder}/",
            fix=f"add {folder} to its base_path",
        )


def read_project(config_file: Path) -> Project:
    """The ``flask-examples`` options of ``config_file``, defaults where it sets none."""
    config_file = config_file.resolve()
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ProjectError(
            f"cannot read {config_file}: {exc}", fix="give the project's mkdocs.yml"
        ) from None
    options: dict[str, Any] = {}
    for entry in data.get("plugins") or []:
        if isinstance(entry, dict) and PLUGIN in entry:
            options = entry[PLUGIN] or {}
    root = config_file.parent
    where = str(config_file)
    given = checked_options(options, where)
    return Project(
        settings=settings_from(options, root, where),
        config_file=config_file,
        docs_dir=(root / str(data.get("docs_dir", "docs"))).resolve(),
        use_directory_urls=bool(data.get("use_directory_urls", True)),
        browser_runner=given["browser_runner"],
        runner_url=given["runner_url"].strip("/"),
    )
