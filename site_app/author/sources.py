"""What a block shows of its example: files, a part of the first one, highlighted lines.

The part is a section between ``--8<--`` markers, a function (found with
:mod:`ast`, decorators included) or a range of lines. This module checks,
before Markdown runs, that each file, part and highlighted line exists, so a
mistake names the page's line instead of failing deep inside Markdown.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

from ..errors import BlockError
from ..model import Block, Example, ShownFile

_SECTION_RE = re.compile(
    r"^.*?(?<!;)-{1,}8<-{1,}[ \t]+\[[ \t]*(?P<type>start|end)[ \t]*:[ \t]*"
    r"(?P<name>[a-z][-_0-9a-z]*)[ \t]*\].*$",
    re.IGNORECASE,
)
# A pymdownx.snippets include line: --8<-- "json_api/app.py:routes"
_INCLUDE_RE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["']?(?P<path>[^"':\s]+)""")
LANGUAGES = {
    ".py": "python",
    ".html": "html+jinja",
    ".jinja": "html+jinja",
    ".j2": "html+jinja",
    ".css": "css",
    ".js": "javascript",
    ".json": "json",
    ".toml": "toml",
    ".cfg": "ini",
    ".ini": "ini",
    ".conf": "nginx",
    ".sql": "sql",
    ".txt": "text",
    ".md": "markdown",
    ".sh": "bash",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".service": "ini",
}


def includes(markdown: str) -> Iterator[tuple[int, str]]:
    """Each ``--8<--`` include of a page: its line and the path it names."""
    for number, line in enumerate(markdown.splitlines(), start=1):
        match = _INCLUDE_RE.match(line)
        if match and not match["path"].startswith(("[", ";")):  # a section marker, a comment
            yield number, match["path"]


def resolve_files(block: Block, example: Example) -> list[ShownFile]:
    """Check the block's files, section and highlight against the example."""
    names = block.files or (example.app_file.relative_to(example.directory).as_posix(),)
    shown: list[ShownFile] = []
    for position, name in enumerate(names):
        path = _inside(block, example, name)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            raise BlockError(
                f"{example.display(path)} is not valid UTF-8 text",
                where=block.where,
                fix="save the file as UTF-8",
            ) from exc
        section = block.section if position == 0 else None
        numbers = _shown(block, example, path, lines, position == 0)
        hl_lines: tuple[int, ...] = ()
        if position == 0 and block.highlight:
            missing = [n for n in block.highlight if n not in numbers]
            if missing:
                span = f"lines {numbers[0]}-{numbers[-1]}" if numbers else "no lines"
                raise BlockError(
                    f"highlight line {missing[0]} is not shown: {example.display(path)}"
                    + (f" {_part_name(block)}" if block.shows_part else "")
                    + f" shows {span}",
                    where=block.where,
                    fix="give line numbers as the file itself counts them, within what is shown",
                )
            hl_lines = tuple(numbers.index(n) + 1 for n in block.highlight)
        relative = path.relative_to(example.directory.resolve()).as_posix()
        include = f"{example.name}/{relative}" + (f":{section}" if section else "")
        if position == 0 and not section and block.shows_part:  # pymdownx.snippets' lines
            include += f":{numbers[0]}:{numbers[-1]}"
        language = LANGUAGES.get(path.suffix, "text")
        shown.append(ShownFile(relative, example.display(path), include, language, hl_lines))
    return shown


def _inside(block: Block, example: Example, name: str) -> Path:
    root = example.directory.resolve()
    candidate = Path(name)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise BlockError(
            f"file {name!r} is outside example '{example.name}'",
            where=block.where,
            fix=f"name files relative to {example.display(example.directory)}/, without '..' "
            "or a leading '/'",
        )
    path = (root / candidate).resolve()
    if not path.is_relative_to(root):
        raise BlockError(
            f"file {name!r} of example '{example.name}' leads outside the example "
            f"(it resolves to {path})",
            where=block.where,
            fix="copy the file into the example instead of linking to it",
        )
    if not path.is_file():
        present = ", ".join(
            p.relative_to(root).as_posix() for p in example.source_files() if p.suffix != ".pyc"
        )
        raise BlockError(
            f"example '{example.name}' has no file {name!r}",
            where=block.where,
            fix=f"name one of its files: {present}",
        )
    return path


def without_section_markers(text: str) -> str:
    """``text`` without its ``--8<-- [start:…]`` / ``[end:…]`` lines, as a whole file's
    tab shows it (the in-browser runner's editors show the same)."""
    return "".join(
        line
        for line in text.splitlines(keepends=True)
        if not _SECTION_RE.match(line.rstrip("\r\n"))
    )


def _shown_line_numbers(
    block: Block, example: Example, path: Path, lines: list[str], section: str | None
) -> list[int]:
    """File line numbers of the lines a tab shows, as pymdownx.snippets picks them."""
    markers = {n: _SECTION_RE.match(text) for n, text in enumerate(lines, start=1)}
    if section is None:
        return [n for n, m in markers.items() if m is None]
    shown: list[int] = []
    inside = found = False
    for number, marker in markers.items():
        if marker and marker["name"] == section:
            if marker["type"] == "start" and not inside:
                inside = found = True
            elif marker["type"] == "end" and inside:
                break
            continue
        if inside and marker is None:
            shown.append(number)
    if not found:
        names = sorted({m["name"] for m in markers.values() if m and m["type"] == "start"})
        raise BlockError(
            f"{example.display(path)} has no section '{section}'",
            where=block.where,
            fix=(f"use one of its sections ({', '.join(names)}), or " if names else "")
            + f"mark it in the file with '# --8<-- [start:{section}]' and "
            f"'# --8<-- [end:{section}]'",
        )
    return shown


def _part_name(block: Block) -> str:
    if block.section is not None:
        return f"section '{block.section}'"
    if block.function is not None:
        return f"function '{block.function}'"
    assert block.lines is not None
    return f"lines {block.lines[0]}-{block.lines[1]}"


def _shown(block: Block, example: Example, path: Path, lines: list[str], first: bool) -> list[int]:
    """File line numbers of the lines a tab shows: the block's part of its first file, or
    the whole file; section markers are never shown."""
    if not first or not block.shows_part:
        return _shown_line_numbers(block, example, path, lines, None)
    if block.section is not None:
        return _shown_line_numbers(block, example, path, lines, block.section)
    if block.function is not None:
        start, end = _function_span(block, example, path, lines, block.function)
    else:
        assert block.lines is not None
        start, end = block.lines
        if end > len(lines):
            raise BlockError(
                f"{example.display(path)} has {len(lines)} lines; 'lines: {start}-{end}' "
                "goes past its end",
                where=block.where,
                fix=f"give a range within 1-{len(lines)}, as the file itself counts its lines",
            )
    numbers = [n for n in range(start, end + 1) if not _SECTION_RE.match(lines[n - 1])]
    if not numbers:
        raise BlockError(
            f"{example.display(path)} {_part_name(block)} holds section markers only",
            where=block.where,
            fix="give a range of lines that holds code",
        )
    return numbers


def _function_span(
    block: Block, example: Example, path: Path, lines: list[str], name: str
) -> tuple[int, int]:
    """First and last line of a function (its decorators included), by its dotted name."""
    if path.suffix != ".py":
        raise BlockError(
            f"'function' finds functions in Python files; {example.display(path)} is not one",
            where=block.where,
            fix="show a range of it instead (lines: 12-30), or a marked section",
        )
    try:
        tree = ast.parse("\n".join(lines), filename=str(path))
    except SyntaxError as exc:
        raise BlockError(
            f"cannot read {example.display(path)}:{exc.lineno} as Python: {exc.msg}",
            where=block.where,
            fix="fix the file's syntax, or show a range of lines (lines: 12-30)",
        ) from None
    found = dict(_functions(tree.body, ""))
    if name not in found:
        known = ", ".join(sorted(found)) or "none"
        raise BlockError(
            f"{example.display(path)} has no function '{name}'",
            where=block.where,
            fix=f"name one of its functions ({known}); a method is Class.method, a function "
            "defined in another outer.inner",
        )
    node = found[name]
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return start, node.end_lineno or node.lineno


_Defined = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _functions(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, _Defined]]:
    """Every function of a module by its dotted name, in classes and functions too."""
    for node in body:
        if isinstance(node, _Defined):
            name = prefix + node.name
            if not isinstance(node, ast.ClassDef):
                yield name, node
            yield from _functions(node.body, name + ".")


def shown_text(block: Block, example: Example, shown: ShownFile, first: bool) -> str:
    """The text a file's tab shows: the whole file without section markers, or the
    block's part of its first file, dedented, as pymdownx.snippets would include a
    section with ``dedent_subsections``."""
    path = example.directory.resolve() / shown.path
    lines = path.read_text(encoding="utf-8").splitlines()
    text = "\n".join(lines[n - 1] for n in _shown(block, example, path, lines, first))
    return textwrap.dedent(text) if first and block.shows_part else text
