"""Freeze one example's GET pages with Frozen-Flask into a private directory."""

from __future__ import annotations

import html
import mimetypes
import re
import shutil
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from flask_frozen import (
    Freezer,
    FrozenFlaskWarning,
    MimetypeMismatchWarning,
    MissingURLGeneratorWarning,
    RedirectWarning,
)
from werkzeug.exceptions import HTTPException, MethodNotAllowed

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
        # A redirect is left out (see StaticSiteFreezer), never stored under
        # its own URL's name: "follow" would store the target page there.
        FREEZER_REDIRECT_POLICY="ignore",
    )
    wanted = sorted(set(urls) | set(example.settings.urls))
    freezer = StaticSiteFreezer(app, example.settings.exclude, example.name)
    freezer.register_generator(lambda: _matched(app, wanted))
    files: dict[str, str] = {}
    with warnings.catch_warnings(record=True) as caught, recorded_exceptions(app) as raised:
        warnings.simplefilter("always", FrozenFlaskWarning)
        try:
            for page in freezer.freeze_yield():
                if page.url not in freezer.skipped:
                    files[page.url] = Path(page.path).as_posix()
        except Exception as exc:
            raise _freeze_failure(example, exc, raised, freezer.building) from exc
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
    return Frozen(example.name, destination, files, dict(freezer.skipped))


def _matched(app: Flask, urls: list[str]) -> Iterator[Any]:
    """Each URL as (endpoint, values) when it matches a rule, so Frozen-Flask
    counts the endpoint as frozen; as the URL itself when it does not."""
    adapter = app.url_map.bind("localhost")
    for url in urls:
        try:
            endpoint, values = adapter.match(url, method="GET")
        except HTTPException:  # no rule, wrong method, or a redirect
            yield url
        else:
            yield endpoint, values


class StaticSiteFreezer(Freezer):  # type: ignore[misc]
    """A Freezer that takes any app ``flask run`` serves, and publishes what hosts serve.

    1. Endpoint-only rules. ``app.add_url_rule("/", endpoint="index")``
       (Flask's tutorial) adds a rule whose endpoint has no view function.
       Frozen-Flask 1.0.2's ``_static_rules_endpoints`` looks every rule's
       endpoint up in ``app.view_functions`` and raises ``KeyError``. Such a
       rule serves no static files, so it is passed over here. This override
       can go when Frozen-Flask reads ``view_functions.get(rule.endpoint)``
       there (and skips ``None``).
    2. URLs a static host cannot answer. Frozen-Flask freezes every URL a
       page passes to ``url_for``, so a form's ``action`` or a script's
       ``fetch`` target (Flask's JavaScript example's ``url_for('add')``,
       a POST-only route) would be fetched with GET and fail with 405.
       Such URLs, and those listed under ``[build] exclude``, are left out.
    3. Extensionless URLs. A static host serves a file without an extension
       with one type for all (the example's ``default_mimetype``). When an
       answer has another type (JSON at ``/api/items``, HTML at
       ``/auth/login``), Frozen-Flask warns and the published file would be
       served wrongly; such a URL is left out of the frozen site instead
       (its answers are still captured, and an HTML one gets a preview).
       A file with an extension that contradicts its answer stays an error.
    4. Redirects. A static host cannot send a 302, and Frozen-Flask's
       "follow" would store the target's page under the redirecting URL's
       name. With "ignore" it writes the redirect's stub there instead;
       that file is removed and the URL left out.
    5. Fragments. A page that is not a complete document (``return
       "<p>Hello</p>"``) is written as one: see :func:`complete_document`.
    """

    def __init__(self, app: Flask, exclude: Iterable[str] = (), name: str = "") -> None:
        super().__init__(app)
        self.skipped: dict[str, str] = {}
        self.exclude = set(exclude)
        self.name = name
        self.building: str | None = None  # the URL being frozen, for an error to name

    def _generate_all_urls(self) -> Iterator[tuple[str, Any, Any]]:
        adapter = self.app.url_map.bind("localhost")
        for url, endpoint, last_modified in super()._generate_all_urls():
            if url in self.exclude:
                self.skipped[url] = "listed under [build] exclude in example.toml"
                continue
            try:
                adapter.match(url, method="GET")
            except MethodNotAllowed:
                self.skipped[url] = "answers other methods than GET only"
                continue
            except HTTPException:
                pass  # a 404 or a redirect: building it reports what is wrong
            yield url, endpoint, last_modified

    def _static_rules_endpoints(self) -> Iterator[str]:
        views = self.app.view_functions
        missing = {rule.endpoint for rule in self.app.url_map.iter_rules()} - set(views)
        views.update(dict.fromkeys(missing, _no_view))
        try:  # upstream's scan, over a complete mapping, all at once
            found = [e for e in super()._static_rules_endpoints() if e not in missing]
        finally:
            for endpoint in missing:
                del views[endpoint]
        return iter(found)

    def _build_one(self, url: str, last_modified: Any = None) -> Path:
        self.building = url
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            path: Path = super()._build_one(url, last_modified)
        # A name mimetypes cannot place is served with the host's default type.
        typeless = mimetypes.guess_type(path.name)[0] is None
        for warning in caught:
            if issubclass(warning.category, RedirectWarning):
                self._unpublish(path)
                self.skipped[url] = f"{warning.message}: a static host cannot redirect"
            elif issubclass(warning.category, MimetypeMismatchWarning) and typeless:
                self._unpublish(path)
                self.skipped.setdefault(url, str(warning.message))
            else:
                warnings.warn(warning.message, stacklevel=2)
        if url not in self.skipped and path.suffix == ".html" and path.is_file():
            body = path.read_bytes()
            complete = complete_document(body, f"{self.name}: {url}")
            if complete != body:
                path.write_bytes(complete)
        return path

    def _unpublish(self, path: Path) -> None:
        """Remove a file written for a skipped URL, and the folders it leaves empty."""
        path.unlink(missing_ok=True)
        root = self.root.resolve()
        folder = path.parent.resolve()
        # A redirect ignored by Frozen-Flask wrote nothing: its folder may not exist.
        while (
            folder != root
            and root in folder.parents
            and folder.is_dir()
            and not any(folder.iterdir())
        ):
            folder.rmdir()
            folder = folder.parent


_DOCTYPE = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<!doctype\s[^>]*>", re.I | re.S)
_HTML_TAG = re.compile(rb"<html(?:\s[^>]*)?>", re.I)
_HEAD_TAG = re.compile(rb"<head(?:\s[^>]*)?>", re.I)
_CHARSET = re.compile(rb"<meta[^>]+charset", re.I)


def complete_document(body: bytes, title: str) -> bytes:
    """An HTML answer as a static host should serve it: a complete document.

    ``return "<p>Hello, World!</p>"`` is a fine Flask view, and the page
    shows it as the app sent it. A browser reading the frozen file, and a
    checker, want a doctype, ``<html lang>``, a charset and a ``<title>``:
    a fragment (an answer with neither a doctype nor an ``<html>`` tag) is
    wrapped in them.
    A document keeps what it has; it gets a doctype when it has none, and
    ``<meta charset="utf-8">`` (what Flask sent in its Content-Type, which
    a static host does not send) when it declares no charset, as Werkzeug's
    error pages do. The frozen file and the preview built from it both come
    from here.
    """
    doctype = _DOCTYPE.match(body)
    if not doctype and not _HTML_TAG.search(body):
        head = (
            '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
        )
        return head.encode() + body + b"\n</body>\n</html>\n"
    if not _CHARSET.search(body):
        tag = _HEAD_TAG.search(body) or _HTML_TAG.search(body) or doctype
        assert tag is not None
        body = body[: tag.end()] + b'\n<meta charset="utf-8">' + body[tag.end() :]
    if not doctype:
        body = b"<!doctype html>\n" + body
    return body


def _no_view() -> None:  # pragma: no cover - never called, only looked up
    """Stands in for a missing view while Frozen-Flask scans rules for static files."""


def not_frozen(example: Example, destination: Path) -> Frozen:
    """An example that is not frozen (not a Flask app): an empty folder, no URLs.

    Files left there by an earlier build, when the example was a Flask app,
    are removed, so the site never publishes them.
    """
    destination = destination.resolve()
    shutil.rmtree(destination, ignore_errors=True)
    destination.mkdir(parents=True)
    return Frozen(example.name, destination, {})


def _freeze_failure(
    example: Example, exc: Exception, raised: list[BaseException], url: str | None
) -> FreezeError:
    cause = raised[-1] if raised else exc
    if raised or not isinstance(exc, ValueError):
        context = f"{exc}; " if cause is not exc else ""
        exclude = f'exclude = ["{url}"]' if url else "exclude = [the URL]"
        return FreezeError(
            f"freezing example '{example.name}' failed: {context}the view raised {describe(cause)}",
            where=where_in_example(example, cause),
            fix="fix the view; every GET page of an example must answer 200 (a URL the "
            "example cannot serve on its own, for an app you do not edit, goes under "
            f"[build] of example.toml: {exclude})",
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
            "give the URL a file extension that matches what it answers (/data.json for "
            "JSON), or a trailing slash for HTML; extensionless URLs whose answer differs "
            f"from [build] default_mimetype in {settings} are captured but not frozen"
        )
    return "fix the route Frozen-Flask names above"
