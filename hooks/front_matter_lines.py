"""Keep a page's lines where they were after MkDocs strips its front matter.

A temporary workaround. The flask-examples plugin scans each page's whole
source (front matter included) in ``on_files``, then looks its blocks up by
line number in ``on_page_markdown``, where MkDocs has already removed the
front matter. Any page with a ``description:`` then fails with "this block
was changed by another plugin". This hook runs first and puts back one blank
line for every line MkDocs removed, so the numbers agree again; blank lines
before the first heading change nothing in the HTML.

Delete this file and the ``hooks:`` entry in mkdocs.yml once the plugin
counts lines the same way in both events.
"""

from __future__ import annotations

from typing import Any

from mkdocs.plugins import event_priority


@event_priority(100)  # before every plugin, flask-examples included
def on_page_markdown(markdown: str, /, *, page: Any, **kwargs: Any) -> str:
    source = page.file.content_string
    if markdown == source or not source.endswith(markdown):
        return markdown
    removed = source[: len(source) - len(markdown)].count("\n")
    return "\n" * removed + markdown
