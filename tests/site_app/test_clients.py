"""FastAPI and Django examples: captured with their own test clients, never frozen.

Django settings can be configured once per process, so every Django example
here runs through the Builder, in a worker process of its own.
"""

import pytest

from site_app.author.discover import discover
from site_app.errors import BuildFailed
from site_app.execute.clients import FlaskTestClient, connect, mimetype_of, status_line

FASTAPI = """
    from fastapi import FastAPI, Request, Response
    from pydantic import BaseModel

    app = FastAPI()
    NAMES = []


    class Name(BaseModel):
        name: str


    @app.post("/names", status_code=201)
    def add(body: Name, response: Response):
        NAMES.append(body.name)
        response.set_cookie("last", body.name)
        return {"count": len(NAMES)}


    @app.get("/names")
    def names():
        return {"names": NAMES}


    @app.get("/boom")
    def boom():
        return 1 / 0


    @app.post("/echo")
    async def echo(request: Request):
        body = await request.body()
        return {"body": body.decode(), "agent": request.headers.get("x-agent")}
"""

DJANGO = """
    from django.conf import settings
    from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
    from django.urls import path

    if not settings.configured:
        settings.configure(ROOT_URLCONF=__name__)

    NAMES = []


    def names(request):
        if request.method == "POST":
            NAMES.append(request.POST["name"])
            response = JsonResponse({"count": len(NAMES)}, status=201)
            response.set_cookie("last", NAMES[-1])
            return response
        return JsonResponse({"names": NAMES, "agent": request.headers.get("X-Agent")})


    def page(request):
        return HttpResponse("<p>plain</p>")


    def boom(request):
        return {}["missing"]


    def stream(request):
        return StreamingHttpResponse(["one ", "two"], content_type="text/plain")


    urlpatterns = [
        path("names", names),
        path("page/", page),
        path("boom", boom),
        path("stream", stream),
    ]
"""


def block(example, *requests):
    lines = "".join(f"  - {r}\n" for r in requests)
    return f"Intro\n\n```flask-example\nexample: {example}\nrequests:\n{lines}```\n"


def failure(project):
    with pytest.raises(BuildFailed) as caught:
        project.build()
    return caught.value.errors


def test_status_line_reads_like_werkzeugs_on_every_python():
    assert status_line(200) == "200 OK"
    assert status_line(404) == "404 NOT FOUND"
    assert status_line(422) == "422 UNPROCESSABLE ENTITY"  # "Content" in Python 3.13's table
    assert status_line(299) == "299 UNKNOWN"
    assert mimetype_of("application/json; charset=UTF-8") == "application/json"


def test_fastapi_example_is_captured_with_its_test_client_and_not_frozen(project):
    project.example("fa", {"app.py": FASTAPI, "example.toml": '[build]\nframework = "fastapi"\n'})
    project.page(
        "a.md",
        block(
            "fa",
            '\'POST /names {"name": "ada"} -> 201\'',
            "GET /names",
            '\'POST /names {"nom": "x"} -> 422\'',
            "request: POST /echo\n    form: {a: b}\n    headers: {X-Agent: tests}",
        ),
    )
    logged = []
    builder = project.builder()
    builder.log = logged.append
    result = builder.build(project.pages)
    created, listed, invalid, echoed = result.blocks[("a.md", 3)].answers
    assert created.response.status == "201 CREATED"
    assert created.response.mimetype == "application/json"
    assert created.response.header("Set-Cookie").startswith("last=ada")
    assert listed.response.pretty_body() == '{\n  "names": [\n    "ada"\n  ]\n}'
    assert invalid.response.status == "422 UNPROCESSABLE ENTITY"
    assert '"missing"' in invalid.response.text
    assert echoed.response.pretty_body() == '{\n  "body": "a=b",\n  "agent": "tests"\n}'
    assert result.frozen["fa"].files == {}
    # Nothing frozen: the site publishes its download only.
    assert list(result.site_files()) == ["examples/fa/fa.zip"]
    assert any(line.startswith("captured fa (fastapi): 4 requests") for line in logged)
    # Unchanged, it comes from the cache like a Flask example.
    again = project.builder().build(project.pages)
    assert again.reused == ["fa"]
    assert again.blocks[("a.md", 3)].answers[1].response == listed.response


def test_django_example_is_captured_with_its_test_client_and_not_frozen(project):
    project.example("dj", {"app.py": DJANGO, "example.toml": '[build]\nframework = "django"\n'})
    # A file left by a build when the example was a Flask app must not be published.
    stale = project.root / ".cache/frozen/dj/index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    project.page(
        "a.md",
        block(
            "dj",
            "request: POST /names -> 201\n    form: {name: ada}\n    show: [Set-Cookie]",
            "request: GET /names\n    headers: {X-Agent: tests}",
            "GET /page/",
            "GET /stream",
        ),
    )
    result = project.build()
    created, listed, page, streamed = result.blocks[("a.md", 3)].answers
    assert streamed.response.text == "one two"
    assert created.response.status == "201 CREATED"
    assert created.response.header("Set-Cookie").startswith("last=ada")
    assert (
        listed.response.pretty_body() == '{\n  "names": [\n    "ada"\n  ],\n  "agent": "tests"\n}'
    )
    assert page.response.is_html
    assert page.preview is None  # nothing frozen, so nothing to preview
    assert result.frozen["dj"].files == {}
    assert list(result.site_files()) == ["examples/dj/dj.zip"]
    assert not stale.exists()


def test_view_exceptions_name_the_exception_and_the_line(project):
    project.example("fa", {"app.py": FASTAPI, "example.toml": '[build]\nframework = "fastapi"\n'})
    project.example("dj", {"app.py": DJANGO, "example.toml": '[build]\nframework = "django"\n'})
    project.page("a.md", block("fa", "GET /boom"))
    project.page("b.md", block("dj", "GET /boom"))
    errors = {str(e.where): e for e in failure(project)}
    assert set(errors) == {"a.md:6", "b.md:6"}
    assert (
        "GET /boom to example 'fa' raised ZeroDivisionError: division by zero "
        "(snippets/fa/app.py:26)" in errors["a.md:6"].what
    )
    assert (
        "GET /boom to example 'dj' raised KeyError: 'missing' (snippets/dj/app.py:25)"
        in errors["b.md:6"].what
    )


def test_examples_that_do_not_match_their_framework(project):
    flask_app = "from flask import Flask\n\napp = Flask(__name__)\n"
    project.example("fa", {"app.py": flask_app, "example.toml": '[build]\nframework = "fastapi"\n'})
    project.example(
        "unconfigured",
        {"app.py": "urlpatterns = []\n", "example.toml": '[build]\nframework = "django"\n'},
    )
    project.example(
        "elsewhere",
        {
            "app.py": "from django.conf import settings\n\nsettings.configure(ROOT_URLCONF='x.urls')\n",
            "example.toml": '[build]\nframework = "django"\n',
        },
    )
    project.example(
        "broken",
        {"app.py": "import django\n\n1 / 0\n", "example.toml": '[build]\nframework = "django"\n'},
    )
    for name in ("fa", "unconfigured", "elsewhere", "broken"):
        project.page(f"{name}.md", block(name, "GET /"))
    errors = {str(e.where): e for e in failure(project)}
    fa = errors["snippets/fa/app.py"]
    assert fa.what == "example 'fa' gave a Flask, not a FastAPI app"
    unconfigured = errors["snippets/unconfigured/app.py"]
    assert unconfigured.what == "example 'unconfigured' does not configure Django"
    assert "settings.configure(ROOT_URLCONF=__name__" in unconfigured.fix
    elsewhere = errors["snippets/elsewhere/app.py"]
    assert "sets ROOT_URLCONF to 'x.urls', not to its own module" in elsewhere.what
    broken = errors["snippets/broken/app.py:3"]
    assert broken.what == "importing example 'broken' failed: ZeroDivisionError: division by zero"


def test_a_flask_app_under_another_framework_setting_is_named(project):
    project.example("fl", {"app.py": "app = object()\n"})
    project.page("a.md", block("fl", "GET /"))
    [error] = failure(project)
    assert error.what == "example 'fl' gave a object, not a Flask app"
    assert 'framework = "fastapi" or "django"' in error.fix


def test_connect_is_for_other_frameworks_only(project):
    project.example("fl", {"app.py": project.HELLO})
    with pytest.raises(ValueError, match="not 'flask'"):
        connect(discover(project.snippets)["fl"], project.settings())


def test_flask_client_keeps_cookies():
    from flask import Flask, request

    from site_app.model import Request

    app = Flask(__name__)

    @app.get("/")
    def index():
        return {"seen": request.cookies.get("n")}, 200, {"Set-Cookie": "n=1"}

    client = FlaskTestClient(app)
    first, _ = client.send(Request("GET", "/"))
    second, _ = client.send(Request("GET", "/"))
    assert first.body == b'{"seen":null}\n'
    assert second.body == b'{"seen":"1"}\n'
