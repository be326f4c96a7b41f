import pytest
from flask import Flask, request, session

from site_app.author.directive import parse_request
from site_app.execute.capture import perform, status_is_expected
from site_app.model import Request, Response


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /", Request("GET", "/")),
        ("GET /items/7 -> 404", Request("GET", "/items/7", None, 404)),
        ('POST /items {"name": "lamp"}', Request("POST", "/items", {"name": "lamp"})),
        ('POST /items ["a", 1] -> 400', Request("POST", "/items", ["a", 1], 400)),
        ("  DELETE /items   ->405 ", Request("DELETE", "/items", None, 405)),
    ],
)
def test_parses_request_lines(text, expected):
    assert parse_request(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("get /", "cannot read request"),
        ("GET items", "cannot read request"),
        ("FETCH /", "unknown HTTP method 'FETCH'"),
        ("POST /items {name: lamp}", "is not valid JSON"),
    ],
)
def test_rejects_bad_request_lines(text, message):
    with pytest.raises(ValueError, match=message):
        parse_request(text)


def make_app():
    app = Flask(__name__)

    @app.route("/echo", methods=["GET", "POST"])
    def echo():
        return {
            "json": request.get_json(silent=True),
            "form": request.form.to_dict(),
            "token": request.headers.get("X-Token"),
            "seen": session.get("seen", False),
        }

    @app.post("/remember")
    def remember():
        session["seen"] = True
        return "", 204

    @app.get("/boom")
    def boom():
        raise KeyError("missing")

    app.secret_key = "test only"
    return app


def test_sends_json_form_and_headers():
    app = make_app()
    response, raised = perform(app, Request("POST", "/echo", json={"a": 1}))
    assert response.status_code == 200
    assert response.is_json
    assert '"a": 1' in response.pretty_body()
    assert raised == []
    response, _ = perform(
        app, Request("POST", "/echo", form=(("name", "ada"),), headers=(("X-Token", "t"),))
    )
    assert '"name": "ada"' in response.pretty_body()
    assert '"token": "t"' in response.pretty_body()


def test_a_shared_client_keeps_cookies():
    app = make_app()
    client = app.test_client()
    perform(app, Request("POST", "/remember"), client)
    shared, _ = perform(app, Request("GET", "/echo"), client)
    fresh, _ = perform(app, Request("GET", "/echo"))
    assert '"seen": true' in shared.pretty_body()
    assert '"seen": false' in fresh.pretty_body()


def test_records_the_exception_behind_a_500():
    response, raised = perform(make_app(), Request("GET", "/boom"))
    assert response.status_code == 500
    assert len(raised) == 1
    assert isinstance(raised[0], KeyError)


def make_response(status_code, mimetype="text/plain", body=b""):
    return Response(
        status_code, f"{status_code} X", mimetype, mimetype, (("Location", "/x"),), body
    )


@pytest.mark.parametrize(
    ("expected", "status", "ok"),
    [
        (None, 200, True),
        (None, 201, True),
        (None, 302, False),
        (None, 404, False),
        (404, 404, True),
        (404, 200, False),
        (302, 302, True),
    ],
)
def test_expected_status(expected, status, ok):
    request = Request("GET", "/", expected_status=expected)
    assert status_is_expected(request, make_response(status)) is ok


def test_response_helpers():
    broken_json = make_response(200, "application/json", b"{not json")
    assert broken_json.pretty_body() == "{not json"
    assert make_response(200, "application/problem+json").is_json
    assert make_response(200, "image/svg+xml").is_image
    assert make_response(200).header("location") == "/x"
    assert make_response(200).header("Allow") is None


def test_a_declared_server_error_does_not_log_its_traceback(caplog):
    app = make_app()
    perform(app, Request("GET", "/boom", expected_status=500))
    assert "Exception on /boom" not in caplog.text
    perform(app, Request("GET", "/boom"))
    assert "Exception on /boom" in caplog.text
    assert app.logger.disabled is False
