"""The ``flask-example`` and ``flask-compare`` fences, for any builder that runs Python-Markdown.

A pymdownx.superfences custom fence hands :func:`format_block` a block's
YAML; the formatter finds the block's view by that content (never by its
line) and returns the finished HTML (:mod:`site_app.render.html`), code
highlighted through pymdownx.highlight with the page's own settings. The
HTML goes into Markdown's stash, so nothing an example answered is read as
Markdown. The MkDocs plugin registers the fences itself; a builder without
plugins (Zensical) takes them from ``mkdocs.yml``::

    markdown_extensions:
      - pymdownx.superfences:
          custom_fences:
            - name: flask-example
              class: flask-example
              format: !!python/name:site_app.fence.format_block
            - name: flask-compare
              class: flask-compare
              format: !!python/name:site_app.fence.format_block

There the views come from the cache, where ``python -m site_app build`` put
them (:func:`~site_app.orchestrate.engine.run_pages`); the cache folder is
the plugin's ``cache_dir`` in ``mkdocs.yml`` (``FLASK_EXAMPLES_CONFIG`` names
another file).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pymdownx.superfences import SuperFencesException

from .author import directive
from .author.project import Project, read_project
from .errors import BlockError, Location
from .orchestrate.engine import INDEX, Index, block_key, load_index
from .render import html

FENCES = (directive.INFO, directive.COMPARE_INFO)
# info, key, page (None when the builder does not say), how many before it → the view
Lookup = Callable[[str, str, str | None, int], "html.BlockView | str | None"]


class FenceError(SuperFencesException):  # type: ignore[misc]
    """A block the engine has no view of; pymdownx.superfences lets this one through."""


class _State:
    lookup: Lookup | None = None  # set by the MkDocs plugin, which knows the page
    page: str | None = None
    stored: tuple[Path, int, Index] | None = None  # the cache's index and its mtime
    project: tuple[tuple[Path, int], Project] | None = None  # mkdocs.yml, read once


_state = _State()


def use(lookup: Lookup | None, page: str | None = None) -> None:
    """Render the next blocks from ``lookup`` (the plugin's engine), for ``page``;
    ``None`` goes back to the views stored in the cache."""
    _state.lookup, _state.page = lookup, page


def register(configs: dict[str, Any]) -> None:
    """Add both fences to pymdownx.superfences' ``custom_fences`` in ``configs`` (the
    extensions' options), unless the project named them itself."""
    fences = configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    named = {entry.get("name") for entry in fences}
    fences += [
        {"name": info, "class": info, "format": format_block}
        for info in FENCES
        if info not in named
    ]


def format_block(
    src: str, language: str, class_name: str, options: dict[str, Any], md: Any, **kwargs: Any
) -> str:
    """A superfences formatter: the block's finished HTML."""
    key = block_key(src)
    seen: dict[tuple[str, str], int] = md.__dict__.setdefault("_flask_examples_seen", {})
    count = seen.get((language, key), 0)
    seen[(language, key)] = count + 1
    lookup = _state.lookup or _stored
    builder_page = None if _state.page else _page_of(md)
    found = lookup(language, key, _state.page or builder_page, count)
    if builder_page is not None and isinstance(found, html.BlockView):
        # Zensical reads a relative URL in a page's HTML as relative to its Markdown
        # file, and rewrites it for the page's own URL: link from the file, then.
        depth = builder_page.count("/") - _docs_depth()
        found = dataclasses.replace(found, site_root="../" * depth)
    if found is None:
        first = src.strip().split("\n", 1)[0]
        error = BlockError(
            f"the {language} block that starts '{first}' was not read by the engine "
            "(its text changed after the examples ran)",
            where=None if _state.page is None else Location(_state.page),
            fix="run `python -m site_app build` before the site builder, and leave "
            f"{language} blocks as the page has them",
        )
        raise FenceError(error.message)
    if isinstance(found, str):
        return found
    return html.block_html(found, _highlighter(md))


def _page_of(md: Any) -> str | None:
    """The page being rendered, when the builder tells its extensions: Zensical keeps it
    in a preprocessor, ``rendering_context``, whose ``page.path`` is relative to docs/."""
    if "rendering_context" not in md.preprocessors:
        return None
    path = getattr(getattr(md.preprocessors["rendering_context"], "page", None), "path", None)
    if not isinstance(path, str):
        return None
    project = _project()
    return project.settings.display(project.docs_dir / path)


def _docs_depth() -> int:
    """Folders from the project's root to docs/, as page keys name it (docs/x.md: 1)."""
    project = _project()
    return project.settings.display(project.docs_dir).count("/") + 1


def _project() -> Project:
    """The project's mkdocs.yml (``FLASK_EXAMPLES_CONFIG`` names another), read once."""
    path = Path(os.environ.get("FLASK_EXAMPLES_CONFIG", "mkdocs.yml")).resolve()
    stamp = (path, path.stat().st_mtime_ns if path.is_file() else 0)
    if _state.project is None or _state.project[0] != stamp:
        _state.project = (stamp, read_project(path))
    return _state.project[1]


def _stored(info: str, key: str, page: str | None, seen: int) -> html.BlockView | str | None:
    cache = _project().settings.cache_dir
    path = cache / INDEX
    mtime = path.stat().st_mtime_ns if path.is_file() else 0
    if _state.stored is None or _state.stored[:2] != (path, mtime):
        index = load_index(cache)
        if index is None:
            return None
        _state.stored = (path, mtime, index)
    return _state.stored[2].find(info, key, page, seen)


# Highlighted code by what makes it: the code, its options, the page's highlight settings
# and the page's count of highlighted blocks before it (pymdownx.highlight numbers line
# anchors by it). A rebuild under serve highlights only what changed.
_HIGHLIGHTED: dict[tuple[Any, ...], str] = {}
_HIGHLIGHTED_MAX = 20_000  # entries; a long serve session starts over past it
_counts = {"hits": 0, "misses": 0}


def highlight_cache_info() -> dict[str, int]:
    """How often a block's code came from the cache of highlighted code, and how often not."""
    return dict(_counts, size=len(_HIGHLIGHTED))


def _highlighter(md: Any) -> html.Highlight:
    """Code highlighted as the page highlights its own fences (pymdownx.highlight)."""
    fenced = md.preprocessors["fenced_code_block"]
    fenced.get_hl_settings()  # done once per page: a no-op when superfences has run
    extension = fenced.highlight_ext
    settings = repr(sorted(extension.get_pymdownx_highlight_settings().items()))
    settings += repr((fenced.css_class, fenced.title_mode))

    def highlight(code: str, language: str, title: str, lines: tuple[int, ...]) -> str:
        key = (code, language, title, lines, settings, extension.pygments_code_block)
        found = _HIGHLIGHTED.get(key)
        if found is not None:
            extension.pygments_code_block += 1  # as highlighting it would have
            _counts["hits"] += 1
            return found
        _counts["misses"] += 1
        if len(_HIGHLIGHTED) >= _HIGHLIGHTED_MAX:
            _HIGHLIGHTED.clear()
        _HIGHLIGHTED[key] = out = _highlight(fenced, md, code, language, title, lines)
        return out

    return highlight


def _highlight(
    fenced: Any, md: Any, code: str, language: str, title: str, lines: tuple[int, ...]
) -> str:
    """pymdownx.superfences' own highlighting of ``code``, with the page's settings."""
    options = {"title": title}
    if lines:
        options["hl_lines"] = " ".join(str(n) for n in lines)
    # superfences clamps hl_lines to the lines of the fence it is in: here the block's
    # YAML, not this code. Count this code's lines for the call, then put it back.
    fence_lines = getattr(fenced, "line_count", 0)
    fenced.line_count = code.count("\n") + 1
    try:
        out: str = fenced.highlight(
            src=code,
            language=language,
            options=options,
            md=md,
            classes=[],
            id_value="",
            attrs={},
        )
    finally:
        fenced.line_count = fence_lines
    return out
