"""Freeze one example's GET pages with Frozen-Flask into a private directory."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from flask_frozen import Freezer, FrozenFlaskWarning, MissingURLGeneratorWarning
from werkzeug.exceptions import HTTPException

from ..errors import FreezeError, Location, describe
from ..model import Example, Frozen
from .capture import recorded_exceptions
from .load import where_in_example


def freeze(example: Example, app: Flask, destination: Path, urls: Iterable[str]) -> Frozen:
    """Freeze ``app`` into ``destination`` (absolute, owned by the build).

    Besides the URLs Frozen-Flask finds itself (static files, rules without
    arguments, ``url_for`` calls), every URL in ``urls`` and in the example's
    ``[build] urls`` is frozen. A page that does not answer 200, or a warning
    from Frozen-Flask about a file a static host would serve wrongly, is a
    FreezeError.
    """
    destination = destination.resolve()
    app.config.update(
        FREEZER_DESTINATION=str(destination),
        FREEZER_RELATIVE_URLS=True,
        FREEZER_REMOVE_EXTRA_FILES=True,
        FREEZER_DEFAULT_MIMETYPE=example.settings.default_mimetype,
        FREEZER_REDIRECT_POLICY="follow",
    )
    wanted = sorted(set(urls) | set(example.settings.urls))
    freezer = Freezer(app)

    def requested_urls() -> Iterator[Any]:
        # Yield (endpoint, values) when the URL matches a rule, so
        # Frozen-Flask counts the endpoint as frozen.
        adapter = app.url_map.bind("localhost")
        for url in wanted:
            try:
                endpoint, values = adapter.match(url, method="GET")
            except HTTPException:  # no rule, wrong method, or a redirect
                yield url
            else:
                yield endpoint, values

    freezer.register_generator(requested_urls)
    files: dict[str, str] = {}
    with warnings.catch_warnings(record=True) as caught, recorded_exceptions(app) as raised:
        warnings.simplefilter("always", FrozenFlaskWarning)
        try:
            for page in freezer.freeze_yield():
                files[page.url] = Path(page.path).as_posix()
        except Exception as exc:
            raise _freeze_failure(example, exc, raised) from exc
    # "Nothing frozen for endpoints ..." is not a problem here: the site freezes
    # the pages a reader can reach (links, rules without arguments, the pages
    # blocks request), and JSON endpoints with arguments are captured instead.
    problems = [
        w
        for w in caught
        if issubclass(w.category, FrozenFlaskWarning)
        and not issubclass(w.category, MissingURLGeneratorWarning)
    ]
    if problems:
        raise FreezeError(
            f"Frozen-Flask warned while freezing example '{example.name}': "
            + "; ".join(f"{w.category.__name__}: {w.message}" for w in problems),
            where=Location(example.display(example.app_file)),
            fix=_warning_fix(problems[0].category.__name__, example),
        )
    return Frozen(example.name, destination, files)


def not_frozen(example: Example, destination: Path) -> Frozen:
    """An example that is not frozen (not a Flask app): an empty folder, no URLs.

    Files left there by an earlier build, when the example was a Flask app,
    are removed, so the site never publishes them.
    """
    destination = destination.resolve()
    shutil.rmtree(destination, ignore_errors=True)
    destination.mkdir(parents=True)
    return Frozen(example.name, destination, {})


def _freeze_failure(example: Example, exc: Exception, raised: list[BaseException]) -> FreezeError:
    cause = raised[-1] if raised else exc
    if raised or not isinstance(exc, ValueError):
        context = f"{exc}; " if cause is not exc else ""
        return FreezeError(
            f"freezing example '{example.name}' failed: {context}the view raised {describe(cause)}",
            where=where_in_example(example, cause),
            fix="fix the view; every GET page of an example must answer 200",
        )
    return FreezeError(
        f"freezing example '{example.name}' failed: {exc}",
        where=Location(example.display(example.app_file)),
        fix="every URL Frozen-Flask visits must answer 200; a page that should not be "
        "frozen belongs in a POST route, or link to a page that exists",
    )


def _warning_fix(category: str, example: Example) -> str:
    settings = example.display(example.directory / "example.toml")
    if category == "MimetypeMismatchWarning":
        return (
            "give the URL a file extension (/data.json) or a trailing slash for HTML, or set "
            f'[build] default_mimetype (e.g. "application/json") in {settings}'
        )
    return "fix the route Frozen-Flask names above"
