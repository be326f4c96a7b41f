import logging
import re

import pytest

from snippets.logging_errors.app import RecentLines, create_app

LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (?P<level>[A-Z]+) (?P<logger>\S+)"
    r" \[(?P<request_id>[^\]]+)\] (?P<message>.*)$"
)


@pytest.fixture
def app():
    return create_app()  # not TESTING: a failing view answers 500, as in production


@pytest.fixture
def client(app):
    return app.test_client()


def log_lines(client):
    """The first line of each record the app logged, split into its fields."""
    return [
        LINE.match(line.splitlines()[0]).groupdict()
        for line in client.get("/admin/log").json["lines"]
    ]


def test_a_good_request_logs_one_line_with_its_id(client):
    response = client.get("/regions/north/average")
    assert response.json == {"region": "north", "average": 100.0}
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{12}", request_id)
    assert log_lines(client) == [
        {
            "level": "INFO",
            "logger": "snippets.logging_errors.app",
            "request_id": request_id,
            "message": "average asked for north (3 orders)",
        }
    ]


def test_every_request_gets_its_own_id(client):
    ids = {client.get("/regions/north/average").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_an_id_from_the_proxy_is_kept(client):
    response = client.get("/regions/north/average", headers={"X-Request-ID": "from-nginx-42"})
    assert response.headers["X-Request-ID"] == "from-nginx-42"
    assert log_lines(client)[0]["request_id"] == "from-nginx-42"


def test_a_failure_answers_its_id_and_logs_it_three_times(client):
    response = client.get("/regions/south/average")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert response.json == {"error": "Internal Server Error", "request_id": request_id}
    assert "Traceback" not in response.text
    lines = client.get("/admin/log").json["lines"]
    records = log_lines(client)
    # The view's own line, Flask's line with the traceback, and the handler's line.
    assert [(r["level"], r["logger"], r["message"]) for r in records] == [
        ("INFO", "snippets.logging_errors.app", "average asked for south (0 orders)"),
        ("ERROR", "snippets.logging_errors.app", "Exception on /regions/south/average [GET]"),
        (
            "ERROR",
            "snippets.logging_errors.app.errors",
            "GET /regions/south/average failed: ZeroDivisionError: division by zero",
        ),
    ]
    assert {r["request_id"] for r in records} == {request_id}
    assert "Traceback (most recent call last)" in lines[1]
    assert "ZeroDivisionError: division by zero" in lines[1]


def test_the_handlers_line_survives_a_silenced_app_logger(app, client):
    # The site's build switches app.logger off for a request meant to fail;
    # records of the child logger still reach app.logger's handlers.
    app.logger.disabled = True
    client.get("/regions/south/average")
    app.logger.disabled = False
    assert [r["logger"] for r in log_lines(client)] == ["snippets.logging_errors.app.errors"]


def test_lines_also_go_to_stderr(capsys):
    client = create_app().test_client()  # after capsys, so its handler writes there
    request_id = client.get("/regions/north/average").headers["X-Request-ID"]
    err = capsys.readouterr().err
    assert f"INFO snippets.logging_errors.app [{request_id}] average asked for north" in err


def test_the_level_comes_from_config(client, monkeypatch):
    monkeypatch.setenv("FLASK_LOG_LEVEL", "WARNING")
    quiet = create_app().test_client()
    quiet.get("/regions/north/average")
    assert log_lines(quiet) == []
    assert create_app({"LOG_LEVEL": "DEBUG"}).logger.level == logging.DEBUG


def test_a_record_outside_a_request_has_no_id(app):
    app.logger.warning("starting up")
    (handler,) = [h for h in app.logger.handlers if isinstance(h, RecentLines)]
    assert LINE.match(handler.lines[-1])["request_id"] == "-"


def test_other_loggers_keep_working(app, caplog):
    # disable_existing_loggers=False: configuring the app's logger leaves the rest alone.
    logging.getLogger("some.library").warning("still heard")
    assert "still heard" in caplog.text


def test_the_memory_keeps_only_the_last_lines():
    handler = RecentLines(size=2)
    for n in range(3):
        handler.emit(logging.makeLogRecord({"msg": f"line {n}"}))
    assert list(handler.lines) == ["line 1", "line 2"]


def test_each_line_is_written_once(capsys):
    client = create_app().test_client()
    client.get("/regions/north/average")
    assert capsys.readouterr().err.count("average asked for north") == 1


def test_unconfigured_flask_logger_drops_info():
    from flask import Flask

    plain = Flask("plain_app")
    assert not plain.logger.isEnabledFor(logging.INFO)
    assert plain.logger.isEnabledFor(logging.WARNING)
