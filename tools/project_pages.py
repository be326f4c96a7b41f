"""A MkDocs hook of this guide: pages whose source is a project file, written once.

CONTRIBUTING.md is read on GitHub and published as the Contributing page;
the benchmark's results table is the Build benchmarks page. The page keeps
its source file's path, so build errors and the "edit" link name the real
file.
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

PAGES = {
    "contributing.md": "CONTRIBUTING.md",
    "benchmarks.md": "benchmarks/results.md",
}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = Path(config.config_file_path).resolve().parent
    docs = Path(config.docs_dir).resolve()
    for site_path, source in sorted(PAGES.items()):
        path = root / source
        if not path.is_file():
            raise PluginError(
                f"{__file__}: the page {site_path} is made from {source}, which does not exist\n"
                "    fix: correct PAGES in tools/project_pages.py"
            )
        if files.get_file_from_path(site_path) is not None:
            raise PluginError(
                f"docs/{site_path} clashes with the page made from {source}\n"
                "    fix: remove one of them"
            )
        page = File.generated(config, site_path, content=path.read_text(encoding="utf-8"))
        page.abs_src_path = str(path)  # errors name the real file
        page.edit_uri = Path(os.path.relpath(path, docs)).as_posix()  # and so does "edit"
        files.append(page)
    return files
