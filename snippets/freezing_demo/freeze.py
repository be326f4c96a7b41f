"""Freeze the recipe site into static files.

From the project root: python -m snippets.freezing_demo.freeze build/site
"""

import sys
from pathlib import Path

from flask_frozen import Freezer

from .app import RECIPES, create_app


def make_freezer(destination):
    app = create_app(
        {
            "FREEZER_DESTINATION": str(Path(destination).resolve()),
            "FREEZER_RELATIVE_URLS": True,  # links work from any folder
        }
    )
    freezer = Freezer(app)

    # Pages no link leads to: Frozen-Flask cannot guess their URLs.
    @freezer.register_generator
    def recipe():  # named after the endpoint it feeds
        for slug in RECIPES:
            yield {"slug": slug}

    return freezer


if __name__ == "__main__":
    destination = sys.argv[1] if len(sys.argv) > 1 else "build"
    for page in make_freezer(destination).freeze_yield():
        print(f"{page.url} -> {page.path}")
