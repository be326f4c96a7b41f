"""Async views in Flask, and Flask and FastAPI under real servers on loopback.

Each server gets the same load: four requests at once to a view that awaits
0.2 s. The tests measure how long the four take together and how many threads
answered them.
"""

import sys
import time
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from snippets.async_views import measure as measure_module
from snippets.async_views.app import app
from snippets.async_views.measure import measure
from tests.snippets.servers import clean_env, serve

ROOT = Path(__file__).resolve().parents[2]
COUNT, WAIT = 4, 0.2  # four requests to /wait/200, which sleeps 0.2 s
ONE_AT_A_TIME = COUNT * WAIT  # what four requests take when they queue


# In process ---------------------------------------------------------------------------


def test_gather_runs_three_awaits_at_once_inside_one_request():
    answer = app.test_client().get("/gather").json
    # Started slow, fast, medium; they finish by how long they wait, not in start order.
    assert answer["finished"] == ["fast", "medium", "slow"]


def test_an_async_view_runs_off_the_request_thread_and_a_sync_one_on_it():
    client = app.test_client()
    assert client.get("/gather").json["view_ran_on_the_request_thread"] is False
    assert client.get("/sync").json == {"view_ran_on_the_request_thread": True}


def test_fastapi_gathers_the_same_way():
    from snippets.async_fastapi.app import app as fastapi_app

    answer = TestClient(fastapi_app).get("/gather").json()
    assert answer == {"started": ["slow", "fast", "medium"], "finished": ["fast", "medium", "slow"]}


# Real servers -------------------------------------------------------------------------


def wait_ready(port, path):
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


GUNICORN_PORT = r"Listening at: http://127\.0\.0\.1:(\d+)"
UVICORN_PORT = r"Uvicorn running on http://127\.0\.0\.1:(\d+)"


def gunicorn(*options):
    args = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1"]
    return serve(
        [*args, *options, "snippets.async_views.app:app"],
        GUNICORN_PORT,
        cwd=ROOT,
        env=clean_env(PYTHONPATH=str(ROOT)),
    )


def uvicorn(target):
    args = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", "0"]
    return serve(
        [*args, "--lifespan", "off", target],
        UVICORN_PORT,
        cwd=ROOT,
        env=clean_env(PYTHONPATH=str(ROOT)),
    )


def load(port, warm_up_path):
    wait_ready(port, warm_up_path)
    return measure(f"http://127.0.0.1:{port}/wait/{int(WAIT * 1000)}", COUNT)


def test_one_sync_gunicorn_worker_answers_async_views_one_at_a_time():
    with gunicorn() as port:
        seconds, threads = load(port, "/sync")
    assert seconds >= ONE_AT_A_TIME
    assert threads == 1


def test_gunicorn_threads_not_async_let_requests_overlap():
    with gunicorn("--threads", str(COUNT)) as port:
        seconds, threads = load(port, "/sync")
    assert seconds < ONE_AT_A_TIME * 0.75
    assert threads == COUNT  # one thread per request in flight


def test_flask_under_uvicorn_still_answers_one_request_at_a_time():
    # WsgiToAsgi runs the WSGI app through sync_to_async, on one shared thread.
    with uvicorn("snippets.async_views.app:asgi_app") as port:
        seconds, threads = load(port, "/sync")
    assert seconds >= ONE_AT_A_TIME
    assert threads == 1


def test_fastapi_under_uvicorn_overlaps_requests_on_one_thread():
    with uvicorn("snippets.async_fastapi.app:app") as port:
        seconds, threads = load(port, "/gather")
    assert seconds < ONE_AT_A_TIME * 0.75
    assert threads == 1  # the event loop's thread, for all four


def test_measure_prints_what_it_measured(capsys):
    with uvicorn("snippets.async_fastapi.app:app") as port:
        wait_ready(port, "/gather")
        measure_module.main([f"http://127.0.0.1:{port}/wait/100", "2"])
    out = capsys.readouterr().out
    assert out.startswith("2 requests in 0.")
    assert out.endswith(" s, 1 thread(s)\n")


def test_measure_runs_as_a_script(monkeypatch, capsys):
    import runpy

    with uvicorn("snippets.async_fastapi.app:app") as port:
        wait_ready(port, "/gather")
        monkeypatch.setattr(sys, "argv", ["measure", f"http://127.0.0.1:{port}/wait/100", "1"])
        runpy.run_module("snippets.async_views.measure", run_name="__main__")
    assert "1 requests in" in capsys.readouterr().out


def test_a_failed_server_start_is_reported(tmp_path):
    # The helper above must fail loudly when the server cannot start.
    with pytest.raises(pytest.fail.Exception, match="exited"), uvicorn("no_such_module:app"):
        pass  # pragma: no cover
