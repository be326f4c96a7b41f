"""The guide's own tooling builds small projects too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)
