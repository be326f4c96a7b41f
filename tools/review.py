"""Output review: every captured response as plain text, one file per page.

The files are committed (``tests/outputs/``), so a pull request that changes
what readers will see shows it in its diff. The suite checks that they match
a fresh build; ``nox -s review`` (``python -m tools review --update``)
writes them anew.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from site_app import Builder, BuildResult, Settings
from site_app.author.project import read_project
from site_app.model import Shown

# Values that may differ between two honest builds; shown as placeholders.
_VOLATILE = [
    (
        re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\b"),
        "<http-date>",
    ),
    (
        re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\b"),
        "<timestamp>",
    ),
]


def normalise(text: str) -> str:
    # CSV and WTForms' <textarea> end lines with \r\n; a text file read back has \n only.
    text = text.replace("\r\n", "\n")
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


def _answer(shown: Shown) -> list[str]:
    request, response = shown.request, shown.response
    lines = [f"> {request.method} {request.path}"]
    if request.json is not None:
        lines.append(f"> (JSON) {request.json!r}")
    if request.form:
        lines.append(f"> (form) {dict(request.form)!r}")
    lines += [
        f"> (file) {u.field}: {u.filename} ({u.content_type}, {len(u.content)} bytes)"
        for u in request.files
    ]
    lines += [f"< {response.status}", f"< Content-Type: {response.content_type}"]
    for name in ("Location", *request.shown_headers):
        lines += [f"< {name}: {value}" for value in response.shown_values(name)]
    if response.cookies is not None:
        lines += [f"< (cookie held) {cookie}" for cookie in response.cookies] or [
            "< (no cookie held)"
        ]
    if response.is_image:
        digest = hashlib.sha256(response.body).hexdigest()[:16]
        lines.append(f"<{response.mimetype}, {len(response.body)} bytes, sha256 {digest}…>")
    elif response.body:
        lines += ["", response.pretty_body().rstrip("\n")]
    return lines


def render(result: BuildResult) -> dict[str, str]:
    """File name → text for every page that has blocks with requests."""
    pages: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for (page, _line), rendered in sorted(result.blocks.items()):
        counts[page] = counts.get(page, 0) + 1
        if not rendered.answers:
            continue
        out = pages.setdefault(page, [f"# Outputs shown on {page}", ""])
        # Blocks are numbered, not located by line: editing prose above a
        # block must not look like a change of output.
        out += [f"## Block {counts[page]} (example {rendered.example.name})", ""]
        for shown in rendered.answers:
            out += [*_answer(shown), ""]
    return {
        _file_name(page): normalise("\n".join(lines).rstrip("\n") + "\n")
        for page, lines in pages.items()
    }


def _file_name(page: str) -> str:
    stem = page.removeprefix("docs/").removesuffix(".md")
    return stem.replace("/", "__") + ".txt"


@dataclass
class Review:
    """Differences between the committed outputs and a fresh build."""

    diffs: dict[str, str]

    @property
    def clean(self) -> bool:
        return not self.diffs


def compare(expected_dir: Path, rendered: dict[str, str]) -> Review:
    present = {p.name: p.read_text(encoding="utf-8") for p in sorted(expected_dir.glob("*.txt"))}
    diffs: dict[str, str] = {}
    for name in sorted(present.keys() | rendered.keys()):
        old, new = present.get(name, ""), rendered.get(name, "")
        if old != new:
            diffs[name] = "".join(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=f"{expected_dir.name}/{name} (committed)",
                    tofile=f"{expected_dir.name}/{name} (this build)",
                )
            )
    return Review(diffs)


def update(expected_dir: Path, rendered: dict[str, str]) -> list[str]:
    """Write the outputs; remove files of pages that no longer have any. Returns changed names."""
    expected_dir.mkdir(parents=True, exist_ok=True)
    changed = list(compare(expected_dir, rendered).diffs)
    for stale in expected_dir.glob("*.txt"):
        if stale.name not in rendered:
            stale.unlink()
    for name, text in rendered.items():
        (expected_dir / name).write_text(text, encoding="utf-8")
    return changed


def guide_settings(config_file: Path) -> Settings:
    """The settings the guide's mkdocs.yml gives the plugin, so review builds as the site does."""
    return read_project(config_file).settings


def build_pages(docs_dir: Path, builder: Builder) -> BuildResult:
    root = builder.settings.root
    pages = {
        path.resolve().relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(docs_dir.resolve().rglob("*.md"))
    }
    return builder.build(pages)
