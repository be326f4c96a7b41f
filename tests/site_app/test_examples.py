import pytest

from site_app.author.discover import discover, suggest
from site_app.errors import ExampleError


def test_finds_examples_sorted_and_where_their_app_lives(project):
    project.example("zeta", {"app.py": project.HELLO})
    project.example("alpha", {"__init__.py": "def create_app(): ..."})
    project.example("_private", {"app.py": ""})
    (project.snippets / "__pycache__").mkdir()

    found = discover(project.snippets)

    assert list(found) == ["alpha", "zeta"]
    assert found["zeta"].app_module == "snippets.zeta.app"
    assert found["alpha"].app_module == "snippets.alpha"
    assert found["alpha"].app_file == project.snippets / "alpha" / "__init__.py"
    assert found["zeta"].display(found["zeta"].app_file) == "snippets/zeta/app.py"


def test_source_files_leave_out_bytecode(project):
    directory = project.example("one", {"app.py": "", "templates/a.html": "x"})
    (directory / "__pycache__").mkdir()
    (directory / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0")
    names = [
        p.relative_to(directory).as_posix()
        for p in discover(project.snippets)["one"].source_files()
    ]
    assert names == ["__init__.py", "app.py", "templates/a.html"]


def test_missing_directory(tmp_path):
    with pytest.raises(ExampleError, match="does not exist") as caught:
        discover(tmp_path / "nowhere")
    assert "snippets_dir" in caught.value.fix


def test_examples_directory_must_be_a_package(tmp_path):
    (tmp_path / "snippets").mkdir()
    with pytest.raises(ExampleError) as caught:
        discover(tmp_path / "snippets")
    assert str(caught.value.where) == "snippets/__init__.py"
    assert "__init__.py" in caught.value.fix


def test_example_without_init(project):
    project.example("loose", {"app.py": project.HELLO}, package=False)
    with pytest.raises(ExampleError, match=r"no __init__\.py") as caught:
        discover(project.snippets)
    assert str(caught.value.where) == "snippets/loose/"


def test_example_with_a_bad_name(project):
    project.example("Bad-Name", {"app.py": ""})
    with pytest.raises(ExampleError, match="'Bad-Name' is not a valid example name") as caught:
        discover(project.snippets)
    assert "lower-case" in caught.value.fix


def test_reads_build_settings(project):
    project.example(
        "db",
        {
            "app.py": "",
            "example.toml": """
                [build]
                setup = ["init-db", "seed 3"]
                urls = ["/items/1/"]
                default_mimetype = "application/json"

                [build.config]
                DATABASE = "{instance}/app.db"
            """,
        },
    )
    settings = discover(project.snippets)["db"].settings
    assert settings.setup == ("init-db", "seed 3")
    assert settings.urls == ("/items/1/",)
    assert settings.default_mimetype == "application/json"
    assert settings.config == {"DATABASE": "{instance}/app.db"}


@pytest.mark.parametrize(
    ("toml", "what", "fix"),
    [
        ("[build\n", "not valid TOML", "correct the syntax"),
        (
            "[build]\nsetpu = []\n",
            "unknown setting(s): build.setpu",
            "accepts browser, browser_reason, config",
        ),
        ("[freeze]\n", "unknown setting(s): freeze", "[build]"),
        (
            '[build]\nsetup = "init-db"\n',
            "build.setup must be a list of strings",
            'setup = ["..."]',
        ),
        ("[build]\nconfig = 3\n", "build.config must be a table", "[build.config]"),
        (
            "[build]\ndefault_mimetype = 1\n",
            "default_mimetype must be a string",
            "application/json",
        ),
        (
            '[build]\nframework = "starlette"\n',
            "build.framework must be one of 'flask', 'fastapi', 'django', not 'starlette'",
            "leave it out for a Flask app",
        ),
        (
            "[build]\nframework = 3\n",
            "build.framework must be one of 'flask', 'fastapi', 'django', not 3",
            'framework = "fastapi"',
        ),
        (
            '[build]\nframework = "django"\nsetup = ["init-db"]\n',
            "build.setup applies to Flask examples only, and this one is framework = 'django'",
            "remove setup: a django example is captured with its own test client",
        ),
        (
            '[build]\nframework = "fastapi"\n[build.config]\nA = 1\n',
            "build.config applies to Flask examples only",
            "remove config",
        ),
        (
            "[build]\nbrowser = false\n",
            "build.browser = false needs a reason",
            'add browser_reason = "..."',
        ),
        (
            '[build]\nframework = "django"\nbrowser = false\n',
            "build.browser = false needs a reason",
            'add browser_reason = "..."',
        ),
        (
            '[build]\nbrowser = "no"\n',
            "build.browser must be true or false",
            "browser = false",
        ),
        (
            '[build]\nbrowser_reason = "why"\n',
            "build.browser_reason is set, but the example runs in the browser",
            "set browser = false",
        ),
    ],
)
def test_bad_settings_name_the_file(project, toml, what, fix):
    project.example("bad", {"app.py": "", "example.toml": toml})
    with pytest.raises(ExampleError) as caught:
        discover(project.snippets)
    assert what in caught.value.what
    assert fix in caught.value.fix
    assert str(caught.value.where) == "snippets/bad/example.toml"


def test_settings_that_are_not_utf8(project):
    project.example("latin", {"app.py": "", "example.toml": "# caf\xe9\n".encode("latin-1")})
    with pytest.raises(ExampleError, match="not valid UTF-8") as caught:
        discover(project.snippets)
    assert caught.value.fix == "save it as UTF-8"


def test_suggests_a_close_name_or_lists_them(project):
    project.example("json_api", {"app.py": ""})
    examples = discover(project.snippets)
    assert suggest(examples, "json-api", "snippets") == "did you mean 'json_api'?"
    assert "json_api" in suggest(examples, "zzz", "snippets")
    assert "none yet" in suggest({}, "zzz", "snippets")


def test_framework_defaults_to_flask_and_accepts_fastapi_and_django(project):
    project.example("plain", {"app.py": ""})
    project.example("fa", {"app.py": "", "example.toml": '[build]\nframework = "fastapi"\n'})
    project.example("dj", {"app.py": "", "example.toml": '[build]\nframework = "django"\n'})
    found = discover(project.snippets)
    assert found["plain"].settings.framework == "flask"
    assert found["plain"].settings.is_flask
    assert found["fa"].settings.framework == "fastapi"
    assert not found["dj"].settings.is_flask


def test_browser_defaults_to_running_a_flask_or_django_example(project):
    project.example("plain", {"app.py": ""})
    project.example("fa", {"app.py": "", "example.toml": '[build]\nframework = "fastapi"\n'})
    project.example("dj", {"app.py": "", "example.toml": '[build]\nframework = "django"\n'})
    reason = "pandas has no pure-Python wheel"
    toml = f'[build]\nbrowser = false\nbrowser_reason = "  {reason} "\n'
    project.example("heavy", {"app.py": "", "example.toml": toml})
    found = discover(project.snippets)
    assert (found["plain"].settings.browser, found["plain"].settings.browser_reason) == (True, "")
    assert (found["fa"].settings.browser, found["fa"].settings.browser_reason) == (False, "")
    assert (found["dj"].settings.browser, found["dj"].settings.browser_reason) == (True, "")
    assert (found["heavy"].settings.browser, found["heavy"].settings.browser_reason) == (
        False,
        reason,
    )
