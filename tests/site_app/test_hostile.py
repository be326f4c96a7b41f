"""Hostile and broken examples, built in this process: each is stopped with the
page line (or the example's file) and a fix, or is kept to what it may do.

Every case is an input a hostile or careless contributor could send in a pull
request; none is in tests/build/test_bad_inputs.py. The builds that must run
as a contributor runs them (a real ``mkdocs build``) are in
tests/build/test_hostile_builds.py.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from site_app.errors import BuildFailed, SiteAppError
from site_app.orchestrate import pool, sandbox

PAGE = "```flask-example\nexample: {name}\nrequests:\n{requests}\n```\n"
HEAD = "import os, sys, signal, time, threading, subprocess\nfrom flask import Flask\napp = Flask(__name__)\n"

contained = pytest.mark.skipif(
    not sandbox.bubblewrap_works(), reason="this machine does not allow user namespaces"
)
fake_clock = pytest.mark.skipif(
    sandbox.faketime_library() is None, reason="libfaketime is not installed"
)


def view(body: str, route: str = "/") -> str:
    """An app whose one view runs ``body``."""
    return (
        HEAD
        + f"\n@app.get({route!r})\ndef index():\n"
        + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
        + "\n"
    )


@dataclass
class Case:
    name: str
    app: str
    where: str  # the place the error names
    what: str  # in its message
    fix: str  # in its fix
    requests: str = "  - GET /"
    files: dict[str, str] = field(default_factory=dict)
    options: dict[str, object] = field(default_factory=dict)


def failure(project, case: Case):
    project.example(case.name, {"app.py": case.app, **case.files})
    pages = {"a.md": PAGE.format(name=case.name, requests=case.requests)}
    with pytest.raises(SiteAppError) as caught:
        project.builder(**case.options).build(pages)
    return getattr(caught.value, "errors", [caught.value])


BLAMED = [
    Case(
        "exits_in_view",
        view("sys.exit(3)"),
        "a.md:4",
        "example 'exits_in_view' raised SystemExit: 3 while answering GET / "
        "(snippets/exits_in_view/app.py:7)",
        "instead of calling sys.exit()",
    ),
    Case(
        "exits_at_import",
        HEAD + "raise SystemExit\n",
        "snippets/exits_at_import/app.py",
        "raised SystemExit while importing it and creating its app "
        "(snippets/exits_at_import/app.py:4)",
        "must not end its process",
    ),
    Case(
        "interrupts_itself",
        view("raise KeyboardInterrupt"),
        "a.md:4",
        "raised KeyboardInterrupt while answering GET /",
        "raise Exception subclasses only",
    ),
    Case(
        "base_exception",
        HEAD
        + "class Odd(BaseException):\n    pass\n"
        + view("raise Odd('odd')").split("app = Flask(__name__)\n", 1)[1],
        "a.md:4",
        "raised Odd: odd while answering GET /",
        "raise Exception subclasses only",
    ),
    Case(
        "underscore_exit",
        view("os._exit(0)"),
        "a.md:4",
        "example 'underscore_exit' ended its worker process (exited with code 0) while it "
        "was answering GET /",
        "must not end its process (os._exit()",
    ),
    Case(
        "kills_itself",
        view("os.kill(os.getpid(), signal.SIGKILL)"),
        "a.md:4",
        "ended its worker process (killed by SIGKILL) while it was answering GET /",
        "return an error response instead",
    ),
    Case(
        "own_alarm",
        view("signal.alarm(1)\nthreading.Event().wait(30)\nreturn 'late'"),
        "a.md:4",
        "was ended by its own alarm (SIGALRM, from signal.alarm() or setitimer()) while it "
        "was answering GET /",
        "do not set alarms in an example",
    ),
    Case(
        "own_alarm_at_import",
        HEAD + "signal.alarm(1)\nthreading.Event().wait(30)\n",
        "snippets/own_alarm_at_import/app.py",
        "was ended by its own alarm (SIGALRM, from signal.alarm() or setitimer()) while it "
        "was importing it and creating its app",
        "do not set alarms",
    ),
    Case(
        "sleeps",
        view("threading.Event().wait(600)\nreturn 'late'"),
        "a.md:4",
        # 1 s of CPU time allowed, so 3 s of wall-clock time (short_wall_clock, below)
        "example 'sleeps' did not finish within 3 s of wall-clock time: "
        "it was still answering GET /",
        "look for a sleep, a lock or a blocking call",
        options={"timeout": 1},
    ),
    Case(
        "refused_result",
        HEAD + "class Loud(str):\n    pass\n\n@app.get('/')\ndef index():\n"
        "    return 'hi', {'X-Loud': Loud('yes')}\n",
        "snippets/refused_result",
        "gave back a result the build does not load (PicklingError: Can't pickle <class "
        "'snippets.refused_result.app.Loud'>",
        "headers are plain strings",
        requests="  - GET /\n  - GET /",
    ),
]

PATHS = [
    Case(
        "dot_dot",
        view("return 'x'"),
        "a.md:4",
        "write the path it sends: /x",
        "METHOD /path",
        requests="  - GET /../../x",
    ),
    Case(
        "encoded_dot_dot",
        view("return 'x'"),
        "a.md:4",
        "(maybe %-encoded)",
        "METHOD /path",
        requests="  - GET /a/%2e%2e/%2E%2E/x",
    ),
    Case(
        "single_dot",
        view("return 'x'"),
        "a.md:4",
        "write the path it sends: /a/",
        "METHOD /path",
        requests="  - GET /a/./",
    ),
    Case(
        "nul",
        view("return 'x'"),
        "a.md:4",
        "holds a control character",
        "METHOD /path",
        requests="  - GET /x%00y",
    ),
    Case(
        "newline",
        view("return 'x'"),
        "a.md:4",
        "holds a control character",
        "METHOD /path",
        requests="  - GET /x%0d%0aSet-Cookie:%20a=b",
    ),
    Case(
        "other_host",
        view("return 'x'"),
        "a.md:4",
        "starts with '//', which a browser reads as another host (127.0.0.1:18765)",
        "METHOD /path",
        requests="  - GET //127.0.0.1:18765/x",
    ),
    Case(
        "alias_bomb",
        view("return 'x'"),
        "a.md:",
        "a YAML alias (*name) repeats an anchored value",
        "anchors (&name) and aliases (*name) have no place in a block",
        requests="  - GET /\nbomb:\n"
        + "".join(
            f"  - &l{i} [{', '.join([f'*l{i - 1}' if i else 'x'] * 9)}]\n" for i in range(10)
        ).rstrip("\n"),
    ),
    Case(
        "one_alias",
        view("return 'x'"),
        "a.md:",
        "a YAML alias (*name) repeats an anchored value",
        "have no place in a block",
        requests="  - &get GET /\n  - *get",
    ),
]

FILES = [
    Case(
        "bad_env_name",
        view("return 'x'"),
        "snippets/bad_env_name/example.toml",
        "build.env holds '1BAD', which is not the name of a variable",
        'env = ["MY_API_BASE"]',
        files={"example.toml": '[build]\nenv = ["1BAD"]\n'},
    ),
    Case(
        "env_not_a_list",
        view("return 'x'"),
        "snippets/env_not_a_list/example.toml",
        "build.env must be a list of strings",
        'write env = ["..."]',
        files={"example.toml": '[build]\nenv = "HOME"\n'},
    ),
]

CASES = BLAMED + PATHS + FILES


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_hostile_example_is_stopped_with_its_place_and_a_fix(project, case, short_wall_clock):
    errors = failure(project, case)
    assert any(str(e.where).startswith(case.where) for e in errors), [e.message for e in errors]
    (error,) = [e for e in errors if case.what in e.what] or [None]
    assert error is not None, [e.message for e in errors]
    assert case.fix in error.fix


def _link(project, name: str, target: Path, link: str = "data.txt") -> None:
    project.example(name, {"app.py": view("return 'x'")})
    os.symlink(target, project.snippets / name / link)


@pytest.mark.parametrize(
    "target",
    ["file", "folder", "nowhere"],
)
def test_a_symlink_out_of_the_example_is_an_error_naming_the_link(project, tmp_path, target):
    outside = {
        "file": tmp_path / "secret.txt",
        "folder": tmp_path,
        "nowhere": Path("/nonexistent/x"),
    }
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    _link(project, "linker", outside[target])
    with pytest.raises(BuildFailed) as caught:
        project.builder().build({"a.md": PAGE.format(name="linker", requests="  - GET /")})
    (error,) = caught.value.errors
    assert str(error.where) == "snippets/linker/data.txt"
    assert (
        "holds symbolic link(s) leading outside its folder: snippets/linker/data.txt" in error.what
    )
    assert "copy the file into the example" in error.fix


def test_a_symlink_inside_the_example_is_one_of_its_files(project):
    project.example("inner", {"app.py": view("return 'x'"), "notes.txt": "mine"})
    os.symlink("notes.txt", project.snippets / "inner" / "alias.txt")
    from site_app.author.discover import discover

    (example,) = discover(project.snippets).values()
    assert [p.name for p in example.source_files()] == [
        "__init__.py",
        "alias.txt",
        "app.py",
        "notes.txt",
    ]
    assert example.links_out() == []


def _answers(project, name: str, app: str, requests: str = "  - GET /", **options):
    project.example(name, {"app.py": app})
    result = project.builder(**options).build({"a.md": PAGE.format(name=name, requests=requests)})
    return [a.response.text for block in result.blocks.values() for a in block.answers]


def test_variables_of_the_build_stay_out_but_those_example_toml_passes(project, monkeypatch):
    monkeypatch.setenv("HOSTILE_SECRET_TOKEN", "ghp_hostile0secret")
    monkeypatch.setenv("HOSTILE_API_BASE", "https://api.invalid/")
    project.example("env", {"example.toml": '[build]\nenv = ["HOSTILE_API_BASE"]\n'})
    (text,) = _answers(project, "env", view("return repr(sorted(os.environ.items()))"))
    assert "ghp_hostile0secret" not in text
    assert "('HOSTILE_API_BASE', 'https://api.invalid/')" in text


@contained
def test_an_example_gets_a_home_and_a_temporary_folder_of_its_own(project):
    (text,) = _answers(
        project,
        "home",
        view("import tempfile\nreturn os.environ['HOME'] + ' ' + tempfile.gettempdir()"),
        contain=True,
    )
    home, tmp = (Path(p) for p in text.split())
    cache = (project.root / ".cache").resolve()
    assert home.is_relative_to(cache)
    assert tmp.is_relative_to(cache)
    assert home.name == "home"
    assert tmp.name == "tmp"
    assert not home.exists()  # removed when the example ended


@fake_clock
def test_sqlite_a_subprocess_and_python_read_the_builds_fixed_clock(project):
    (text,) = _answers(
        project,
        "clock",
        view(
            "import sqlite3, datetime\n"
            "db = sqlite3.connect(':memory:').execute('select CURRENT_TIMESTAMP').fetchone()[0]\n"
            "date = subprocess.run(['date', '-u', '+%F %T'], capture_output=True, text=True).stdout\n"
            "time.sleep(0.01)\n"
            "return f'{db}|{date.strip()}|{datetime.datetime.now(datetime.timezone.utc):%F %T}'"
        ),
    )
    assert text == "2026-01-01 00:00:00|2026-01-01 00:00:00|2026-01-01 00:00:00"


@fake_clock
def test_libfaketime_fails_pythons_sleep_when_the_monotonic_clock_is_real():
    """The upstream behaviour the worker's own sleep works around (libfaketime 0.9.10)."""
    env = {
        "LD_PRELOAD": sandbox.faketime_library(),
        **sandbox.FAKETIME_SETTINGS,
        "PATH": os.environ["PATH"],
    }
    done = subprocess.run(
        [sys.executable, "-c", "import time; time.sleep(0.01)"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert "OSError: [Errno 22] Invalid argument" in done.stderr


TWO_BUSY_THREADS = """
import threading, time
def work():
    n = 0
    for i in range(2_000_000):
        n += i
threads = [threading.Thread(target=work) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(time.process_time())
"""


def _cpu_of_two_busy_threads(env: dict[str, str]) -> float:
    done = subprocess.run(
        [sys.executable, "-c", TWO_BUSY_THREADS],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout)


TIMED_WAITS = """
import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
class timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]
attr, cond, mutex = (ctypes.create_string_buffer(128) for _ in range(3))
assert libc.pthread_condattr_init(attr) == 0
assert libc.pthread_condattr_setclock(attr, time.CLOCK_MONOTONIC) == 0
assert libc.pthread_cond_init(cond, attr) == 0
assert libc.pthread_mutex_init(mutex, None) == 0
assert libc.pthread_mutex_lock(mutex) == 0
waited = []
for _ in range(20):
    deadline = time.clock_gettime(time.CLOCK_MONOTONIC) + 0.2
    until = timespec(int(deadline), int(deadline % 1 * 1e9))
    started = time.monotonic()
    assert libc.pthread_cond_timedwait(cond, mutex, ctypes.byref(until)) == 110  # ETIMEDOUT
    waited.append(time.monotonic() - started)
    if waited[-1] >= 0.2:
        break
print(len(waited), sum(waited))
"""


def _timed_waits(env: dict[str, str]) -> tuple[int, float]:
    """Waits of 0.2 s on a condition timed by the monotonic clock, as CPython's GIL
    waits: how many ran (up to 20, until one lasted its 0.2 s) and their total."""
    done = subprocess.run(
        [sys.executable, "-c", TIMED_WAITS],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=True,
    )
    count, total = done.stdout.split()
    return int(count), float(total)


@fake_clock
def test_libfaketime_ends_a_monotonic_timed_wait_at_once_unless_told_how_long_to_wait():
    """The upstream behaviour FAKETIME_WAIT_MS works around (libfaketime 0.9.10).

    With the wall clock fixed and the monotonic one real, pthread_cond_timedwait
    on a monotonic condition returns at once, timed out; CPython's GIL waits on
    such a condition, so a thread that wants the GIL spins. FAKETIME_WAIT_MS makes
    each such wait last that many real milliseconds. Wall-clock time, but no load
    makes a wait end before its time: only the one that returns at once is short.
    """
    settings = {"LD_PRELOAD": sandbox.faketime_library(), **sandbox.FAKETIME_SETTINGS}
    without_wait = {k: v for k, v in settings.items() if k != "FAKETIME_WAIT_MS"}
    assert _timed_waits({})[0] == 1  # a real wait lasts its 0.2 s
    told_count, told = _timed_waits(settings)
    at_once_count, at_once = _timed_waits(without_wait)
    assert told_count == at_once_count == 20  # none of them waited the 0.2 s asked
    assert told >= 20 * 0.005  # each waited FAKETIME_WAIT_MS (5 ms)
    assert at_once < told / 2, (at_once, told)


@fake_clock
def test_two_busy_threads_cost_what_they_cost_without_libfaketime_under_the_workers_settings():
    """CPU time, which load barely moves: two CPU-bound threads take turns holding the
    GIL. Without FAKETIME_WAIT_MS they took 3 to 6 times as long here."""
    settings = {"LD_PRELOAD": sandbox.faketime_library(), **sandbox.FAKETIME_SETTINGS}
    plain = _cpu_of_two_busy_threads({})
    worker = _cpu_of_two_busy_threads(settings)
    assert worker < 2 * plain, (worker, plain)


def test_a_sleeper_within_the_wall_clock_ceiling_passes_the_cpu_limit(project, short_wall_clock):
    """One second of CPU time allowed, 1.5 s of sleep (the ceiling: 3 s): a pause is no loop."""
    (text,) = _answers(
        project, "naps", view("threading.Event().wait(1.5)\nreturn 'rested'"), timeout=1
    )
    assert text == "rested"


def test_an_answer_over_the_limit_is_cut_with_a_note(project):
    (text,) = _answers(project, "big", view("return 'a' * 3_000_000"), answer_limit=1000)
    assert (
        text
        == "a" * 1000
        + "\n[cut by the build: the answer was 3,000,000 bytes; the page shows the first 1,000]\n"
    )


STREAMER = (
    HEAD
    + """
from flask import Response
pulled = []


@app.get("/stream/<int:chunks>")
def stream(chunks):
    def body():
        for _ in range(chunks):
            pulled.append(1)
            yield b"a" * 1000

    return Response(body(), mimetype="text/plain")


@app.get("/pulled")
def count():
    return str(len(pulled))
"""
)


def test_a_streamed_answer_is_read_no_further_than_the_limit(project):
    """The build's memory stays bounded: of 1,000 chunks, it asks the app for three."""
    answers = _answers(
        project,
        "streams",
        STREAMER,
        requests="  - GET /stream/1000\n  - GET /pulled",
        answer_limit=2500,
    )
    assert answers == [
        "a"
        * 2500
        + "\n[cut by the build: the answer was more than 2,500 bytes; the page shows the first "
        "2,500]\n",
        "3",
    ]


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize(
    "spawn",
    [
        # a sleeper in a session of its own
        "p = subprocess.Popen(['sleep', '600'], start_new_session=True)\npids = [p.pid]",
        # a grandchild whose parent exits at once (a daemon's double fork)
        "p = subprocess.Popen(['sh', '-c', 'setsid sleep 600 & echo $!'], stdout=subprocess.PIPE, text=True)\n"
        "pids = [int(p.stdout.readline())]",
        # a child forked at import would be the same as one forked here: both are the worker's
        "pid = os.fork()\nif pid == 0:\n    threading.Event().wait(600)\n    os._exit(0)\npids = [pid]",
    ],
    ids=["own-session", "double-fork", "fork"],
)
def test_nothing_an_example_starts_outlives_it(project, spawn):
    (text,) = _answers(project, "spawner", view(spawn + "\nreturn ' '.join(map(str, pids))"))
    pids = [int(pid) for pid in text.split()]
    assert pids
    assert all(_gone(pid) for pid in pids), [
        psutil.Process(p).cmdline() for p in pids if not _gone(p)
    ]


# Both ways a worker is kept to its folders: bubblewrap where the machine allows
# it, and the worker's own guard alone (the plugin's `contain: false`, or no bubblewrap).
MODES = [
    pytest.param({"contain": True}, id="bubblewrap", marks=contained),
    pytest.param({"contain": False}, id="guard-only"),
]
WRITER = (
    HEAD + "from pathlib import Path\nimport sqlite3\nROOT = Path(__file__).resolve().parents[2]\n"
)


def _project_files(project) -> dict[str, bytes]:
    return {
        p.relative_to(project.root).as_posix(): p.read_bytes() if p.is_file() else b"/"
        for p in project.root.rglob("*")
        if ".cache" not in p.parts
    }


def _writer(project, write: str, options: dict[str, object]):
    """Build an example whose view runs ``write``; the build's errors, and whether the
    project (all but the cache) is byte for byte what it was."""
    (project.root / "site").mkdir()
    (project.root / "site" / "index.html").write_text("<p>the last good site</p>")
    (project.root / "docs").mkdir()
    (project.root / "docs" / "index.md").write_text("# Kept\n")
    app = WRITER + view(write + "\nreturn 'x'").split("app = Flask(__name__)\n", 1)[1]
    project.example("writes", {"app.py": app})
    before = _project_files(project)
    errors = failure(project, Case("writes", app, "a.md:4", "", "", options=options))
    return errors, _project_files(project) == before


@pytest.mark.parametrize("options", MODES)
@pytest.mark.parametrize(
    ("write", "named"),
    [
        ("open(ROOT / 'site' / 'injected.html', 'w')", "site/injected.html"),
        ("(ROOT / 'site' / 'index.html').write_text('defaced')", "site/index.html"),
        ("open(ROOT / 'docs' / 'index.md', 'w')", "docs/index.md"),
        ("os.remove(ROOT / 'docs' / 'index.md')", "docs/index.md"),
        (
            "folder = os.open(ROOT / 'docs', os.O_RDONLY)\nos.rename('index.md', 'gone.md', "
            "src_dir_fd=folder, dst_dir_fd=folder)",
            "docs/index.md",
        ),
        ("os.chdir(ROOT)\nopen('left-behind.txt', 'w')", "left-behind.txt"),
        (
            "open(os.path.join(app.instance_path, '..', '..', 'escaped.txt'), 'w')",
            "escaped.txt",
        ),
        ("open(Path(__file__).parent / 'log.txt', 'w')", "snippets/writes/log.txt"),
        ("open('/tmp/hostile-example-write.txt', 'w')", "/tmp/hostile-example-write.txt"),
        ("sqlite3.connect(ROOT / 'made.db').execute('create table t (x)')", "made.db"),
    ],
    ids=[
        "site",
        "site-page",
        "docs",
        "docs-removed",
        "docs-renamed-by-descriptor",
        "chdir",
        "dot-dot",
        "own-folder",
        "tmp",
        "sqlite",
    ],
)
def test_a_write_outside_the_instance_folder_fails_naming_the_file(project, write, named, options):
    errors, unchanged = _writer(project, write, options)
    assert any(
        named in e.what
        and "outside its instance folder, which the build's sandbox refused" in e.what
        for e in errors
    ), [e.message for e in errors]
    assert unchanged


@pytest.mark.parametrize("options", MODES)
def test_a_refused_write_fails_the_build_even_when_the_example_catches_it(project, options):
    errors, unchanged = _writer(
        project,
        "try:\n    open(ROOT / 'docs' / 'index.md', 'w')\nexcept OSError:\n    pass",
        options,
    )
    assert [e.what for e in errors] == [
        "example 'writes' tried to write outside its instance folder, and the build refused "
        "it: docs/index.md"
    ]
    assert str(errors[0].where) == "snippets/writes/app.py"
    assert "app.instance_path" in errors[0].fix
    assert unchanged


def test_without_bubblewrap_a_changed_sqlite_file_outside_is_named(project):
    """SQLite writes in C, past the guard: reading a database is allowed, a change is named."""
    sqlite3.connect(project.root / "data.db").execute("create table t (x)").connection.close()
    errors, _ = _writer(
        project,
        "read = sqlite3.connect(f'file:{ROOT / \"data.db\"}?mode=ro', uri=True)\n"
        "read.execute('select count(*) from t').fetchone()\n"
        "db = sqlite3.connect(ROOT / 'data.db')\ndb.execute('insert into t values (1)')\ndb.commit()",
        {"contain": False},
    )
    assert [e.what for e in errors] == [
        "example 'writes' changed a SQLite database outside its instance folder: data.db"
    ]


@contained
def test_an_example_reaches_no_network(project):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    try:
        app = view(
            f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=5)\nreturn 'x'"
        )
        errors = failure(project, Case("network", app, "a.md:4", "", "", options={"contain": True}))
    finally:
        listener.close()
    assert any(
        "ConnectionRefusedError" in e.what or "Network is unreachable" in e.what for e in errors
    ), [e.message for e in errors]


def test_containment_is_said_in_the_log(project):
    logged: list[str] = []
    project.example("said", {"app.py": view("return 'x'")})
    from site_app import Builder

    Builder(project.settings(contain=True), log=logged.append).build(
        {"a.md": PAGE.format(name="said", requests="  - GET /")}
    )
    (line,) = [m for m in logged if m.startswith("workers: ")]
    expected = "bubblewrap" if sandbox.bubblewrap_works() else "no sandbox"
    assert expected in line
    assert "allowlisted environment" in line


def test_without_bubblewrap_the_log_says_writes_are_detected(project):
    logged: list[str] = []
    project.example("said", {"app.py": view("return 'x'")})
    from site_app import Builder

    Builder(project.settings(contain=False), log=logged.append).build(
        {"a.md": PAGE.format(name="said", requests="  - GET /")}
    )
    (line,) = [m for m in logged if m.startswith("workers: ")]
    assert (
        "no sandbox (bubblewrap unavailable or off): Python's writes outside the cache "
        "refused by an audit hook, the examples' folder checked after each example" in line
    )


def test_the_allowlist_keeps_only_what_a_worker_needs():
    env = sandbox.allowed_environment(
        {
            "PATH": "/bin",
            "LC_ALL": "C.UTF-8",
            "GITHUB_TOKEN": "ghp_x",
            "AWS_SECRET_ACCESS_KEY": "k",
            "HOME": "/root",
            "COVERAGE_PROCESS_CONFIG": "c",
            "MINE": "m",
            # A build run under `faketime -f +1d`: its clock never reaches a worker, whose
            # launcher preloads libfaketime with the build's fixed time instead.
            "LD_PRELOAD": "/usr/$LIB/faketime/libfaketime.so.1",
            "FAKETIME": "+1d",
            "FAKETIME_SHARED": "/faketime_sem_1 /faketime_shm_1",
        },
        passed=("MINE",),
        temporary=Path("/cache/tmp"),
    )
    assert env == {
        "PATH": "/bin",
        "LC_ALL": "C.UTF-8",
        "COVERAGE_PROCESS_CONFIG": "c",
        "MINE": "m",
        "PYTHONHASHSEED": "0",
        "TZ": "UTC",
        "HOME": "/cache/tmp",
        "TMPDIR": "/cache/tmp",
    }


def test_a_fifo_or_a_folder_named_like_a_test_file_is_no_test(project):
    tests = project.root / "tests"
    tests.mkdir()
    os.mkfifo(tests / "test_pipe.py")
    (tests / "test_folder.py").mkdir()
    (tests / "test_real.py").write_text("import snippets.tested.app\n")
    project.example("tested", {"app.py": view("return 'x'")})
    project.example("untested", {"app.py": view("return 'x'"), "test_inner.py/.keep": ""})
    pages = {
        "a.md": PAGE.format(name="tested", requests="  - GET /")
        + PAGE.format(name="untested", requests="  - GET /")
    }
    with pytest.raises(BuildFailed) as caught:
        project.builder(tests_dir=tests).build(pages)
    assert [e.what for e in caught.value.errors] == ["example 'untested' has no tests"]


class _RunsCode:
    """Unpickling this calls os.system: what a hostile worker could send down its pipe."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _sends_code(marker: str) -> _RunsCode:
    return _RunsCode(marker)


def test_a_result_that_would_run_code_in_the_build_is_refused(tmp_path):
    marker = tmp_path / "ran"
    (finished,) = pool.run_in_workers(
        "tests.site_app.test_hostile:_sends_code", [str(marker)], workers=1, timeout=30
    )
    assert finished.refused == pool.Refused("UnpicklingError: the result names posix.system")
    assert finished.result is None
    assert not marker.exists()
