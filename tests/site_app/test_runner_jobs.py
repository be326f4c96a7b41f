"""What the in-browser runner is told about an example: its imports, checked; its job; its button."""

from __future__ import annotations

import html
import io
import json
import re
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from site_app.author.discover import discover
from site_app.errors import BuildFailed
from site_app.model import Block, Request, Response, Shown, ShownFile, Submit, Upload
from site_app.render.html import answer_in_focus, run_controls
from site_app.render.runner import Shipped, check_imports, example_job, wheel_contents

STDLIB = frozenset(sys.stdlib_module_names)


def _wheel(folder: Path, name: str, modules: dict[str, str], requires: list[str]) -> Path:
    """A small wheel: its modules, and METADATA that requires ``requires``."""
    path = folder / f"{name}-1.0-py3-none-any.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file, text in modules.items():
            archive.writestr(file, text)
        metadata = [f"Name: {name}", *(f"Requires-Dist: {r}" for r in requires)]
        archive.writestr(f"{name}-1.0.dist-info/METADATA", "\n".join(metadata) + "\n")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def shipped(tmp_path: Path) -> Shipped:
    wheels = [
        _wheel(
            tmp_path,
            "flask",
            {"flask/__init__.py": ""},
            ["Werkzeug>=3", 'asgiref; extra == "async"'],
        ),
        _wheel(tmp_path, "werkzeug", {"werkzeug/__init__.py": ""}, []),
        _wheel(tmp_path, "typing_extensions", {"typing_extensions.py": ""}, []),
    ]
    return Shipped.of(wheels)


def test_wheel_contents_name_modules_and_requirements_without_extras(tmp_path: Path) -> None:
    wheel = _wheel(
        tmp_path, "demo", {"demo/__init__.py": "", "solo.py": ""}, ["Click>=8", "x; extra == 'y'"]
    )
    assert wheel_contents(wheel) == ({"demo", "solo"}, ["click"])


def test_an_example_needs_what_its_app_imports_and_their_requirements(project, shipped) -> None:
    project.example(
        "shop",
        {
            "app.py": "import json\nfrom flask import Flask\nfrom . import views\n",
            "views.py": "from snippets.shop.helpers import tidy\n",
            "helpers.py": "import typing_extensions\n",
            # Reached by no import of the app: its imports do not count.
            "freeze.py": "import flask_frozen\n",
        },
    )
    example = discover(project.snippets)["shop"]
    assert check_imports(example, shipped, STDLIB) == ["flask", "typing_extensions", "werkzeug"]


def test_an_import_the_site_does_not_ship_stops_the_build_at_its_line(project, shipped) -> None:
    project.example(
        "charts",
        {
            "app.py": "from flask import Flask\nfrom .plots import draw\n",
            "plots.py": "# Charts.\n\nimport pandas as pd\n",
        },
    )
    with pytest.raises(BuildFailed) as caught:
        check_imports(discover(project.snippets)["charts"], shipped, STDLIB)
    [error] = caught.value.errors
    assert str(error.where) == "snippets/charts/plots.py:3"
    assert "imports pandas, which the site does not ship to the browser" in error.what
    assert "browser = false" in error.fix


def test_a_job_holds_every_file_setup_config_and_packages(project) -> None:
    project.example(
        "db",
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "static/dot.png": b"\x89PNG\r\n\x1a\n\xff",
            "example.toml": '[build]\nsetup = ["init-db"]\n[build.config]\nDB = "{instance}/x.db"\n',
        },
    )
    job = example_job(discover(project.snippets)["db"], ["flask"])
    assert job["module"] == "snippets.db.app"
    assert job["framework"] == "flask"
    assert job["top"] == "snippets"
    assert job["files"]["app.py"].startswith("from flask import Flask")
    assert job["files"]["static/dot.png"] == {"base64": "iVBORw0KGgr/"}
    assert set(job["mtimes"]) == set(job["files"])
    assert (job["setup"], job["config"], job["packages"]) == (
        ["init-db"],
        {"DB": "{instance}/x.db"},
        ["flask"],
    )


def test_a_job_shows_python_files_without_section_markers(project) -> None:
    """The reader edits a file as its tab shows it: the --8<-- markers are for pages."""
    marked = (
        "from flask import Flask\n"
        "# --8<-- [start:app]\n"
        "app = Flask(__name__)\n"
        "# --8<-- [end:app]\n"
        'NOTE = "--8<-- stays in a string"\n'
    )
    project.example("marked", {"app.py": marked, "static/note.txt": "# --8<-- [start:x]\n"})
    job = example_job(discover(project.snippets)["marked"], ["flask"])
    assert job["files"]["app.py"] == (
        'from flask import Flask\napp = Flask(__name__)\nNOTE = "--8<-- stays in a string"\n'
    )
    # A file an app may serve as it is keeps its bytes: the answers must not change.
    assert job["files"]["static/note.txt"] == "# --8<-- [start:x]\n"


DJANGO_APP = """\
from django.conf import settings
from django.http import JsonResponse
from django.urls import path

if not settings.configured:
    settings.configure(ROOT_URLCONF=__name__)

urlpatterns = [path("", lambda request: JsonResponse({}))]
"""


def test_a_django_job_names_its_framework_and_needs_werkzeug_for_the_status_line(
    project, tmp_path
) -> None:
    project.example("dj", {"app.py": DJANGO_APP, "example.toml": '[build]\nframework = "django"\n'})
    wheels = [
        _wheel(tmp_path, "django", {"django/__init__.py": ""}, ["asgiref>=3.8", "tzdata"]),
        _wheel(tmp_path, "asgiref", {"asgiref/__init__.py": ""}, []),
        _wheel(tmp_path, "werkzeug", {"werkzeug/__init__.py": ""}, ["MarkupSafe>=2.1.1"]),
        _wheel(tmp_path, "markupsafe", {"markupsafe/__init__.py": ""}, []),
    ]
    example = discover(project.snippets)["dj"]
    packages = check_imports(example, Shipped.of(wheels), STDLIB)
    # tzdata is not shipped (Django needs it on Windows only): it is left out.
    assert packages == ["asgiref", "django", "markupsafe", "werkzeug"]
    job = example_job(example, packages)
    assert (job["framework"], job["module"]) == ("django", "snippets.dj.app")


def test_a_django_example_without_werkzeug_shipped_stops_the_build(project, tmp_path) -> None:
    project.example("dj", {"app.py": DJANGO_APP, "example.toml": '[build]\nframework = "django"\n'})
    wheels = [
        _wheel(tmp_path, "django", {"django/__init__.py": ""}, []),
    ]
    with pytest.raises(BuildFailed) as caught:
        check_imports(discover(project.snippets)["dj"], Shipped.of(wheels), STDLIB)
    [error] = caught.value.errors
    assert "the runner needs werkzeug to run one" in error.what
    assert str(error.where) == "snippets/dj/app.py"


def _block(indent: str = "") -> Block:
    requests = (
        Request("GET", "/api/items"),
        Request("POST", "/api/items", {"name": "</script><b>"}, 201, show=("Location",)),
    )
    return Block("docs/a.md", 3, 9, indent, "json_api", requests=requests)


def test_run_controls_carry_the_requests_and_the_files_to_edit() -> None:
    shown = [ShownFile("app.py", "snippets/json_api/app.py", "json_api/app.py:routes", "python")]
    text = run_controls(_block(), shown * 2)
    assert "\n" not in text  # one element, in the paragraph the fence puts it in
    assert "</script><b>" not in text
    job = json.loads(html.unescape(re.search(r'data-ffg-job="([^"]*)"', text)[1]))
    assert job["example"] == "json_api"
    assert job["edit"] == ["app.py"]
    assert job["requests"][1] == {
        "method": "POST",
        "path": "/api/items",
        "json": '{"name": "</script><b>"}',
        "form": [],
        "headers": [],
        "status": 201,
        "show": ["Location"],
        "submit": None,
        "files": [],
    }
    assert "data-ffg-run>Run</button>" in text
    # The editor opens and closes with this button: it says whether it is open.
    assert 'data-ffg-edit aria-expanded="false">Edit</button>' in text
    assert job["open"] == 0


def test_run_controls_carry_a_submitted_form_and_its_uploads() -> None:
    upload = Upload("doc", "samples/notes.txt", "notes for Ada.txt", "text/plain")
    submit = Request(
        "", "", submit=Submit("#upload", (("title", "Notes"), ("public", True)), novalidate=True)
    )
    block = Block(
        "docs/a.md",
        3,
        9,
        "",
        "files",
        requests=(Request("GET", "/files/"), replace(submit, files=(upload,))),
    )
    job = json.loads(
        html.unescape(re.search(r'data-ffg-job="([^"]*)"', run_controls(block, []))[1])
    )
    assert job["requests"][1]["submit"] == {
        "form": "#upload",
        "fields": [["title", "Notes"], ["public", True]],
        "novalidate": True,
    }
    assert job["requests"][1]["files"] == [
        {
            "field": "doc",
            "source": "samples/notes.txt",
            "filename": "notes for Ada.txt",
            "content_type": "text/plain",
        }
    ]


def test_run_controls_show_the_reason_instead_of_a_button() -> None:
    text = run_controls(_block("    "), [], reason="it needs <pandas>")
    assert text.startswith('<span class="ffg-run-note ffg-run-off">')
    assert html.escape("This example does not run in the browser: it needs <pandas>") in text
    assert "data-ffg-run" not in text


def _answer(method: str, status: int = 200) -> Shown:
    response = Response(status, str(status), "text/plain", "text/plain", (), b"")
    return Shown(Request(method, "/"), response)


@pytest.mark.parametrize(
    ("methods", "focus"),
    [
        (["GET", "POST", "GET"], 1),  # the form's POST, not the GET that fetched it
        (["GET", "HEAD", "DELETE", "PUT"], 2),
        (["GET", "GET"], 0),
        (["post"], 0),
    ],
)
def test_the_answer_in_focus_is_the_first_that_sends_something(
    methods: list[str], focus: int
) -> None:
    assert answer_in_focus([_answer(method) for method in methods]) == focus


def test_run_controls_tell_the_runner_which_answer_to_open() -> None:
    text = run_controls(_block(), [], focus=1)
    job = json.loads(html.unescape(re.search(r'data-ffg-job="([^"]*)"', text)[1]))
    assert job["open"] == 1
