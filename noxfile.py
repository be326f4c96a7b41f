"""Every task of the project is a session here; CI runs these and nothing else."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PYTHON = "3.11"

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True
# The versions the guide's examples are tested on; docs/index.md states them.
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
FLASKS = ["3.0", "3.1"]

nox.options.sessions = ["lint", "tests", "bench_gate", "examples", "browser", "corpus"]

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
# pytest-xdist: one test process per core. `-- -n 0` after a session's name runs in one.
PARALLEL = ("-n", "auto")
# The slowest tests of a run, printed at its end: a test that grew slow shows in CI's log.
SLOWEST = "--durations=10"


def install(session: nox.Session, *groups: str, extra: tuple[str, ...] = ()) -> None:
    """The project in editable mode plus the named dependency groups, when they changed.

    Sessions reuse their virtual environment (reuse_venv above). A stamp in it
    records what was installed: pyproject.toml's bytes and the requirements
    asked for. While it matches, nothing is installed again (the project is
    installed editable, so code changes need no reinstall). `nox -r`/`-R` keep
    working; `--reuse-venv=no` makes a fresh environment and installs again.
    """
    deps = [d for g in groups for d in nox.project.dependency_groups(PYPROJECT, g)]
    wanted = ["-e", ".", *deps, *extra]
    location = getattr(session.virtualenv, "location", None)
    stamp = Path(location) / ".installed-from" if location else None
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update("\0".join(wanted).encode())
    if stamp is not None and stamp.is_file() and stamp.read_text() == digest.hexdigest():
        session.log("dependencies unchanged since the last install; not installing")
        return
    session.install(*wanted)
    # Under -R (--no-install) nox skips the install above: then record nothing.
    runner = getattr(session, "_runner", None)
    skipped = getattr(getattr(runner, "global_config", None), "no_install", False)
    if stamp is not None and not skipped:
        stamp.write_text(digest.hexdigest())


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite but the browser tests, with coverage (pytest options after --)."""
    install(session, "test")
    # tests/browser and tests/corpus run once each, in their own sessions below.
    session.run(
        "pytest",
        *PARALLEL,
        SLOWEST,
        "--cov",
        "--cov-report=",
        "--ignore=tests/browser",
        "--ignore=tests/corpus",
        *session.posargs,
    )
    if session.posargs:
        session.warn(
            "coverage floors not checked: a run of part of the suite cannot meet them "
            "(run `nox -s tests` without arguments to check them)"
        )
        return
    session.run("coverage", "report", "--include=site_app/*", "--fail-under=90")
    session.run("coverage", "report", "--include=snippets/*", "--fail-under=100")


@nox.session(python=PYTHON, default=False)
def cov(session: nox.Session) -> None:
    """One example's coverage with the lines missed, against the 100 % floor: nox -s cov -- NAME."""
    if len(session.posargs) != 1:
        session.error("name one example: nox -s cov -- weather_api")
    install(session, "test")
    session.run("python", "-m", "tools.example_coverage", *session.posargs)


@nox.session(python=PYTHONS)
@nox.parametrize("flask", FLASKS)
def examples(session: nox.Session, flask: str) -> None:
    """Run the examples' tests on one Python and one Flask minor version."""
    install(session, "test", extra=(f"flask=={flask}.*",))
    session.run(
        "python", "-c", "import importlib.metadata as m; print('Flask', m.version('flask'))"
    )
    session.run(
        "pytest",
        *PARALLEL,
        "-p",
        "no:cacheprovider",
        "tests/snippets",
        "snippets",
        *session.posargs,
    )


def require_node_tools(session: nox.Session) -> None:
    """Stop with a clear message unless node_modules/ holds package.json's pinned versions.

    The session does not run `npm ci` itself: that deletes node_modules/ and
    downloads every package again on each run. `.ci/run` runs it once.
    """
    wanted = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    wrong = []
    for name, version in wanted.items():
        installed = ROOT / "node_modules" / name / "package.json"
        found = None
        if installed.is_file():
            found = json.loads(installed.read_text(encoding="utf-8"))["version"]
        if found != version:
            wrong.append(f"{name} {version} (found: {found or 'nothing'})")
    if wrong:
        session.error(
            "node_modules/ lacks what package.json pins: "
            + ", ".join(wrong)
            + f". Run `npm ci` in {ROOT} (Node and npm: `apt-get install nodejs npm`)"
        )


@nox.session(python=PYTHON)
def browser(session: nox.Session) -> None:
    """Run the browser tests in Debian's Chromium, axe-core and the Nu HTML Checker included."""
    require_node_tools(session)
    install(session, "test", "browser")
    # A test file or folder named after -- runs alone; otherwise the whole folder.
    named = any(arg.startswith("tests/") for arg in session.posargs)
    session.run(
        "pytest", *PARALLEL, SLOWEST, *([] if named else ["tests/browser"]), *session.posargs
    )


@nox.session(python=PYTHON)
def corpus(session: nox.Session) -> None:
    """Build real Flask apps from published sdists (pinned, cached in .cache/corpus/)."""
    install(session, "corpus")
    session.run("pytest", *PARALLEL, "-p", "no:cacheprovider", "tests/corpus", *session.posargs)


def node_modules_current() -> bool:
    """Whether node_modules/ holds exactly what package-lock.json pins (npm's own record)."""
    installed = ROOT / "node_modules" / ".package-lock.json"
    if not installed.is_file():
        return False
    wanted = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    found = json.loads(installed.read_text(encoding="utf-8"))["packages"]
    versions = {name: entry.get("version") for name, entry in wanted.items() if name}
    return versions == {name: entry.get("version") for name, entry in found.items()}


def npm_ci(session: nox.Session) -> None:
    """Install the pinned npm packages (Pyodide for the runner) when node_modules/ differs."""
    if node_modules_current():
        return
    if shutil.which("npm") is None:
        session.error(
            "the site ships an in-browser runner, and its Pyodide comes from npm: install "
            "Node.js and npm (`apt-get install nodejs npm`), then run `nox -s build` again"
        )
    session.run("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", external=True)


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Build the site into site/ with mkdocs build --strict (runs `npm ci` first when needed)."""
    npm_ci(session)
    install(session, "docs")
    session.run("mkdocs", "build", "--strict", *session.posargs, env=source_date())


def source_date() -> dict[str, str]:
    """SOURCE_DATE_EPOCH, which MkDocs reads for every page's date (the sitemap's lastmod):
    the last commit's time, so a build does not depend on the day it runs. Kept when set."""
    if "SOURCE_DATE_EPOCH" in os.environ or shutil.which("git") is None:
        return {}
    done = subprocess.run(
        ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    epoch = done.stdout.strip()
    return {"SOURCE_DATE_EPOCH": epoch} if done.returncode == 0 and epoch.isdigit() else {}


@nox.session(python=PYTHON, default=False)
def zensical(session: nox.Session) -> None:
    """Build the site with Zensical into site-zensical/: the engine, zensical build, its files."""
    npm_ci(session)
    install(session, "docs", "zensical")
    folder = ROOT / ".cache" / "zensical"  # the engine's output folder is in here
    config = ROOT / "mkdocs.zensical.yml"
    site = ROOT / "site-zensical"
    # Not strict: the pages the guide's MkDocs hook makes (Contributing) are missing here,
    # so the links to them would fail it.
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("\nstrict: true\n", "\n")
    out = folder / "site-files"
    session.run("python", "-m", "site_app", "build", "-f", "mkdocs.yml", "--out", str(out))
    # Zensical reuses a page's HTML while the page and the configuration are unchanged; the
    # blocks' views are neither, so their digest goes into the configuration it reads.
    cache = Path(os.environ.get("FLASK_EXAMPLES_CACHE", ROOT / ".cache" / "flask-examples"))
    views = cache / "blocks.pickle"
    digest = hashlib.sha256(views.read_bytes()).hexdigest()
    extra = f"site_dir: {site.name}\nextra:\n  flask_examples_views: {digest}\n"
    config.write_text(f"{text}\n{extra}", encoding="utf-8")
    try:
        env = {"FLASK_EXAMPLES_CONFIG": str(ROOT / "mkdocs.yml")}
        # Not --clean: Zensical would empty .cache/, the examples' cache with it.
        session.run("zensical", "build", "-f", str(config), *session.posargs, env=env)
    finally:
        config.unlink()
    marker = shutil.ignore_patterns(".flask-examples-output")  # the engine's own note
    shutil.copytree(out, site, dirs_exist_ok=True, ignore=marker)
    session.log(f"the site with the examples' files is in {site.name}/")


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """Serve the site with live reload on http://127.0.0.1:8000/."""
    install(session, "docs")
    session.run("mkdocs", "serve", *session.posargs)


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Benchmark the build against the targets: cold, warm, per example, an edit under serve."""
    install(session, "docs")
    session.run("python", "benchmarks/bench.py", *session.posargs)


@nox.session(python=PYTHON)
def bench_gate(session: nox.Session) -> None:
    """CI's quick benchmark: fails when a CPU-time figure passes its limit (bench.py --gate)."""
    install(session, "docs")
    session.run("python", "benchmarks/bench.py", "--gate", *session.posargs)


@nox.session(python=PYTHON, default=False)
def runner_bench(session: nox.Session) -> None:
    """The in-browser runner's budgets in Chromium: first click, re-run, page weight, size."""
    npm_ci(session)
    install(session, "docs", "browser")
    session.run("python", "benchmarks/runner.py", *session.posargs)


@nox.session(python=PYTHON, default=False)
def lighthouse(session: nox.Session) -> None:
    """Lighthouse (mobile) on three chapters: accessibility and performance, measured."""
    require_node_tools(session)
    install(session, "docs")
    session.run("python", "benchmarks/lighthouse.py", *session.posargs)


@nox.session(python=PYTHON)
def preview(session: nox.Session) -> None:
    """Serve every example live under /examples/<name>/ on http://127.0.0.1:5000/."""
    install(session, "docs")
    # Restarts when a file under snippets/ or site_app/ changes; watches nothing else.
    session.run("python", "-m", "site_app", "preview", *session.posargs)


@nox.session(python=PYTHON)
def new(session: nox.Session) -> None:
    """Scaffold an example, its test and a page: nox -s new -- NAME [--title TITLE]."""
    if not session.posargs:
        session.error("name the example: nox -s new -- my_example")
    install(session, "docs")
    session.run("python", "-m", "tools", "new", *session.posargs)


@nox.session(python=PYTHON)
def review(session: nox.Session) -> None:
    """Write tests/outputs/ anew from a build (after a change you mean to make)."""
    install(session, "docs")
    session.run("python", "-m", "tools", "review", "--update", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Check style with ruff, types with mypy --strict, site_app's layers with import-linter."""
    install(session, "lint")
    session.run("ruff", "check", *session.posargs)
    session.run(
        "ruff",
        "format",
        "--check",
        "site_app",
        "tools",
        "tests",
        "snippets",
        "benchmarks",
        "noxfile.py",
    )
    session.run("mypy")
    session.run("lint-imports")
