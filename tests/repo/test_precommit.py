"""The pre-commit hooks run exactly the commands of `nox -s lint`."""

import shlex

import yaml

from .conftest import ROOT, read_noxfile

CONFIG = ROOT / ".pre-commit-config.yaml"


def hooks() -> list[dict]:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    repos = config["repos"]
    assert [repo["repo"] for repo in repos] == ["local"], (
        "only local hooks: a hook repository would pin its own tool versions, not the lint group's"
    )
    return repos[0]["hooks"]


def test_the_lint_session_has_commands():
    assert read_noxfile().commands["lint"], "noxfile.py: the lint session runs nothing"


def test_hooks_run_the_lint_session_commands_in_order():
    commands = [shlex.split(hook["entry"]) + list(hook.get("args", [])) for hook in hooks()]
    assert commands == read_noxfile().commands["lint"], (
        ".pre-commit-config.yaml and the lint session in noxfile.py run different commands"
    )


def test_hooks_use_the_tools_of_the_environment_on_the_whole_project():
    for hook in hooks():
        assert hook["language"] in ("system", "python"), hook["id"]
        assert not hook.get("additional_dependencies"), (
            f"{hook['id']}: tool versions come from the lint group in pyproject.toml"
        )
        assert hook.get("pass_filenames") is False, (
            f"{hook['id']}: the lint session checks the whole project, not the staged files"
        )
