"""The home page states the versions the examples are tested on, as the noxfile runs them."""

import ast

from .conftest import ROOT


def noxfile_list(name: str) -> list[str]:
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"noxfile.py has no {name} list")


def spoken(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def test_home_page_names_the_tested_versions():
    pythons, flasks = noxfile_list("PYTHONS"), noxfile_list("FLASKS")
    home = " ".join((ROOT / "docs/index.md").read_text().split())
    assert f"run on Python {spoken(pythons)}, each with" in home
    assert "Flask " + " and with Flask ".join(flasks) + "." in home


def test_every_python_of_the_matrix_is_in_python_version():
    listed = (ROOT / ".python-version").read_text().split()
    for version in noxfile_list("PYTHONS"):
        assert any(v.startswith(version + ".") for v in listed), version
