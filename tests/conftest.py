"""Hygiene for every test: no FLASK_* variable leaks in, no example module leaks out."""

import os
import sys

import pytest


@pytest.fixture(autouse=True)
def _clean_flask_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith("FLASK_"):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _forget_imported_examples():
    """Each test imports examples afresh, so module-level apps never share state."""
    yield
    for name in [n for n in sys.modules if n == "snippets" or n.startswith("snippets.")]:
        del sys.modules[name]
