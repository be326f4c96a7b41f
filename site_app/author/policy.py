"""A project's own rules for its pages and examples; each one is off unless turned on.

This guide turns all of them on in its ``mkdocs.yml``:

- ``require_shown``: every example is shown on some page;
- ``tests_dir``: every example is imported by a test file there;
- ``forbid_typed_python``: no Python typed into a page, only included from examples;
- ``check_includes``: every ``--8<--`` include names a file of an example;
- ``forbid_text``: no page holds any of the listed texts (placeholders left by a scaffold).
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import BlockError, ExampleError, Location, SiteAppError
from ..model import Example, Settings
from . import directive, sources

_PYTHON_LANGS = {"python", "py", "python3", "py3", "pycon", "pyi", "ipython", "ipython3"}


def check_pages(pages: Mapping[str, str], settings: Settings) -> list[SiteAppError]:
    """Every rule about what a page may contain, for the rules the project turned on."""
    errors: list[SiteAppError] = []
    for page, markdown in sorted(pages.items()):
        if settings.forbid_typed_python:
            errors += typed_python(markdown, page, settings)
        if settings.check_includes:
            errors += bad_includes(markdown, page, settings)
        if settings.forbid_text:
            errors += forbidden_text(markdown, page, settings.forbid_text)
    return errors


def check_examples(
    known: Mapping[str, Example],
    shown: Iterable[str],
    pages: Mapping[str, str],
    settings: Settings,
) -> list[SiteAppError]:
    """Every rule about the examples: shown somewhere, tested somewhere."""
    problems: list[SiteAppError] = []
    if settings.require_shown:
        seen = set(shown)
        for markdown in pages.values():
            seen |= {path.split("/", 1)[0] for _, path in sources.includes(markdown)}
        problems += [
            ExampleError(
                f"example '{name}' is not shown on any page",
                where=Location(example.display(example.directory) + "/"),
                fix="show it with a flask-example block on a page, or delete it",
            )
            for name, example in known.items()
            if name not in seen
        ]
    if settings.tests_dir is not None:
        tests = test_sources(settings.tests_dir)
        folder = settings.display(settings.tests_dir)
        problems += [
            ExampleError(
                f"example '{name}' has no tests",
                where=Location(example.display(example.directory) + "/"),
                fix=f"add a test file under {folder}/ that imports {example.app_module}",
            )
            for name, example in known.items()
            if not has_tests(example, tests)
        ]
    return problems


def typed_python(markdown: str, page: str, settings: Settings) -> list[BlockError]:
    """Python code blocks whose lines were typed into the page, not included.

    Every line of Python a reader sees must come from a tested file: a
    ``flask-example`` block, or a block holding only ``--8<--`` includes.
    A console session (``pycon``) counts as Python too.
    """
    errors: list[BlockError] = []
    lines = markdown.splitlines()
    folder = settings.display(settings.snippets_dir)
    for found in directive.fences(lines):
        language = found.info.lstrip("{. ").split(" ")[0].rstrip("}").lower()
        body = [text.strip() for text in lines[found.start + 1 : found.end] if text.strip()]
        if language in _PYTHON_LANGS and not all(text.startswith("--8<--") for text in body):
            errors.append(
                BlockError(
                    "Python typed into a page: readers must only see code the tests run",
                    where=Location(page, found.start + 1),
                    fix=f"move the code into an example under {folder}/ and show it with a "
                    'flask-example block, or include the file: --8<-- "<example>/<file>"',
                )
            )
    return errors


def forbidden_text(markdown: str, page: str, forbidden: Iterable[str]) -> list[BlockError]:
    """Lines of a page that still hold a text the project forbids, such as a placeholder."""
    texts = [text for text in forbidden if text]
    return [
        BlockError(
            f"the page still holds the placeholder text {text!r}",
            where=Location(page, number),
            fix="replace it with your own words (the plugin's forbid_text option lists "
            "the texts a page may not keep)",
        )
        for number, line in enumerate(markdown.splitlines(), start=1)
        for text in texts
        if text in line
    ]


def bad_includes(markdown: str, page: str, settings: Settings) -> list[BlockError]:
    """``--8<--`` lines of a page that name a file outside the examples or none at all."""
    errors: list[BlockError] = []
    root = settings.snippets_dir.resolve()
    folder = settings.display(root)
    for number, relative in sources.includes(markdown):
        target = (root / relative).resolve()
        if Path(relative).is_absolute() or not target.is_relative_to(root):
            what = f"the include {relative!r} leads outside {folder}/"
            fix = f"include files of examples only, named from {folder}/"
        elif not target.is_file():
            what = f"the include {relative!r} names no file under {folder}/"
            fix = "check the example's name and the file's path"
        else:
            continue
        errors.append(BlockError(what, where=Location(page, number), fix=fix))
    return errors


def test_sources(tests_dir: Path) -> list[str]:
    """The text of every test file, read once per build.

    Regular files only: a folder or a FIFO named like a test file is no test
    (and reading a FIFO would wait forever).
    """
    return [
        path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(tests_dir.rglob("test_*.py"))
        if _regular(path)
    ]


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:  # pragma: no cover - removed while the build ran
        return False


def has_tests(example: Example, tests: list[str]) -> bool:
    """A test file names the example's package, or the example holds its own tests."""
    if any(_regular(path) for path in example.directory.rglob("test_*.py")):
        return True
    pattern = re.compile(rf"\b{re.escape(example.package)}\b")
    # The substring test first: a regular expression search of every file is slow.
    return any(example.package in source and pattern.search(source) for source in tests)
