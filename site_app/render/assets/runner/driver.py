"""Runs one example inside Pyodide, in the reader's browser, as the build runs it.

The worker imports this module once and calls :func:`run` for every click,
with the example's files and the block's requests as JSON. Each run writes
the files afresh, imports the example afresh, makes the app as the build does
(``create_app(test_config)`` or ``app``), runs the setup commands through
Flask's CLI, and sends the requests in order with one test client. The clock,
the random generators and the hash seed are fixed as in the build's workers,
so an unedited example answers with the same bytes the page shows.

A ``submit`` request posts the form of the previous HTML answer as a browser
would, filled in with ``_ffg_forms``, and ``show: [cookies]`` lists the cookies
the client holds with ``_ffg_cookies``: the build's own modules
(``site_app/execute/forms.py`` and ``cookies.py``), which the worker writes
next to this one, as it writes ``instance.py``, ``pinned.py``,
``django_send.py`` and ``shown.py``.

A Django example (``"framework": "django"``) runs as the build captures it
(site_app.execute.clients): its module configures Django, and the requests go
through ``django.test.Client``; see :func:`_run_django`.

An exception in the reader's code comes back as a short traceback whose
frames are the reader's own files (``snippets/NAME/app.py``, line N).
"""

from __future__ import annotations

import base64
import importlib
import inspect
import io
import json
import os
import random
import shlex
import shutil
import sys
import tempfile
import time
import traceback
from typing import Any

ROOT = "/home/pyodide/examples"  # holds snippets/<name>/, as the project does
TOP = "snippets"  # replaced by the job's "top"
REPRODUCIBLE_TIME = 1_767_225_600.0  # 2026-01-01T00:00:00Z, the build's clock

# Edited files must be read again on every run, never from a stale .pyc.
sys.dont_write_bytecode = True


def run(job_json: str) -> str:
    """Run one job; answer JSON: ``{"answers": [...]}`` or ``{"error": {...}}``."""
    job = json.loads(job_json)
    run_job = _run_django if job.get("framework") == "django" else _run_flask
    try:
        return json.dumps(run_job(job))
    except ReaderError as error:
        return json.dumps({"answers": error.answers, "error": error.report})


class ReaderError(Exception):
    """The reader's code failed: what to show instead of (or after) the answers."""

    def __init__(self, report: dict[str, Any], answers: list[dict[str, Any]]) -> None:
        super().__init__(report["message"])
        self.report = report
        self.answers = answers


def reproducible(seed: str) -> None:
    """The build's fixed clock and seeded randomness (site_app.execute.worker.reproducible)."""
    generator = random.Random(seed)
    os.urandom = generator.randbytes
    random._urandom = generator.randbytes  # type: ignore[attr-defined]  # what secrets reads
    random.seed(seed)
    time.time = lambda: REPRODUCIBLE_TIME
    time.time_ns = lambda: int(REPRODUCIBLE_TIME * 1e9)


def _run_flask(job: dict[str, Any]) -> dict[str, Any]:
    global TOP
    TOP = job.get("top") or TOP  # the project's examples folder, as the build names it
    name = job["example"]
    clock = time.perf_counter  # the real clock: reproducible() fixes time.time only
    started = clock()
    reproducible(name)
    _write_files(name, job["files"], job.get("mtimes") or {})
    _forget_examples()
    app, config = _configured_app(job["module"], job.get("config") or {}, name)
    app.config.update(config)
    imported = clock()
    _setup(app, job.get("setup") or [])
    _setup_python(app, job["module"], job.get("setup_python") or [])
    set_up = clock()
    client = app.test_client()
    answers: list[dict[str, Any]] = []
    for request in job.get("requests") or []:
        answers.append(_send(app, client, request, answers, name))
    return {
        "answers": answers,
        "hash_randomization": sys.flags.hash_randomization,
        "timings": {
            "import": (imported - started) * 1000,
            "setup": (set_up - imported) * 1000,
            "requests": (clock() - set_up) * 1000,
        },
    }


def _write_files(name: str, files: dict[str, Any], mtimes: dict[str, float]) -> None:
    """Write the example under ROOT/snippets/NAME/; ``mtimes`` (seconds) as the build saw them.

    Static files answer with Last-Modified and an ETag made from their mtime.
    """
    shutil.rmtree(ROOT, ignore_errors=True)
    package = os.path.join(ROOT, TOP)
    os.makedirs(os.path.join(package, name))
    with open(os.path.join(package, "__init__.py"), "w", encoding="utf-8"):
        pass
    for relative, content in sorted(files.items()):
        path = os.path.normpath(os.path.join(package, name, relative))
        if not path.startswith(os.path.join(package, name) + os.sep):
            raise ValueError(f"file {relative!r} is outside example {name!r}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, dict):
            with open(path, "wb") as file:
                file.write(base64.b64decode(content["base64"]))
        else:
            with open(path, "w", encoding="utf-8") as file:
                file.write(content)
        if relative in mtimes:
            os.utime(path, (mtimes[relative], mtimes[relative]))


def _forget_examples() -> None:
    """Import the example afresh: drop every module a previous run imported."""
    for module in [m for m in sys.modules if m == TOP or m.startswith(TOP + ".")]:
        del sys.modules[module]
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    importlib.invalidate_caches()


def _configured_app(
    module_name: str, values: dict[str, Any], name: str
) -> tuple[Any, dict[str, Any]]:
    """Import the example and make its app in a new instance folder; the app and its config.

    By the build's own rule (site_app/execute/instance.py, which the worker
    writes beside us): Flask finds the instance path while it makes the app,
    and a factory may use it at once; ``{instance}`` in ``values`` names it.
    """
    import _ffg_instance  # type: ignore[import-not-found]  # the worker writes it beside us
    import _ffg_pinned  # type: ignore[import-not-found]  # the worker writes it beside us
    from flask import Flask

    instance = tempfile.mkdtemp(prefix=f"{name}-instance-")
    config = _ffg_instance.config_for(values, instance)
    # The config's values stay whatever the app's own code sets, as in the build.
    with _ffg_instance.instance_folder(Flask, instance), _ffg_pinned.pinned_configs(Flask, config):
        return _app_of_module(module_name, config), config


def _app_of_module(module_name: str, config: dict[str, Any]) -> Any:
    """What the example's module gives, as in the build: ``create_app(config)``, else ``app``."""
    from flask import Flask

    try:
        module = importlib.import_module(module_name)
        factory = getattr(module, "create_app", None)
        if callable(factory):
            accepts_config = bool(inspect.signature(factory).parameters)
            app = factory(config or None) if accepts_config else factory()
        else:
            app = getattr(module, "app", None)
    except Exception as exc:
        raise ReaderError(_failure("importing the example failed", exc), []) from exc
    if not isinstance(app, Flask):
        what = "no app" if app is None else f"a {type(app).__name__}, not a Flask app"
        message = f"the example gave {what}: define app = Flask(...) or create_app()"
        raise ReaderError({"message": message, "traceback": "", "where": None}, [])
    return app


def _setup(app: Any, commands: list[str]) -> None:
    runner = app.test_cli_runner()
    for command in commands:
        result = runner.invoke(args=shlex.split(command))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise ReaderError(_failure(f"flask {command} failed", result.exception), [])
        if result.exit_code != 0:
            output = result.output.strip()
            message = f"flask {command} exited {result.exit_code}: {output or 'no output'}"
            raise ReaderError({"message": message, "traceback": output, "where": None}, [])


def _setup_python(app: Any, module_name: str, steps: list[str]) -> None:
    """The example's setup_python steps, as the build runs them (site_app.execute.load)."""
    module = sys.modules.get(module_name)
    for index, step in enumerate(steps, 1):
        names = {**vars(module), "app": app} if module is not None else {"app": app}
        try:
            with app.app_context():
                exec(compile(step, f"setup_python[{index}]", "exec"), names)
        except Exception as exc:
            raise ReaderError(_failure(f"setup step {index} failed", exc), []) from exc


def _submitted(request: dict[str, Any], answers: list[dict[str, Any]]) -> tuple[Any, ...]:
    """What a browser sends for a ``submit`` (the previous page's form), as the build sends it.

    The method, the path, the fields, each file input with the block's upload
    (None: an empty part) and the body's type ("" for a GET).
    """
    import _ffg_forms  # type: ignore[import-not-found]  # the worker writes it beside us

    submit = request["submit"]
    label = f"submit {submit.get('form') or 'the form'}"
    previous = answers[-1] if answers else None
    redirect = next(
        (value for key, value in (previous or {}).get("headers", []) if key.lower() == "location"),
        None,
    )
    if previous is None or previous["mimetype"] != "text/html" or redirect:
        got = (
            "it is the first request"
            if previous is None
            else f"the previous answer ({previous['method']} {previous['path']}) "
            + (f"redirects to {redirect}" if redirect else f"is {previous['mimetype'] or 'empty'}")
        )
        message = f"{label} posts a form of the previous HTML answer, but {got}"
        raise ReaderError({"message": message, "traceback": "", "where": None}, answers)
    fields = tuple((name, value) for name, value in submit.get("fields") or [])
    uploads = tuple(upload["field"] for upload in request.get("files") or [])
    try:
        sent = _ffg_forms.submitted(
            previous["body"] or "",
            previous["path"],
            submit.get("form"),
            fields,
            uploads,
            bool(submit.get("novalidate")),
        )
    except _ffg_forms.FormProblem as problem:
        message = f"{label}: {problem.what}; {problem.fix}"
        raise ReaderError({"message": message, "traceback": "", "where": None}, answers) from None
    given = {upload["field"]: upload for upload in request.get("files") or []}
    files = [(field, given[field] if chosen else None) for field, chosen in sent.files]
    enctype = sent.enctype if sent.method == "POST" else ""
    return sent.method, sent.path, sent.fields, files, enctype


def _upload(name: str, upload: dict[str, Any]) -> Any:
    """A file the request sends, read from the example as the reader left it."""
    from werkzeug.datastructures import FileStorage

    path = os.path.join(ROOT, TOP, name, upload["source"])
    with open(path, "rb") as file:
        content = file.read()
    return FileStorage(
        io.BytesIO(content),
        filename=upload["filename"],
        name=upload["field"],
        content_type=upload["content_type"],
    )


def _empty_part(field: str) -> Any:
    """A file input left empty, as a browser sends it: no name, no bytes."""
    from werkzeug.datastructures import FileStorage

    return FileStorage(
        io.BytesIO(b""), filename="", name=field, content_type="application/octet-stream"
    )


def _send(
    app: Any, client: Any, request: dict[str, Any], answers: list[dict[str, Any]], name: str = ""
) -> dict[str, Any]:
    from flask import got_request_exception

    method, path, options = _request_options(request, answers, name)
    expected = request.get("status")
    raised: list[BaseException] = []

    def record(sender: Any, exception: BaseException, **extra: Any) -> None:
        raised.append(exception)

    # A page that means to show a 5xx does not print the error's traceback (as the build).
    was_disabled = app.logger.disabled
    app.logger.disabled = was_disabled or (expected or 0) >= 500
    got_request_exception.connect(record, app, weak=False)
    try:
        answer = client.open(path, **options)
    except Exception as exc:
        raise ReaderError(_failure(f"{method} {path} raised", exc), answers) from exc
    finally:
        got_request_exception.disconnect(record, app)
        app.logger.disabled = was_disabled
    try:
        body = answer.get_data()
        result = {
            "method": method,
            "path": path,
            "status_code": answer.status_code,
            "status": answer.status,
            "content_type": answer.content_type or "",
            "mimetype": answer.mimetype or "",
            "headers": [[key, value] for key, value in answer.headers.items()],
            "expected_status": expected,
            "expected": answer.status_code == expected
            if expected is not None
            else 200 <= answer.status_code < 300,
            "raised": [_failure(f"{method} {path} raised", exc) for exc in raised],
        }
        if any(name.lower() == "cookies" for name in request.get("show") or []):
            import _ffg_cookies  # type: ignore[import-not-found]  # the worker writes it beside us

            result["cookies"] = list(_ffg_cookies.held_cookies(client))
    finally:
        answer.close()
    _as_shown(result, body)
    return result


def _request_options(
    request: dict[str, Any], answers: list[dict[str, Any]], name: str
) -> tuple[str, str, dict[str, Any]]:
    """The method, the path and the test client's options for one request of the job."""
    from werkzeug.datastructures import MultiDict

    method, path, form = request["method"], request["path"], request.get("form") or []
    files = [(upload["field"], upload) for upload in request.get("files") or []]
    enctype = ""
    if request.get("submit") is not None:
        method, path, form, files, enctype = _submitted(request, answers)
    options: dict[str, Any] = {"method": method}
    if enctype:  # a submitted form says its type even with no field or no file, as a browser does
        options["content_type"] = enctype
    if request.get("json") is not None:
        # JSON text as Python writes it: a page may send NaN, which JavaScript cannot hold.
        options["json"] = json.loads(request["json"])
    if form or files:
        # A name given twice (two ticked checkboxes) is sent twice, as a browser sends it.
        data: MultiDict[str, Any] = MultiDict([tuple(pair) for pair in form])
        for field, upload in files:
            data.add(field, _upload(name, upload) if upload else _empty_part(field))
        options["data"] = data
    if request.get("headers"):
        options["headers"] = [tuple(pair) for pair in request["headers"]]
    return method, path, options


# --- Django examples ----------------------------------------------------------------------


def _run_django(job: dict[str, Any]) -> dict[str, Any]:
    """Run a Django example's block as the build does (site_app.execute.clients.connect)."""
    global TOP
    TOP = job.get("top") or TOP
    name = job["example"]
    clock = time.perf_counter
    started = clock()
    reproducible(name)
    _write_files(name, job["files"], job.get("mtimes") or {})
    _forget_examples()
    _forget_django()
    client = _django_client(job["module"])
    imported = clock()
    answers: list[dict[str, Any]] = []
    for request in job.get("requests") or []:
        answers.append(_send_django(client, request, answers))
    return {
        "answers": answers,
        "hash_randomization": sys.flags.hash_randomization,
        "timings": {
            "import": (imported - started) * 1000,
            "setup": 0.0,
            "requests": (clock() - imported) * 1000,
        },
    }


def _forget_django() -> None:
    """Import Django afresh, as a new process would.

    Django keeps what the example configured in module globals: the settings
    (configurable once per process), the app registry, the URL resolvers, the
    template engines, the database connections and caches. An edited example
    may configure them differently, so every run drops Django's modules and
    imports them again; asgiref and sqlparse hold no Django state and stay.
    Resetting only ``settings._wrapped`` and the app registry re-runs about
    twenty times faster (some 60 ms against 1.3 s under Node), but keeps the
    rest: a locmem cache's entries, Django's caches of values read from
    settings, receivers a previous import connected.
    """
    for module in [m for m in sys.modules if m == "django" or m.startswith("django.")]:
        del sys.modules[module]


def _django_client(module_name: str) -> Any:
    """Import the example, check its settings, set Django up: a ``django.test.Client``."""
    try:
        importlib.import_module(module_name)
    except Exception as exc:
        raise ReaderError(_failure("importing the example failed", exc), []) from exc
    # Imported by name, as site_app.execute.clients does: the build's own checks
    # (mypy included) run without Django installed.
    settings = importlib.import_module("django.conf").settings
    problem = None
    if not settings.configured:
        problem = (
            "the example does not configure Django: call "
            "settings.configure(ROOT_URLCONF=__name__, ...) in it, "
            "guarded by `if not settings.configured:`"
        )
    elif getattr(settings, "ROOT_URLCONF", None) != module_name:
        problem = (
            f"the example sets ROOT_URLCONF to {getattr(settings, 'ROOT_URLCONF', None)!r}, "
            f"not to its own module {module_name!r}: pass ROOT_URLCONF=__name__ to "
            "settings.configure() and define urlpatterns in it"
        )
    if problem is not None:
        raise ReaderError({"message": problem, "traceback": "", "where": None}, [])
    try:
        importlib.import_module("django").setup()
        # A fresh import of the example must be the URLconf (as the build's DjangoTestClient).
        importlib.import_module("django.urls").clear_url_caches()
        client_class = importlib.import_module("django.test").Client
    except Exception as exc:
        raise ReaderError(_failure("setting up Django failed", exc), []) from exc
    return client_class(raise_request_exception=True)


def _send_django(
    client: Any, request: dict[str, Any], answers: list[dict[str, Any]]
) -> dict[str, Any]:
    """One request through ``django.test.Client``, answered as :func:`_send` answers.

    Sent and read by the build's own ``execute/django_send.py`` (which the worker writes
    beside us); a view's exception is raised, as there.
    """
    import _ffg_django_send  # type: ignore[import-not-found]  # the worker writes it beside us
    from werkzeug.http import HTTP_STATUS_CODES

    method, path = request["method"], request["path"]
    body_json = None if request.get("json") is None else json.loads(request["json"])
    form = [tuple(pair) for pair in request.get("form") or []]
    headers = [tuple(pair) for pair in request.get("headers") or []]
    try:
        code, content_type, pairs, body = _ffg_django_send.send(
            client, method, path, body_json, form, headers
        )
    except Exception as exc:
        raise ReaderError(_failure(f"{method} {path} raised", exc), answers) from exc
    expected = request.get("status")
    result: dict[str, Any] = {
        "method": method,
        "path": path,
        "status_code": code,
        # Werkzeug's status texts, as the build's status_line() writes every framework's.
        "status": f"{code} {HTTP_STATUS_CODES.get(code, 'unknown').upper()}",
        "content_type": content_type,
        "mimetype": content_type.split(";", 1)[0].strip().lower(),
        "headers": [[key, value] for key, value in pairs],
        "expected_status": expected,
        "expected": code == expected if expected is not None else 200 <= code < 300,
        "raised": [],
    }
    _as_shown(result, body)
    return result


def _as_shown(result: dict[str, Any], body: bytes) -> None:
    """The body as sent (base64 when it is not UTF-8), and the body and headers as a page
    shows them, by the build's own rules (site_app/shown.py, which the worker writes beside
    us): JSON indented, Allow sorted; no text for an image."""
    import _ffg_shown  # type: ignore[import-not-found]

    try:
        result["body"] = body.decode("utf-8")
    except UnicodeDecodeError:
        result["body"] = None
        result["body_base64"] = base64.b64encode(body).decode("ascii")
    mimetype = result["mimetype"]
    image = mimetype.startswith("image/")
    result["pretty"] = None if image else _ffg_shown.pretty_body(mimetype, body)
    result["shown_headers"] = [
        [key, _ffg_shown.shown_value(key, value)] for key, value in result["headers"]
    ]


def _ours(filename: str) -> bool:
    return filename.startswith(os.path.join(ROOT, TOP) + os.sep)


def _shown(filename: str) -> str:
    return filename[len(ROOT) + 1 :] if _ours(filename) else filename


def _failure(what: str, exc: BaseException) -> dict[str, Any]:
    """A readable traceback: the reader's own frames, then the exception."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [frame for frame in frames if _ours(frame.filename)]
    # No frame of theirs (a mistake Flask itself caught): the innermost frames say most.
    kept = mine or list(frames)[-3:]
    summary = traceback.StackSummary.from_list(
        [(_shown(f.filename), f.lineno or 0, f.name, f.line) for f in kept]
    )
    where = None
    if isinstance(exc, SyntaxError) and exc.filename and _ours(exc.filename):
        where = f"{_shown(exc.filename)}:{exc.lineno}"
    elif mine:
        where = f"{_shown(mine[-1].filename)}:{mine[-1].lineno}"
    text = "Traceback (most recent call last):\n" if kept else ""
    text += "".join(summary.format())
    text += "".join(traceback.format_exception_only(type(exc), exc))
    text = text.replace(ROOT + os.sep, "")
    exception = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    exception = exception.replace(ROOT + os.sep, "").splitlines()[-1]
    message = f"{what}: {exception}" + (f" ({where})" if where else "")
    return {"message": message, "traceback": text, "where": where}
