"""What the repository's own files say, read without running them."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Noxfile:
    sessions: set[str] = field(default_factory=set)
    defaults: list[str] = field(default_factory=list)
    # Each session's session.run(...) commands, without *session.posargs.
    commands: dict[str, list[list[str]]] = field(default_factory=dict)


def read_noxfile(path: Path = ROOT / "noxfile.py") -> Noxfile:
    found = Noxfile()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef) and any(
            ast.unparse(d).startswith("nox.session") for d in node.decorator_list
        ):
            found.sessions.add(node.name)
            calls = [
                call
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and ast.unparse(call.func) == "session.run"
            ]
            calls.sort(key=lambda call: (call.lineno, call.col_offset))
            found.commands[node.name] = [
                [arg.value for arg in call.args if isinstance(arg, ast.Constant)] for call in calls
            ]
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "nox.options.sessions":
            found.defaults = ast.literal_eval(node.value)
    return found
