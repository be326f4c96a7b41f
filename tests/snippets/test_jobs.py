import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from snippets.jobs import app as jobs_module
from snippets.jobs.app import LARGEST, STEP, count_primes_between, create_app, get_db

ROOT = Path(__file__).resolve().parents[2]
FINISHED = ("done", "failed")


@pytest.fixture
def make_app():
    """create_app, then close the SQLite connection Huey keeps once the test is over."""
    made = []

    def make(test_config=None):
        made.append(create_app(test_config))
        return made[-1]

    yield make
    for app in made:
        app.extensions["huey"].storage.close()


@pytest.fixture
def app(make_app, tmp_path):
    return make_app({"TESTING": True, "DATABASE": str(tmp_path / "jobs.sqlite")})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def keep_signal_handlers():
    """Huey's consumer takes over SIGINT, SIGTERM and SIGHUP; give them back to pytest."""
    names = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    saved = {signum: signal.getsignal(signum) for signum in names}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.fixture
def worker(app, keep_signal_handlers):
    """A real Huey consumer with one worker thread, polling the app's SQLite queue."""
    consumer = app.extensions["huey"].create_consumer(workers=1, periodic=False, max_delay=0.1)
    consumer.start()
    yield consumer
    consumer.stop(graceful=True)


def wait_until_finished(client, url, timeout=30.0):
    """Poll the status URL as a client would; the last answer, finished or not."""
    deadline = time.monotonic() + timeout
    body = client.get(url).json
    while body["status"] not in FINISHED and time.monotonic() < deadline:
        time.sleep(0.05)
        body = client.get(url).json
    return body


def primes_by_trial_division(below):
    return sum(all(n % d for d in range(2, int(n**0.5) + 1)) for n in range(2, below))


@pytest.mark.parametrize("below", [2, 3, 4, 10, 11, 100, 1000])
def test_count_primes_agrees_with_trial_division(below):
    assert count_primes_between(0, below) == primes_by_trial_division(below)


@pytest.mark.parametrize(
    ("start", "stop"), [(0, 2), (1, 3), (2, 3), (90, 110), (997, 1000), (500, 1000)]
)
def test_a_range_of_the_sieve_agrees_with_trial_division(start, stop):
    expected = primes_by_trial_division(stop) - primes_by_trial_division(start)
    assert count_primes_between(start, stop) == expected


def test_count_primes_below_a_million_in_steps():
    # pi(10**6) = 78498 and pi(2 * 10**6) = 148933, known values of the prime-counting function
    assert count_primes_between(0, 1_000_000) == 78498
    assert count_primes_between(0, 1_000_000) + count_primes_between(1_000_000, 2_000_000) == 148933


def test_enqueue_answers_202_at_once_and_the_job_waits_in_the_queue(app, client):
    response = client.post("/api/primes", json={"below": 1000})
    assert response.status_code == 202
    assert response.json == {"id": 1, "status_url": "/api/jobs/1"}
    assert response.headers["Location"] == "/api/jobs/1"
    # No worker runs: the job is stored, queued, and nothing has computed it.
    assert app.extensions["huey"].pending_count() == 1
    # ...in the app's own SQLite file, next to the job table.
    with closing(sqlite3.connect(app.config["DATABASE"])) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert {"job", "task"} <= tables
    # Huey names the task with a random UUID; clients only ever see the job's row id.
    (task,) = app.extensions["huey"].pending()
    assert uuid.UUID(task.id).version == 4
    assert client.get("/api/jobs/1").json == {"id": 1, "status": "queued"}


def test_job_ids_are_sequential(client):
    ids = [client.post("/api/primes", json={"below": n}).json["id"] for n in (10, 20, 30)]
    assert ids == [1, 2, 3]


def test_a_real_worker_runs_the_job(app, client, worker):
    url = client.post("/api/primes", json={"below": 100_000}).json["status_url"]
    assert wait_until_finished(client, url) == {
        "id": 1,
        "status": "done",
        "result": {"below": 100_000, "primes": 9592},
    }
    assert app.extensions["huey"].pending_count() == 0


def test_a_real_worker_runs_jobs_queued_before_it_started(app, client, keep_signal_handlers):
    urls = [client.post("/api/primes", json={"below": n}).json["status_url"] for n in (10, 100)]
    consumer = app.extensions["huey"].create_consumer(workers=2, periodic=False, max_delay=0.1)
    consumer.start()
    try:
        finished = [wait_until_finished(client, url) for url in urls]
    finally:
        consumer.stop(graceful=True)
    assert [job["result"]["primes"] for job in finished] == [4, 25]


def test_a_job_that_raises_is_marked_failed(client, worker, monkeypatch):
    def broken(start, stop):
        raise MemoryError(f"no room for {stop - start} numbers")

    monkeypatch.setattr(jobs_module, "count_primes_between", broken)
    url = client.post("/api/primes", json={"below": 50}).json["status_url"]
    assert wait_until_finished(client, url) == {
        "id": 1,
        "status": "failed",
        "result": {"error": "MemoryError('no room for 50 numbers')"},
    }


def test_immediate_mode_runs_the_job_inside_the_request(make_app, tmp_path):
    # What the site's build does (see example.toml): no worker, jobs run inline.
    app = make_app({"DATABASE": str(tmp_path / "jobs.sqlite"), "HUEY_IMMEDIATE": True})
    client = app.test_client()
    assert client.post("/api/primes", json={"below": 1000}).status_code == 202
    assert client.get("/api/jobs/1").json["status"] == "done"
    assert client.get("/api/jobs/1").json["result"] == {"below": 1000, "primes": 168}


@pytest.mark.parametrize(
    "body",
    [
        {"below": 1},
        {"below": 10_000_001},
        {"below": "1000"},
        {"below": 10.5},
        {"below": True},
        {},
        [1000],
    ],
)
def test_bad_input_is_a_json_400_and_queues_nothing(app, client, body):
    response = client.post("/api/primes", json=body)
    assert response.status_code == 400
    assert response.json["message"] == "'below' must be a whole number from 2 to 10000000."
    assert app.extensions["huey"].pending_count() == 0


def test_an_unknown_job_is_a_json_404(client):
    response = client.get("/api/jobs/7")
    assert response.status_code == 404
    assert response.json == {"error": "Not Found", "message": "There is no job 7."}


def test_flask_worker_command_runs_jobs_until_ctrl_c(app, client, keep_signal_handlers):
    url = client.post("/api/primes", json={"below": 1000}).json["status_url"]
    pytest_handler = signal.getsignal(signal.SIGINT)
    seen = {}

    def poll_then_press_ctrl_c():
        seen["job"] = wait_until_finished(app.test_client(), url)
        deadline = time.monotonic() + 30
        while signal.getsignal(signal.SIGINT) is pytest_handler and time.monotonic() < deadline:
            time.sleep(0.05)  # until the consumer has put its own handler in place
        if signal.getsignal(signal.SIGINT) is not pytest_handler:
            os.kill(os.getpid(), signal.SIGINT)

    watcher = threading.Thread(target=poll_then_press_ctrl_c)
    watcher.start()
    result = app.test_cli_runner().invoke(args=["worker", "--workers", "1"])
    watcher.join()
    assert result.exit_code == 0, result.output
    assert seen["job"]["status"] == "done"


def test_flask_worker_in_its_own_process_stops_gracefully_on_ctrl_c(make_app, tmp_path):
    database = tmp_path / "jobs.sqlite"
    client = make_app({"DATABASE": str(database)}).test_client()
    urls = [
        client.post("/api/primes", json={"below": LARGEST}).json["status_url"] for _ in range(12)
    ]
    env = {**os.environ, "FLASK_DATABASE": json.dumps(str(database))}
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "snippets.jobs.app", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    running = None
    try:
        # Wait until a job after the first is running: by then the worker is
        # fully started, signal handlers included.
        deadline = time.monotonic() + 60
        while running is None and time.monotonic() < deadline:
            statuses = [client.get(url).json["status"] for url in urls]
            if "running" in statuses[1:]:
                running = statuses.index("running")
            time.sleep(0.01)
    finally:
        worker.send_signal(signal.SIGINT)  # Ctrl+C
        _, log = worker.communicate(timeout=60)
    assert running is not None, log
    assert worker.returncode == 0, log
    assert "run_job" in log  # the worker logs the jobs it runs
    statuses = [client.get(url).json["status"] for url in urls]
    done, partly = statuses.count("done"), statuses.count("running")
    # Jobs run in order: the finished ones come first. The worker finished the
    # step it was on; a job it left half-way has its next step queued, for the
    # next worker, and the rest have not started.
    assert partly <= 1
    assert statuses == ["done"] * done + ["running"] * partly + ["queued"] * (
        len(urls) - done - partly
    )
    assert app_pending(database) == len(urls) - done
    # The job seen running went on until Ctrl+C: it is done, or part-done.
    assert done + partly > running
    # It stopped soon after Ctrl+C: a job or two may finish between the last
    # look and the signal (each takes a fraction of a second), not the queue.
    assert done < len(urls) // 2


def app_pending(database):
    """Tasks waiting in the queue of the SQLite file, seen from a fresh app."""
    app = create_app({"DATABASE": str(database)})
    try:
        return app.extensions["huey"].pending_count()
    finally:
        app.extensions["huey"].storage.close()


def test_the_database_can_come_from_the_environment(make_app, tmp_path, monkeypatch):
    database = tmp_path / "elsewhere" / "jobs.sqlite"
    monkeypatch.setenv("FLASK_DATABASE", json.dumps(str(database)))
    client = make_app().test_client()
    assert client.post("/api/primes", json={"below": 10}).status_code == 202
    assert database.is_file()


def test_wrong_method_is_a_json_405_that_keeps_allow(client):
    response = client.get("/api/primes")
    assert response.status_code == 405
    assert response.json["error"] == "Method Not Allowed"
    assert "POST" in response.headers["Allow"].split(", ")


def test_one_connection_per_app_context(app):
    with app.app_context():
        assert get_db() is get_db()


@pytest.fixture
def stepping(make_app, tmp_path):
    return make_app(
        {"DATABASE": str(tmp_path / "jobs.sqlite"), "WORKER_STEP_URL": True}
    ).test_client()


def test_each_step_checks_step_numbers_and_queues_the_next(stepping):
    # pi(2 * 10**6) = 148933, plus the primes of the last ten numbers
    tail = range(2 * STEP, 2 * STEP + 10)
    expected = 148933 + sum(all(n % d for d in range(2, math.isqrt(n) + 1)) for n in tail)
    stepping.post("/api/primes", json={"below": 2 * STEP + 10})
    assert stepping.get("/api/jobs/1").json == {"id": 1, "status": "queued"}
    seen = []
    while (step := stepping.post("/api/worker/step").json)["ran"]:
        assert step == {"ran": "run_job", "args": [1]}
        seen.append(stepping.get("/api/jobs/1").json)
    assert seen == [
        {"id": 1, "status": "running", "checked": STEP, "below": 2 * STEP + 10},
        {"id": 1, "status": "running", "checked": 2 * STEP, "below": 2 * STEP + 10},
        {"id": 1, "status": "done", "result": {"below": 2 * STEP + 10, "primes": expected}},
    ]


def test_a_started_job_finishes_before_the_next_starts(stepping):
    for _ in range(2):
        stepping.post("/api/primes", json={"below": 2 * STEP})
    stepping.post("/api/worker/step")
    assert stepping.get("/api/jobs/2").json["status"] == "queued"
    stepping.post("/api/worker/step")  # job 1's second step went ahead of job 2
    assert stepping.get("/api/jobs/1").json["status"] == "done"
    assert stepping.get("/api/jobs/2").json["status"] == "queued"


def test_the_step_url_is_off_unless_configured(client):
    assert client.post("/api/worker/step").status_code == 404


def test_a_step_with_nothing_queued_runs_nothing(stepping):
    assert stepping.post("/api/worker/step").json == {"ran": None}
