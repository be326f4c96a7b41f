"""What a worker process does with one example: capture, freeze, pick previews.

The build names :func:`run_example` by its dotted path and never imports
this module itself; the worker pool's fork server preloads it, so a warm
build (every example reused) never imports Flask.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib
import operator
import os
import posixpath
import random
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn, SupportsIndex

from flask import Flask
from flask_frozen import relative_url_for

from ..errors import BuildFailed, ExampleError, Location, RequestFailed, SiteAppError, describe
from ..model import (
    BlockRequests,
    Example,
    Frozen,
    Job,
    Output,
    Request,
    Response,
    Shown,
    Upload,
)
from . import clients, download, guard, installed
from .browser_needs import watched
from .capture import perform, status_is_expected
from .clients import Client, FlaskTestClient
from .forms import EMPTY_FILE_TYPE, FormProblem, Submission, submitted
from .freeze import complete_document, freeze, not_frozen
from .frozen_links import make_unfollowable_links_plain
from .load import configured_app, isolated_modules, run_setup, where_in_example


@dataclass(frozen=True)
class Captured:
    """A request's answer, and the file as frozen when it is a page or an image."""

    request: Request
    response: Response
    preview_body: bytes | None


REPRODUCIBLE_TIME = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def _time_machine() -> Any:
    """time-machine, imported without its pytest plugin.

    It imports pytest when it can, and pytest then counts among the libraries
    the example used (:func:`imported_libraries`), so the cache would miss
    between an environment that has pytest and one that has not.
    """
    saved = sys.modules.get("pytest")
    sys.modules["pytest"] = None  # type: ignore[assignment]  # an ImportError for it
    try:
        return importlib.import_module("time_machine")
    finally:
        if saved is None:
            del sys.modules["pytest"]
        else:  # pragma: no cover - a worker has not imported pytest
            sys.modules["pytest"] = saved


_CLOCK: Any = None  # the fixed clock (a time-machine travel), once per worker process


def reproducible(seed: str) -> None:
    """Give this worker process a fixed clock and seeded randomness.

    Session cookies carry the time they were signed, CSRF tokens come from
    ``os.urandom`` and password salts from :mod:`secrets` (``random.SystemRandom``,
    which holds its own reference to ``os.urandom``, taken when :mod:`random` was
    imported); with these fixed, two builds write the same bytes. Only the
    worker that runs one example is changed, never the build itself.
    """
    generator = random.Random(seed)
    os.urandom = generator.randbytes
    random._urandom = generator.randbytes  # type: ignore[attr-defined]  # what SystemRandom reads
    random.seed(seed)
    # time.time() and datetime's now(), utcnow() and today(), at C level, so
    # modules that bound them before this call (Flask-Login's remember-me
    # cookie takes its expiry from datetime.utcnow()) read the fixed clock too.
    # time.monotonic() is left alone: the time limit runs on it.
    if "faketime" in os.environ.get("LD_PRELOAD", ""):
        time.sleep = _sleep
    global _CLOCK
    if _CLOCK is None:
        _CLOCK = _time_machine().travel(REPRODUCIBLE_TIME, tick=False)
        _CLOCK.start()


def _sleep(seconds: float | SupportsIndex) -> None:
    """``time.sleep`` for a worker under libfaketime.

    libfaketime 0.9.10 (Debian 12) answers Python's sleep, a clock_nanosleep
    on CLOCK_MONOTONIC, with EINVAL when that clock is left real
    (FAKETIME_DONT_FAKE_MONOTONIC, which the pool sets so time limits hold);
    a wait on an event sleeps on the same clock without it.
    """
    value = seconds if isinstance(seconds, float) else float(operator.index(seconds))
    if value < 0:
        raise ValueError("sleep length must be non-negative")
    threading.Event().wait(value)


class _OutOfTime(BaseException):
    """Raised when the job's CPU time is up (SIGXCPU; not an Exception, so
    neither an example nor Flask's error handling can swallow it)."""


# What the worker is doing now, and where a contributor would look for it.
_step: tuple[str, Location | None] = ("starting", None)
# Tells the pool each step, so a worker that dies or hangs is still placed.
_report: Callable[[Any], None] | None = None


def _at(what: str, where: Location | None = None) -> None:
    global _step
    _step = (what, where)
    if _report is not None:
        _report(_step)


@contextmanager
def _within_limit() -> Iterator[None]:
    """Raise :class:`_OutOfTime` when the pool's CPU limit (SIGXCPU) is reached.

    The pool kills the process a little later whatever happens, and stops it
    after a wall-clock ceiling; this comes first, so the error can say which
    step was still running. SIGALRM is left to the example.
    """
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGXCPU, expire)
    try:
        yield
    finally:
        signal.signal(signal.SIGXCPU, previous)


def _out_of_time(job: Job) -> ExampleError:
    example = job.example
    what, where = _step
    return ExampleError(
        f"example '{example.name}' did not finish within {job.settings.timeout:g} s: "
        f"it was still {what}",
        where=where or Location(example.display(example.app_file)),
        fix="look for a loop or a blocking call at import, in setup or in a view, or a "
        "thread that never ends (make it daemon=True); the plugin's timeout option sets "
        "the limit (seconds of the example's own CPU time)",
    )


def _wait_for_threads(example: Example, deadline: float) -> None:
    """A worker exits when its non-daemon threads end: wait for them, until ``deadline``."""
    left = [
        thread
        for thread in threading.enumerate()
        if thread is not threading.current_thread() and not thread.daemon and thread.is_alive()
    ]
    if left:
        names = ", ".join(sorted({repr(thread.name) for thread in left}))
        _at(
            f"exiting: it left non-daemon thread(s) {names} running, and a process "
            "does not exit before they end",
            Location(example.display(example.app_file)),
        )
    for thread in left:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            raise _OutOfTime


def _blamed(job: Job, exc: BaseException) -> ExampleError:
    """An exception no ``except Exception`` catches (SystemExit, KeyboardInterrupt, ...):
    the example raised it, at the step the worker was on."""
    example = job.example
    what, where = _step
    raised = describe(exc) if str(exc) else type(exc).__name__
    return ExampleError(
        f"example '{example.name}' raised {raised} while {what} ({where_in_example(example, exc)})",
        where=where or Location(example.display(example.app_file)),
        fix="an example must not end its process: return an error response (abort(500)) "
        "instead of calling sys.exit(), and raise Exception subclasses only",
    )


@contextmanager
def _private_home() -> Iterator[Path]:
    """A HOME and TMPDIR of the job's own, removed when it ends."""
    with tempfile.TemporaryDirectory(prefix="flask-example-") as private:
        home, tmp = Path(private, "home"), Path(private, "tmp")
        home.mkdir()
        tmp.mkdir()
        saved = {key: os.environ.get(key) for key in ("HOME", "TMPDIR")}
        os.environ.update(HOME=str(home), TMPDIR=str(tmp))
        tempfile.tempdir = None
        try:
            yield Path(private)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            tempfile.tempdir = None


def run_example(job: Job, report: Callable[[Any], None] | None = None) -> Output:
    """In a worker process of its own: a fixed clock and seed, then :func:`capture_and_freeze`.

    Every step runs within the CPU limit; when it runs out, the error names
    the step (import, setup, a request and its page line, the freeze, or
    threads that keep the process from exiting). ``report`` (from the pool)
    hears each step, so a worker that dies or sleeps past the wall-clock
    ceiling is placed too. An exception that is not an ``Exception`` is the
    example's: it is named with the step.
    """
    global _report
    _report = report
    _at("starting")  # not what the fork server's warm-up did last
    # No __pycache__ written into the examples' folder: `mkdocs serve` watches
    # it, and a written .pyc set off a second rebuild after every edit.
    sys.dont_write_bytecode = True
    started = time.monotonic()
    os.environ.update(dict(job.environment))
    reproducible(job.name)
    try:
        with _within_limit(), _private_home() as private:
            # Where bubblewrap is off (or missing) this is all that stops a write.
            guard.install((*job.writable, private), job.read_only)
            output = capture_and_freeze(job)
            # Threads that keep it from exiting burn no CPU: the limit counts in wall time.
            _wait_for_threads(job.example, started + job.settings.timeout)
            return output
    except _OutOfTime:
        raise BuildFailed([_out_of_time(job)]) from None
    except SiteAppError:
        raise
    except BaseException as exc:
        raise BuildFailed([_blamed(job, exc)]) from None


def capture_and_freeze(job: Job) -> Output:
    """Capture every block's requests, freeze the example, pick previews.

    What the blocks' runs call that the reader's browser lacks is recorded
    (the freeze is not: the browser sends a block's requests only).
    """
    example = job.example
    _refuse_links_out(example)
    before = _snapshot(example)
    errors: list[SiteAppError] = []
    captured: dict[str, list[Captured]] = {}
    with watched(example) as lacks:
        for block in job.blocks:
            if not block.requests or repr(block.requests) in captured:
                continue
            try:
                captured[repr(block.requests)] = _capture(job, block)
            except SiteAppError as error:
                errors.append(error)
    if errors:
        # The build fails on these. Freezing would run the same views again, and
        # a view that raised would raise again: one problem, one traceback.
        errors += _writes(example, before)
        _fail(errors + _refused_writes(job, errors))
    pages = sorted(
        {
            c.request.path
            for answers in captured.values()
            for c in answers
            # A static host ignores a query string: such a page gets a preview of its own.
            if c.preview_body and c.response.status_code == 200 and "?" not in c.request.path
        }
    )
    frozen: Frozen | None = None
    destination = job.settings.cache_dir / "frozen" / example.name
    try:
        if example.settings.is_flask:
            with _isolated_app(job) as app:
                _at("freezing its pages", Location(example.display(example.app_file)))
                frozen = freeze(example, app, destination, pages)
        else:
            frozen = not_frozen(example, destination)
        _at("writing its download", Location(example.display(example.directory)))
        frozen = dataclasses.replace(frozen, download=download.write(example, frozen.directory))
    except SiteAppError as error:
        errors.append(error)
    errors += _writes(example, before)
    errors += _refused_writes(job, errors)
    if errors or frozen is None:
        _fail(errors)
    answers = {
        requests: [
            Shown(c.request, c.response, _preview(c, frozen, job.settings.examples_url))
            for c in found
        ]
        for requests, found in captured.items()
    }
    own = _own_pages(answers.values(), frozen, job.settings.examples_url)
    make_unfollowable_links_plain(frozen.directory, own)
    return Output(frozen, answers, imported_libraries(), tuple(lacks.values()))


def _own_pages(answers: Iterable[list[Shown]], frozen: Frozen, prefix: str) -> dict[str, str]:
    """Each preview copy (its path in the frozen folder) and the file its URL's page is, or
    would be: a link to that page from the preview leads to the preview."""
    base = f"{prefix}/{frozen.name}/"
    own = {}
    for shown in (shown for found in answers for shown in found):
        copy = (shown.preview or "").removeprefix(base)
        if posixpath.basename(copy).startswith("preview-"):
            page = frozen.files.get(shown.request.path) or _as_browser_sends(shown.request.path)
            own[copy] = page + "index.html" if page == "" or page.endswith("/") else page
    return own


def _fail(errors: list[SiteAppError]) -> NoReturn:
    # An import error repeats for every block: say it once.
    unique = {error.message: error for error in errors}
    raise BuildFailed(list(unique.values()))


def _refuse_links_out(example: Example) -> None:
    """A symbolic link out of the example would publish what it points at: stop."""
    links = example.links_out()
    if links:
        named = [f"{example.display(link.parent)}/{link.name}" for link in links]
        raise BuildFailed(
            [
                ExampleError(
                    f"example '{example.name}' holds symbolic link(s) leading outside its "
                    f"folder: {', '.join(named)}",
                    where=Location(named[0]),
                    fix="copy the file into the example instead of linking to it, or delete "
                    "the link",
                )
            ]
        )


def imported_libraries() -> tuple[tuple[str, str], ...]:
    """Every installed distribution with a module in ``sys.modules``, and its version.

    What an example's output depends on besides its own files: Flask, its
    extensions, the libraries its views call. Distributions installed but never
    imported (pytest in a tests environment, say) are not named.
    """
    owners = installed.distributions_of_modules()
    names = {
        distribution
        for module in list(sys.modules)
        if "." not in module
        for distribution in owners.get(module, ())
    }
    found = ((name, installed.version(name)) for name in sorted(names))
    return tuple((name, version) for name, version in found if version is not None)


def _snapshot(example: Example) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file of the example, and what sits beside it.

    Not the whole project: other tools (coverage, editors) write there while a build runs.
    """
    state = {
        path.relative_to(example.directory.parent).as_posix(): (
            path.stat().st_size,
            path.stat().st_mtime_ns,
        )
        for path in example.source_files()
    }
    # Beside it: the other entries of snippets/, and Flask's default instance
    # folder at the project root (where an app that ignores instance_path writes).
    snippets = example.directory.parent
    state.update({f"{snippets.name}/{entry}": (0, 0) for entry in os.listdir(snippets)})
    if (snippets.parent / "instance").exists():
        state["instance/"] = (0, 0)
    return state


def _writes(example: Example, before: dict[str, tuple[int, int]]) -> list[SiteAppError]:
    after = _snapshot(example)
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    # Coverage data files appear next to the project while other measured processes exit.
    ignored = ("__pycache__", ".cache", "/.coverage")
    changed = [name for name in changed if not any(part in name for part in ignored)]
    if not changed:
        return []
    return [
        ExampleError(
            f"example '{example.name}' wrote into the source tree: {', '.join(changed)}",
            where=Location(example.display(example.app_file)),
            fix="write files under app.instance_path (the build points it at a temporary "
            "folder), or use {instance} in [build.config] of example.toml",
        )
    ]


def _refused_writes(job: Job, errors: list[SiteAppError]) -> list[SiteAppError]:
    """What the guard refused, or a SQLite file outside that changed, which no error names
    yet (the example caught the refusal and went on, or the write did not raise)."""
    named = " ".join(error.message for error in errors)
    refused = [path for path in guard.refused() if path not in named]
    changed = [path for path in guard.changed() if path not in named]
    found = [
        what + ", ".join(job.settings.display(Path(path)) for path in paths)
        for what, paths in (
            ("tried to write outside its instance folder, and the build refused it: ", refused),
            ("changed a SQLite database outside its instance folder: ", changed),
        )
        if paths
    ]
    example = job.example
    return [
        ExampleError(
            f"example '{example.name}' {what}",
            where=Location(example.display(example.app_file)),
            fix="write files under app.instance_path (the build points it at a temporary "
            "folder), or use {instance} in [build.config] of example.toml",
        )
        for what in found
    ]


@contextmanager
def _isolated_app(job: Job) -> Iterator[Flask]:
    """A new app of the example, configured and set up, in a temporary instance folder
    of its own, the examples' modules imported afresh (:func:`isolated_modules`)."""
    example, settings = job.example, job.settings
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(
            prefix=f"{example.name}-instance-", dir=settings.cache_dir
        ) as instance,
        isolated_modules(settings.snippets_dir.name, settings.snippets_dir.parent),
    ):
        _at("importing it and creating its app", Location(example.display(example.app_file)))
        app = configured_app(example, Path(instance), settings)
        if example.settings.setup or example.settings.setup_python:
            commands = ", ".join(f"'flask {command}'" for command in example.settings.setup)
            steps = len(example.settings.setup_python)
            _at(
                f"running its setup ({commands or 'no commands'}"
                + (f", {steps} setup_python step(s))" if steps else ")"),
                Location(example.display(example.directory / "example.toml")),
            )
        run_setup(example, app)
        yield app


def _capture(job: Job, block: BlockRequests) -> list[Captured]:
    """Run one block's requests in order on one fresh app, with one client.

    Every block starts from the same seed, so what it shows does not depend on
    the blocks before it (and the in-browser runner, which runs one block, agrees).
    """
    example, settings = job.example, job.settings
    reproducible(job.name)
    answers: list[Captured] = []
    with contextlib.ExitStack() as stack:
        client: Client
        if example.settings.is_flask:
            client = FlaskTestClient(stack.enter_context(_isolated_app(job)), settings.answer_limit)
        else:
            stack.enter_context(
                isolated_modules(settings.snippets_dir.name, settings.snippets_dir.parent)
            )
            _at("importing it and creating its app", Location(example.display(example.app_file)))
            client = clients.connect(example, settings)
        # One client for the whole block, so cookies carry over.
        for index, request in enumerate(block.requests):
            request = _as_sent(block, index, example, client, request, answers)
            held = _cookies_of(client)
            response = _send(block, index, example, client, request)
            body = None
            # Only a Flask example is frozen, so only its pages and images get previews;
            # an answer over the limit gets none (it would be read whole to make one).
            whole = 0 < len(response.body) <= settings.answer_limit
            if isinstance(client, FlaskTestClient) and request.method == "GET" and whole:
                # A redirect's body is a stub whose link points at the live
                # app's root; the Location header says all there is to say.
                if response.is_html and not 300 <= response.status_code < 400:
                    body = _as_frozen(client, request, example, held)
                elif response.is_image and response.status_code == 200:
                    body = response.body
            answers.append(Captured(request, _bounded(response, settings.answer_limit), body))
    return answers


def _as_sent(
    block: BlockRequests,
    index: int,
    example: Example,
    client: Client,
    request: Request,
    before: list[Captured],
) -> Request:
    """The request as a browser would send it: files read, a submitted form filled in."""
    where = block.where(index)
    _refuse_flask_only(example, client, request, where)
    request = replace(request, files=tuple(_read_upload(example, u, where) for u in request.files))
    if request.submit is None:
        return request
    previous = _form_page(block, index, request, before)
    try:
        sent = submitted(
            previous.response.text,
            previous.request.path,
            request.submit.form,
            request.submit.fields,
            tuple(upload.field for upload in request.files),
            request.submit.novalidate,
        )
    except FormProblem as problem:
        raise RequestFailed(
            f"{request.label}: in the answer to {previous.request.label} "
            f"(line {block.request_lines[index - 1]}), {problem.what}",
            where=where,
            fix=problem.fix,
        ) from None
    return as_submitted(request, sent)


def _refuse_flask_only(example: Example, client: Client, request: Request, where: Location) -> None:
    """Uploads, submitted forms and the client's cookies need Flask's test client."""
    flask_only = [
        what
        for what, used in (
            ("'files'", request.files),
            ("'submit'", request.submit),
            ("show: [cookies]", request.shows_cookies),
        )
        if used
    ]
    if flask_only and not isinstance(client, FlaskTestClient):
        raise RequestFailed(
            f"{' and '.join(flask_only)} work(s) for Flask examples only; example "
            f"'{example.name}' is a {example.settings.framework} app",
            where=where,
            fix="send its form fields with 'form', or show the Set-Cookie header",
        )


def _form_page(
    block: BlockRequests, index: int, request: Request, before: list[Captured]
) -> Captured:
    """The answer whose form a ``submit`` posts: the block's previous one, an HTML page."""
    previous = before[-1] if before else None
    redirect = previous.response.header("Location") if previous else None
    if previous is not None and previous.response.is_html and not redirect:
        return previous
    got = (
        "it is the block's first request"
        if previous is None
        else f"the previous answer ({previous.request.label}, line "
        f"{block.request_lines[index - 1]}) "
        + (
            f"redirects to {redirect}"
            if redirect
            else f"is {previous.response.mimetype or 'empty'}, not an HTML page"
        )
    )
    raise RequestFailed(
        f"{request.label} posts a form of the previous HTML answer, but {got}",
        where=block.where(index),
        fix="first GET the page that holds the form, in the same block",
    )


def as_submitted(request: Request, sent: Submission) -> Request:
    """The request that sends ``sent``: its fields, the block's files, empty parts for the rest."""
    given = {upload.field: upload for upload in request.files}
    files = tuple(
        given[name] if chosen else Upload(name, "", "", EMPTY_FILE_TYPE)
        for name, chosen in sent.files
    )
    return replace(
        request,
        method=sent.method,
        path=sent.path,
        form=tuple(sent.fields),
        files=files,
        enctype=sent.enctype if sent.method == "POST" else "",
    )


def _read_upload(example: Example, upload: Upload, where: Location) -> Upload:
    """The upload with its content, read from the example's own file."""
    path = (example.directory / upload.source).resolve()
    if not path.is_relative_to(example.directory.resolve()):
        raise RequestFailed(
            f"the upload for field '{upload.field}' ({upload.source}) is outside example "
            f"'{example.name}'",
            where=where,
            fix="put the file in the example's folder and name it relative to that folder",
        )
    if not path.is_file():
        files = ", ".join(
            example.display(p) for p in example.source_files() if not p.name.endswith(".py")
        )
        raise RequestFailed(
            f"the upload for field '{upload.field}' names "
            f"{example.display(example.directory / upload.source)}, which does not exist",
            where=where,
            fix=f"add the file to the example, or name one it has ({files or 'none'})",
        )
    return replace(upload, content=path.read_bytes())


def _cookies_of(client: Client) -> dict[Any, Any] | None:
    """The cookies a Flask test client holds (Werkzeug keeps them in a private mapping)."""
    if isinstance(client, FlaskTestClient):
        return dict(client.client._cookies or {})
    return None


def _as_frozen(
    client: FlaskTestClient, request: Request, example: Example, held: dict[Any, Any] | None
) -> bytes:
    """The page as the freeze writes it: relative URLs, a complete document.

    The page is asked for again with the cookies the client held before the
    first time, so what the session carried (a flashed message, read once)
    shows in the preview too; then the client holds what the first answer left.
    """
    app, after = client.app, client.client._cookies
    previous = app.jinja_env.globals["url_for"]
    app.jinja_env.globals["url_for"] = relative_url_for
    client.client._cookies = dict(held or {})
    try:
        response, _ = perform(app, request, client.client)
    finally:
        app.jinja_env.globals["url_for"] = previous
        client.client._cookies = after
    return complete_document(response.body, f"{example.name}: {request.path}")


def _send(
    block: BlockRequests, index: int, example: Example, client: Client, request: Request
) -> Response:
    where = block.where(index)
    _at(f"answering {request.label}", where)
    try:
        response, raised = client.send(request)
    except Exception as exc:
        raise RequestFailed(
            f"{request.label} to example '{example.name}' raised {describe(exc)} "
            f"({where_in_example(example, exc)})",
            where=where,
            fix=_missing_tables(exc) or "fix the view, or remove the request",
        ) from exc
    if status_is_expected(request, response):
        return response
    expected = str(request.expected_status) if request.expected_status else "a 2xx status"
    because = ""
    if raised:
        because = (
            f"; the view raised {describe(raised[-1])} ({where_in_example(example, raised[-1])})"
        )
    elif response.header("Location"):
        because = f"; it redirects to {response.header('Location')}"
    raise RequestFailed(
        f"{request.label} to example '{example.name}' answered {response.status}, "
        f"expected {expected}{because}",
        where=where,
        fix=_missing_tables(raised[-1] if raised else None)
        or "fix the view, or if this status is what the page means to show, "
        + (
            f"add 'status: {response.status_code}' to its submit"
            if request.submit is not None
            else f"write the request as '{request.label} -> {response.status_code}'"
        ),
    )


def _missing_tables(exc: BaseException | None) -> str:
    """For an app whose tables were never made (SQLite says so): how to make them, unchanged."""
    if exc is None or "no such table" not in str(exc):
        return ""
    return (
        "make the app's tables before the requests, under [build] of its example.toml: "
        'setup = ["init-db"] runs its own flask command, and for an app with none, '
        'setup_python = ["db.create_all()"] runs Python in its module and app context'
    )


def _as_browser_sends(path: str) -> str:
    """A request path as a folder-relative name: its query cut, %-escapes, '.' and '..'
    resolved as a browser resolves them, control characters and backslashes dropped.

    A preview's name never comes from the raw path (a form's action is the app's to choose).
    """
    bare = path.split("?", 1)[0].split("#", 1)[0]
    segments = []
    for raw in bare.split("/"):  # a browser splits at '/', never at %2F
        segment = urllib.parse.unquote(raw)
        if segment not in (".", ".."):  # %2e spellings decode to dot segments too
            segment = "".join(c for c in segment if ord(c) >= 32 and c not in "\\\x7f")
            segment = segment.replace("/", "%2F")
        segments.append(segment)
    joined = "/".join(segments)
    resolved = posixpath.normpath("/" + joined).lstrip("/")
    return "" if resolved == "." else resolved + ("/" if joined.endswith("/") and resolved else "")


def _bounded(response: Response, limit: int) -> Response:
    """The answer as a page shows it: at most ``limit`` bytes, and a note when cut.

    A Flask example's answer arrives read no further than ``limit + 1`` bytes
    (:func:`~site_app.execute.capture.perform`): its size is its Content-Length
    when it sent one. The frozen page (if any) stays whole; only what the page
    shows, and what crosses back to the build, is bounded.
    """
    if len(response.body) <= limit:
        return response
    length = response.header("Content-Length") or ""
    size = int(length) if length.isdigit() and int(length) >= len(response.body) else None
    was = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
    note = f"\n[cut by the build: the answer was {was}; the page shows the first {limit:,}]\n"
    return replace(response, body=response.body[:limit] + note.encode())


def _preview(captured: Captured, frozen: Frozen, prefix: str) -> str | None:
    """Site path of a frozen file that shows exactly this answer, if it is a page."""
    if captured.preview_body is None:
        return None
    path = captured.request.path
    relative = frozen.files.get(path) if captured.response.status_code == 200 else None
    base = f"{prefix}/{frozen.name}/"
    if relative and (frozen.directory / relative).read_bytes() == captured.preview_body:
        return base + relative
    # An error page, or a page the block changed before this GET: keep its own
    # copy, in the same folder as the URL's page so relative links still work.
    folder = posixpath.dirname(relative or _as_browser_sends(path))
    digest = hashlib.sha256(captured.preview_body).hexdigest()[:12]
    # An HTML answer is an .html file whatever its URL ends in (a 404 page for /x.py).
    suffix = ".html" if captured.response.is_html else posixpath.splitext(relative or path)[1]
    suffix = suffix or ".html"
    name = posixpath.join(folder, f"preview-{digest}{suffix}")
    target = frozen.directory / name
    if not target.resolve().is_relative_to(frozen.directory.resolve()):  # pragma: no cover
        return None  # _as_browser_sends resolves every '..': a second lock on the door
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(captured.preview_body)
    return base + name
