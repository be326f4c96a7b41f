import json
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time

import psutil
import pytest

from site_app.author.discover import discover
from site_app.errors import BuildFailed
from site_app.orchestrate import pool
from site_app.orchestrate.builder import PRELOAD
from tests.helpers import ROOT

PAGE = "```flask-example\nexample: {name}\nrequests:\n  - GET /\n```\n"


def failure(builder, pages):
    with pytest.raises(BuildFailed) as caught:
        builder.build(pages)
    return caught.value.errors


def test_an_example_that_never_returns_is_stopped(project):
    project.example(
        "stuck",
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef index():\n    while True:\n        pass\n"
        },
    )
    builder = project.builder(timeout=1.5)
    (error,) = failure(builder, {"a.md": PAGE.format(name="stuck")})
    assert error.what == "example 'stuck' did not finish within 1.5 s: it was still answering GET /"
    assert str(error.where) == "a.md:4"  # the request's line
    assert "timeout option" in error.fix


def test_a_job_that_cannot_exit_is_stopped_within_the_limit(short_wall_clock):
    """The answer came back, but a non-daemon thread keeps the process alive.

    The thread burns no CPU time: the wall-clock ceiling (3 s here) stops it.
    """
    started = time.monotonic()
    (finished,) = pool.run_in_workers(
        "tests.site_app.test_workers_and_cache:_leaves_a_thread", ["job"], workers=1, timeout=1.0
    )
    elapsed = time.monotonic() - started
    assert finished.timed_out
    assert finished.result is None
    # Stopped, not left to wait for its thread for ever. The bound is loose on purpose:
    # a busy machine starts the fork server late and the ceiling forgives CPU waits.
    assert elapsed < pool.wall_limit(1.0) + pool.GRACE + 60, elapsed


def _leaves_a_thread(job: str) -> str:
    threading.Thread(target=threading.Event().wait, daemon=False).start()
    return job


# A build in a process of its own, which the test kills: one job, which says its PID.
KILLED_BUILD = """
import sys
from pathlib import Path
from site_app.orchestrate import pool
said = Path(sys.argv[1])
box = pool.Sandbox(writable=(said.parent,))
work = "tests.site_app.test_workers_and_cache:_says_its_pid_and_sleeps"
for _ in pool.run_in_workers(work, [str(said)], workers=1, timeout=60.0, sandbox=box):
    pass
"""


def test_a_build_killed_while_an_example_runs_leaves_no_worker(tmp_path):
    """SIGKILL gives a build no moment to end its workers; each ends with the fork server,
    which ends with the build's process (its "alive" pipe)."""
    said = tmp_path / "out" / "worker.pid"
    said.parent.mkdir()
    build = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(said)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while not (said.is_file() and said.read_text().endswith("\n")):
            assert build.poll() is None, "the build ended before its worker started"
            assert time.monotonic() < deadline, "the worker never started"
            time.sleep(0.05)
        worker = psutil.Process(int(said.read_text()))
    finally:
        build.kill()
        build.wait()
    gone = time.monotonic() + 15
    while _alive(worker) and time.monotonic() < gone:
        time.sleep(0.05)
    alive = _alive(worker)
    if alive:
        worker.kill()
    assert not alive, "the worker outlived the build that was killed"


ALIVE_PIPE = """
import multiprocessing, os
from multiprocessing import forkserver


def held(queue):
    fd = forkserver._forkserver._forkserver_alive_fd
    queue.put(None if fd is None else os.fstat(fd).st_ino)


if __name__ == "__main__":
    context = multiprocessing.get_context("forkserver")
    queue = context.Queue()
    process = context.Process(target=held, args=(queue,))
    process.start()
    theirs = queue.get(timeout=60)
    process.join()
    print(os.fstat(forkserver._forkserver._forkserver_alive_fd).st_ino, theirs)
"""


def test_multiprocessing_hands_each_process_the_fork_servers_alive_pipe(tmp_path):
    """The upstream behaviour pool._release_fork_server works around: a process the fork
    server starts holds the write end of the pipe whose closing ends the server."""
    script = tmp_path / "alive.py"
    script.write_text(ALIVE_PIPE)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    ours, theirs = done.stdout.split()
    assert theirs == ours, "the child holds no copy: pool._release_fork_server can go"


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _says_its_pid_and_sleeps(said: str) -> None:
    with open(said, "w", encoding="ascii") as file:
        file.write(f"{os.getpid()}\n")
    threading.Event().wait(60)  # not time.sleep: libfaketime fails it in a bare job


def test_a_job_ended_by_its_cpu_limit_is_timed_out_not_blamed_for_dying(project):
    """Outside the worker's own handler, SIGXCPU's default action ends the process."""
    (finished,) = pool.run_in_workers(
        "tests.site_app.test_workers_and_cache:_burns", ["job"], workers=1, timeout=1.0
    )
    assert finished.timed_out
    assert finished.died is not None
    assert finished.died.signal_name == "SIGXCPU"
    project.example("busy", {"app.py": project.HELLO})
    example = discover(project.snippets, project.root)["busy"]
    error = pool.ended_badly(finished, example, 1.0)
    assert "did not finish within 1 s of its own CPU time: it was still starting" in error.what
    assert "ended its worker process" not in error.what


def _burns(job: str) -> str:
    while True:
        pass


def test_a_worker_that_dies_is_reported(project):
    project.example("dies", {"app.py": "import os\nos._exit(3)\n"})
    (error,) = failure(project.builder(), {"a.md": PAGE.format(name="dies")})
    assert error.what == (
        "example 'dies' ended its worker process (exited with code 3) while it was "
        "importing it and creating its app"
    )
    assert "must not end its process" in error.fix


def test_one_failing_example_does_not_hide_the_others(project):
    project.example("good", {"app.py": project.HELLO})
    project.example(
        "bad",
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef index():\n    return {}['x']\n"
        },
    )
    pages = {"a.md": PAGE.format(name="good"), "b.md": PAGE.format(name="bad")}
    errors = failure(project.builder(), pages)
    # The request's 500 only: a freeze of the same page would repeat it.
    assert [str(e.where) for e in errors] == ["b.md:4"]
    assert all("'bad'" in e.what and "KeyError: 'x'" in e.what for e in errors)


def test_an_example_that_writes_into_the_source_tree(project):
    project.example(
        "writer",
        {
            "app.py": "import subprocess\nfrom pathlib import Path\nfrom flask import Flask\napp = Flask(__name__)\n\n"
            "@app.get('/')\ndef index():\n    subprocess.run(['touch', Path(__file__).parent / 'log.txt'])\n    return 'ok'\n"
        },
    )
    # A subprocess writes past the worker's guard; without bubblewrap, the comparison of
    # the examples' folder after the example catches it (tests/site_app/test_hostile.py:
    # the guard and the sandbox).
    (error,) = failure(project.builder(contain=False), {"a.md": PAGE.format(name="writer")})
    assert error.what == "example 'writer' wrote into the source tree: writer/log.txt"
    assert "app.instance_path" in error.fix


def test_examples_must_be_shown_and_tested_when_asked(project):
    project.example("shown", {"app.py": project.HELLO})
    project.example("included", {"app.py": project.HELLO, "test_own.py": "def test(): pass\n"})
    project.example("forgotten", {"app.py": project.HELLO})
    tests = project.root / "tests"
    tests.mkdir()
    (tests / "test_shown.py").write_text("from snippets.shown.app import app\n")
    builder = project.builder(tests_dir=tests, require_shown=True)
    pages = {
        "a.md": PAGE.format(name="shown"),
        "b.md": '```python\n--8<-- "included/test_own.py"\n```\n',
    }
    errors = failure(builder, pages)
    assert [(e.what, str(e.where)) for e in errors] == [
        ("example 'forgotten' is not shown on any page", "snippets/forgotten/"),
        ("example 'forgotten' has no tests", "snippets/forgotten/"),
    ]
    assert errors[1].fix == "add a test file under tests/ that imports snippets.forgotten.app"


SITE = """
    from flask import Flask, render_template

    app = Flask(__name__)


    @app.get("/")
    def index():
        return render_template("index.html")
"""


@pytest.fixture
def cached_project(project):
    project.example(
        "site",
        {"app.py": SITE, "templates/index.html": "<p>one</p>\n", "static/s.css": "p {}\n"},
    )
    project.page("a.md", PAGE.format(name="site"))
    first = project.build()
    assert first.ran == ["site"]
    return project


def test_an_unchanged_example_is_reused(cached_project):
    again = cached_project.build()
    assert (again.ran, again.reused) == ([], ["site"])
    rendered = again.blocks[("a.md", 1)]
    assert rendered.answers[0].response.body == b"<p>one</p>"


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("templates/index.html", "<p>two</p>\n"),
        ("app.py", None),
        ("static/s.css", "p { color: red }\n"),
        ("example.toml", "[build]\n"),
    ],
)
def test_changing_any_file_of_the_example_runs_it_again(cached_project, path, content):
    target = cached_project.snippets / "site" / path
    target.write_text(content if content is not None else target.read_text() + "\n# edited\n")
    again = cached_project.build()
    assert (again.ran, again.reused) == (["site"], [])


def test_changing_the_requests_runs_it_again(cached_project):
    cached_project.page(
        "a.md",
        PAGE.format(name="site").replace("  - GET /\n", "  - GET /\n  - GET /static/s.css\n"),
    )
    assert cached_project.build().ran == ["site"]


def test_deleted_frozen_files_are_rebuilt(cached_project):
    (cached_project.root / ".cache/frozen/site/index.html").unlink()
    assert cached_project.build().ran == ["site"]


ENVIRONMENT_BUILD = """
import json, sys
from pathlib import Path
from site_app import Builder, Settings

root = Path(sys.argv[1])
settings = Settings(root, root / "snippets", root / "shared-cache")
result = Builder(settings, log=lambda m: None).build({"a.md": Path(root, "a.md").read_text()})
print(json.dumps({"reused": result.reused, "ran": result.ran}))
"""


def _distribution(folder, name, version, module=None):
    """An installed distribution as pip leaves one: metadata, and its module when it has one."""
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    if module:
        (folder / module).mkdir()
        (folder / module / "__init__.py").write_text(f"VERSION = {version!r}\n")
        (info / "top_level.txt").write_text(module + "\n")


def _build_from(project, *environment):
    """A build in a process of its own whose library path holds ``environment``'s folders."""
    path = os.pathsep.join([*(str(folder) for folder in environment), str(ROOT)])
    answer = subprocess.run(
        [sys.executable, "-c", ENVIRONMENT_BUILD, str(project.root)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(answer.stdout)
    return seen["ran"], seen["reused"]


@pytest.fixture
def environments(project, tmp_path):
    """An example that uses a library, and two environments sharing one cache."""
    project.example(
        "uses_lib",
        {
            "app.py": "import fieldlib\nfrom flask import Flask\napp = Flask(__name__)\n\n"
            "@app.get('/')\ndef index():\n    return f'<p>{fieldlib.VERSION}</p>'\n"
        },
    )
    (project.root / "a.md").write_text(PAGE.format(name="uses_lib"))
    docs, tests = tmp_path / "docs-env", tmp_path / "tests-env"
    for folder in (docs, tests):
        _distribution(folder, "fieldlib", "1.0", module="fieldlib")
    # Only the tests environment has these; the example never imports them.
    _distribution(tests, "pytest-extra-tool", "9.1", module="pytest_extra_tool")
    _distribution(tests, "another-unrelated", "0.3")
    return project, docs, tests


def test_a_build_from_another_environment_reuses_every_example(environments):
    # build (docs environment) -> tests (another environment) -> build, one shared cache
    project, docs, tests = environments
    assert _build_from(project, docs) == (["uses_lib"], [])
    assert _build_from(project, tests) == ([], ["uses_lib"])
    assert _build_from(project, docs) == ([], ["uses_lib"])
    (stored,) = (project.root / "shared-cache/results").glob("*.pickle")
    libraries = dict(pickle.loads(stored.read_bytes())[1].libraries)
    assert libraries["fieldlib"] == "1.0"
    assert "Flask" in libraries or "flask" in libraries
    assert "pytest-extra-tool" not in libraries


def test_a_new_version_of_a_library_the_example_imports_runs_it_again(environments):
    project, docs, _ = environments
    assert _build_from(project, docs) == (["uses_lib"], [])
    shutil.rmtree(docs / "fieldlib-1.0.dist-info")
    shutil.rmtree(docs / "fieldlib")
    _distribution(docs, "fieldlib", "1.1", module="fieldlib")
    assert _build_from(project, docs) == (["uses_lib"], [])
    assert _build_from(project, docs) == ([], ["uses_lib"])
    shown = project.root / "shared-cache/frozen/uses_lib/index.html"
    assert "<p>1.1</p>" in shown.read_text()


def test_a_corrupt_cache_entry_is_ignored(cached_project):
    (cached_project.root / ".cache/results/site.pickle").write_bytes(b"not a pickle")
    assert cached_project.build().ran == ["site"]


def test_an_app_that_makes_the_default_instance_folder_is_caught(project):
    project.example(
        "default_instance",
        {
            "app.py": "import os, subprocess\nfrom flask import Flask\napp = Flask(__name__)\n"
            "subprocess.run(['mkdir', '-p', os.path.join(os.path.dirname(__file__), '..', '..', 'instance')])\n\n"
            "@app.get('/')\ndef index():\n    return 'ok'\n"
        },
    )
    builder = project.builder(contain=False)  # a subprocess, past the guard: detected after
    (error,) = failure(builder, {"a.md": PAGE.format(name="default_instance")})
    assert "wrote into the source tree: instance/" in error.what


WARM_BUILD = """
import json, sys
from pathlib import Path
from site_app import Builder, Settings

root = Path(sys.argv[1])
settings = Settings(root, root / "snippets", root / ".cache")
result = Builder(settings, log=lambda m: None).build(
    {"a.md": Path(root, "a.md").read_text()}
)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"flask", "flask_frozen", "werkzeug"})
print(json.dumps({"reused": result.reused, "ran": result.ran, "loaded": loaded}))
"""


def test_a_warm_build_imports_no_flask(cached_project):
    # Reading the cache must not cost the import of Flask, Werkzeug and Frozen-Flask.
    (cached_project.root / "a.md").write_text(cached_project.pages["a.md"])
    answer = subprocess.run(
        [sys.executable, "-c", WARM_BUILD, str(cached_project.root)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(answer.stdout)
    assert (seen["reused"], seen["ran"]) == (["site"], [])
    assert seen["loaded"] == []


def test_the_fork_servers_warm_up_runs_an_example_and_keeps_nothing(tmp_path):
    # The fork server imports site_app.execute.warmup before it forks a worker; the
    # import captures and freezes a tiny example, and must leave no trace.
    script = (
        "import sys, site_app.execute.warmup\n"
        "site_app.execute.warmup.warm_up()\n"  # the import swallows a failure; this call does not
        "print(sorted(m for m in sys.modules if m.startswith('flask_examples_warm_up')))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert answer.stdout.strip() == "[]"
    assert list(tmp_path.iterdir()) == []  # its temporary folder is gone
    assert "site_app.execute.warmup" in PRELOAD


def test_a_workers_randomness_is_seeded_for_secrets_too():
    # Werkzeug salts password hashes with secrets.choice (random.SystemRandom),
    # which reads its own reference to os.urandom; a build must fix that too.
    script = (
        "import os, secrets, time\n"
        "from site_app.execute.worker import reproducible\n"
        "reproducible('users'); first = (secrets.token_hex(8), os.urandom(4).hex())\n"
        "reproducible('users'); again = (secrets.token_hex(8), os.urandom(4).hex())\n"
        "print(first == again, time.time())\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert answer.stdout.split() == ["True", "1767225600.0"]


STARVED_CPU = 0.5  # seconds of CPU time the starved job may get before the test says so


def test_time_spent_waiting_for_a_busy_cpu_does_not_count_against_the_wall_clock_ceiling(
    short_wall_clock,
):
    """A job on a busy machine gets its CPU time late: only its own time counts.

    Four loops in sessions of their own (so the kernel's autogroups do not share
    them out) hold the one CPU the job may use, and the job lowers its own priority:
    it gets a few percent of that CPU. It loops until its wall-clock ceiling has
    passed by a second, well within its CPU limit, and must be let finish.
    """
    ceiling = pool.wall_limit(1.0) + pool.GRACE
    cpu = min(os.sched_getaffinity(0))
    hog = f"import os\nos.sched_setaffinity(0, {{{cpu}}})\nwhile True:\n    pass\n"
    hogs = [subprocess.Popen([sys.executable, "-c", hog], start_new_session=True) for _ in range(4)]
    try:
        (finished,) = pool.run_in_workers(
            "tests.site_app.test_workers_and_cache:_starved",
            [(cpu, ceiling + 1.0)],
            workers=1,
            timeout=1.0,
        )
    finally:
        for each in hogs:
            each.kill()
            each.wait()
    assert not finished.timed_out, "stopped by the wall-clock ceiling while it waited for a CPU"
    wall, used = finished.result
    assert used < STARVED_CPU, f"the job got {used:.2f} s of CPU: the loops did not starve it"
    assert wall > ceiling


def _starved(job: tuple[int, float]) -> tuple[float, float]:
    cpu, seconds = job
    os.sched_setaffinity(0, {cpu})
    os.nice(11)
    try:  # with autogroups, the priority of this session's group counts
        with open("/proc/self/autogroup", "w", encoding="ascii") as group:
            group.write("11")
    except OSError:
        pass
    started, used = time.monotonic(), time.process_time()
    while time.monotonic() - started < seconds and time.process_time() - used < STARVED_CPU:
        pass
    return time.monotonic() - started, time.process_time() - used
