"""The library's tests build small projects in this process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)
