"""The GitHub workflows: valid, locked down, pinned, and running nox sessions only."""

from __future__ import annotations

import itertools
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT, read_noxfile

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
IDS = [p.name for p in WORKFLOWS]
CI = ROOT / ".github" / "workflows" / "ci.yml"
PAGES = ROOT / ".github" / "workflows" / "pages.yml"

PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
PIN_LINE = re.compile(
    r"^\s*(?:- )?uses:\s*(?P<action>[^@\s]+)@(?P<ref>\S+)(?:\s+#\s*(?P<version>\S+))?"
)
VERSION = re.compile(r"^v\d+\.\d+\.\d+$")

# Sessions a workflow calls that the noxfile does not define yet, and why.
# A strict xfail: once the session exists, the xfail fails and its line here must go.
# Sessions a workflow may call before they land in noxfile.py (expected failures).
PENDING_SESSIONS: dict[str, str] = {}
# Default sessions (nox.options.sessions) that ci.yml does not run yet, and why.
# Exact: once ci.yml runs one, the test below fails until its line here goes.
DEFAULTS_NOT_IN_CI_YET: dict[str, str] = {}


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a YAML mapping"
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """The ``on:`` mapping; YAML 1.1 (PyYAML) reads the bare key ``on`` as True."""
    on = workflow.get("on", workflow.get(True))
    assert on is not None, "the workflow has no 'on:' triggers"
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on)


def jobs(path: Path) -> dict[str, dict[str, Any]]:
    found = load(path).get("jobs")
    assert found, f"{path.name} has no jobs"
    return found


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def uses(step: dict[str, Any], action: str) -> bool:
    return str(step.get("uses", "")).startswith(f"{action}@")


def run_lines(job: dict[str, Any]) -> list[str]:
    """Every command line of the job's ``run:`` steps (a line ending in ``\\`` goes on)."""
    return [
        line.strip()
        for step in steps(job)
        for line in str(step.get("run", "")).replace("\\\n", " ").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def words(line: str) -> list[str]:
    """A run line as words, without leading VAR=value assignments."""
    found = shlex.split(line)
    while found and re.match(r"^[A-Z_][A-Z0-9_]*=", found[0]):
        found.pop(0)
    return found


def is_nox(line: str) -> bool:
    return words(line)[:1] == ["nox"]


def is_setup(line: str) -> bool:
    """Installing nox, system packages, or the npm tools package-lock.json pins (as .ci/run
    does): the only other work allowed."""
    found = words(line)
    if found[:1] == ["sudo"]:
        found = found[1:]
    if found[:1] == ["apt-get"] or found[:2] == ["npm", "ci"]:
        return True
    return "pip" in found and "install" in found and any(w.startswith("nox") for w in found)


def sessions_of(line: str) -> list[str]:
    """The sessions a nox command names; [] for a plain ``nox`` (its default sessions)."""
    found = words(line)
    return [value for flag, value in itertools.pairwise(found) if flag in ("-s", "--session")]


def called_sessions() -> dict[str, list[str]]:
    """Each session a workflow runs, with the workflows and jobs that run it."""
    found: dict[str, list[str]] = {}
    for path in WORKFLOWS:
        for name, job in jobs(path).items():
            for line in run_lines(job):
                for session in sessions_of(line) if is_nox(line) else []:
                    found.setdefault(session, []).append(f"{path.name} job {name}")
    return found


def test_the_workflows_exist():
    assert CI in WORKFLOWS
    assert PAGES in WORKFLOWS


@pytest.mark.parametrize("path", WORKFLOWS, ids=IDS)
def test_top_level_permissions_are_empty(path):
    assert load(path).get("permissions") == {}, (
        f"{path.name}: start from 'permissions: {{}}' and grant each job what it needs"
    )


@pytest.mark.parametrize("path", WORKFLOWS, ids=IDS)
def test_every_action_is_pinned_to_a_commit_and_names_its_release(path):
    for name, job in jobs(path).items():
        for step in steps(job):
            if "uses" in step:
                assert PINNED.match(step["uses"]), (
                    f"{path.name}: job {name} uses {step['uses']}; pin it to a full commit SHA"
                )
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if found := PIN_LINE.match(line):
            assert VERSION.match(found["version"] or ""), (
                f"{path.name}:{number}: say which release the SHA is, as in '# v4.2.2'"
            )


def test_each_action_has_one_pin_everywhere():
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if found := PIN_LINE.match(line):
                pins.setdefault(found["action"], set()).add((found["ref"], found["version"]))
    assert pins
    mixed = {action: sorted(refs) for action, refs in pins.items() if len(refs) > 1}
    assert not mixed, f"one action, several pins: {mixed}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=IDS)
def test_every_job_has_a_timeout(path):
    for name, job in jobs(path).items():
        timeout = job.get("timeout-minutes")
        message = f"{path.name}: job {name} needs 'timeout-minutes:' between 1 and 60"
        assert isinstance(timeout, int), message
        assert 0 < timeout <= 60, message


@pytest.mark.parametrize("path", WORKFLOWS, ids=IDS)
def test_checkout_keeps_no_credentials(path):
    for name, job in jobs(path).items():
        for step in steps(job):
            if uses(step, "actions/checkout"):
                assert step.get("with", {}).get("persist-credentials") is False, (
                    f"{path.name}: job {name} leaves the token in .git/config;"
                    " add 'persist-credentials: false' to the checkout"
                )


@pytest.mark.parametrize("path", WORKFLOWS, ids=IDS)
def test_only_the_deploy_job_may_write(path):
    for name, job in jobs(path).items():
        permissions = job.get("permissions", {})
        assert isinstance(permissions, dict), f"{path.name}: job {name}: list its permissions"
        if any(uses(step, "actions/deploy-pages") for step in steps(job)):
            assert permissions == {"pages": "write", "id-token": "write"}, (
                f"{path.name}: job {name} deploys and needs exactly pages and id-token: write"
            )
        else:
            assert set(permissions.items()) <= {("contents", "read")}, (
                f"{path.name}: job {name} asks for {permissions}; it needs at most contents: read"
            )


@pytest.mark.parametrize("path", WORKFLOWS, ids=IDS)
def test_run_steps_call_nox_and_nothing_else(path):
    for name, job in jobs(path).items():
        for line in run_lines(job):
            assert is_nox(line) or is_setup(line), (
                f"{path.name}: job {name} runs {line!r}; workflows install nox (or system"
                " packages) and call nox sessions only: put the work in noxfile.py"
            )


def test_every_ci_job_runs_nox():
    for name, job in jobs(CI).items():
        assert any(is_nox(line) for line in run_lines(job)), f"ci.yml: job {name} never runs nox"


def test_ci_runs_every_default_session():
    """CI runs at least what a bare `nox` runs, as .ci/run and contributors do."""
    defaults = read_noxfile().defaults
    assert defaults, "noxfile.py sets no nox.options.sessions"
    ci_sessions = {
        s for job in jobs(CI).values() for line in run_lines(job) for s in sessions_of(line)
    }
    missing = set(defaults) - ci_sessions
    assert missing == set(DEFAULTS_NOT_IN_CI_YET), (
        f"ci.yml never runs these default sessions: {sorted(missing)} "
        f"(known and pending: {sorted(DEFAULTS_NOT_IN_CI_YET)})"
    )


def session_params() -> list[Any]:
    params = []
    for session, where in sorted(called_sessions().items()):
        pending = PENDING_SESSIONS.get(session)
        marks = [pytest.mark.xfail(reason=pending, strict=True)] if pending else []
        params.append(pytest.param(session, where, id=session, marks=marks))
    return params


@pytest.mark.parametrize(("session", "where"), session_params())
def test_called_sessions_exist_in_the_noxfile(session, where):
    assert session in read_noxfile().sessions, (
        f"{', '.join(where)} runs 'nox -s {session}'; noxfile.py has no such session"
    )


def test_ci_runs_the_examples_on_each_python_of_the_python_version_file():
    listed = (ROOT / ".python-version").read_text(encoding="utf-8").split()
    wanted = {".".join(version.split(".")[:2]) for version in listed}
    examples = jobs(CI)["examples"]
    matrix = examples["strategy"]["matrix"]["python"]
    assert set(matrix) == wanted, (
        f"ci.yml runs the examples on {matrix}; .python-version lists {sorted(wanted)}"
    )
    assert any(
        "--python" in words(line) and sessions_of(line) == ["examples"]
        for line in run_lines(examples)
    ), "the examples job must run 'nox -s examples --python <matrix version>'"


def test_ci_runs_on_pull_requests_and_pushes_to_main():
    on = triggers(load(CI))
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]


def test_the_browser_job_installs_debian_chromium():
    job = jobs(CI)["browser"]
    assert "bookworm" in str(job.get("container", "")), "run the browser job in Debian"
    installs = [words(line) for line in run_lines(job) if words(line)[:2] == ["apt-get", "install"]]
    assert any("chromium" in found for found in installs)


def test_pull_requests_get_the_built_site_as_an_artifact():
    build = jobs(CI)["build"]
    assert any(sessions_of(line) == ["build"] for line in run_lines(build))
    uploads = [step for step in steps(build) if uses(step, "actions/upload-artifact")]
    assert uploads, "ci.yml: the build job uploads no artifact"
    assert uploads[0]["with"]["path"].rstrip("/") == "site"
    assert "pull_request" in uploads[0].get("if", "")


def test_pages_builds_with_nox_and_deploys_from_main():
    workflow = load(PAGES)
    assert triggers(workflow)["push"]["branches"] == ["main"]
    assert workflow.get("concurrency", {}).get("group"), "pages.yml needs a concurrency group"
    build, deploy = jobs(PAGES)["build"], jobs(PAGES)["deploy"]
    assert any(sessions_of(line) == ["build"] for line in run_lines(build))
    uploads = [step for step in steps(build) if uses(step, "actions/upload-pages-artifact")]
    assert uploads, "pages.yml: the build job uploads no Pages artifact"
    assert uploads[0]["with"]["path"].rstrip("/") == "site"
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert any(uses(step, "actions/deploy-pages") for step in steps(deploy))


def test_the_workflows_match_the_github_workflow_schema():
    """check-jsonschema ships the schema inside its package: no network needed."""
    schema = ["--builtin-schema", "vendor.github-workflows"]
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *schema, *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
