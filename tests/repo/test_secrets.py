"""No secret-looking value lands in snippets/ or docs/ unless audited in .secrets.baseline.

detect-secrets does the looking. Values the guide teaches with ("dev", a
throwaway build key, a demo user's password hash) are in the baseline,
audited as not secret; anything new fails here.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

HOOK = Path(sys.executable).with_name("detect-secrets-hook")


def run_hook(root: Path, files: list[str]) -> subprocess.CompletedProcess[str]:
    # The hook may rewrite the baseline it reads; give it a copy.
    baseline = root / "baseline.json"
    shutil.copyfile(ROOT / ".secrets.baseline", baseline)
    return subprocess.run(
        [str(HOOK), "--baseline", str(baseline), *files],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def tracked(*folders: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", *folders], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return listed.stdout.split()


def test_no_new_secret_in_snippets_or_docs(tmp_path):
    files = tracked("snippets", "docs") or [
        p.relative_to(ROOT).as_posix()
        for d in ("snippets", "docs")
        for p in (ROOT / d).rglob("*")
        if p.is_file()
    ]
    for name in files:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, target)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    done = run_hook(tmp_path, files)
    assert done.returncode == 0, (
        "detect-secrets found a secret-looking value (or .secrets.baseline is out of date):\n"
        + done.stdout
        + done.stderr
        + "\nIf it is a value the guide means to show, audit it: "
        "detect-secrets scan --baseline .secrets.baseline snippets docs && detect-secrets audit .secrets.baseline"
    )


def test_a_planted_key_is_found(tmp_path):
    planted = tmp_path / "snippets/leak/app.py"
    planted.parent.mkdir(parents=True)
    planted.write_text('from flask import Flask\n\nAWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLF"\n')
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    done = run_hook(tmp_path, ["snippets/leak/app.py"])
    assert done.returncode == 1
    assert "AWS Access Key" in done.stdout
    assert "snippets/leak/app.py:3" in done.stdout
