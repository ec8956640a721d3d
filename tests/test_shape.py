"""The shape issue 13 set: no module over about 600 lines (data excepted), and no function over 60
lines without a docstring that says why it is long."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("expo", "booths", "events", "payments", "frontend")
DATA = {"expo/demo/catalogue.py"}  # hand-written demo data, not code
MAX_MODULE_LINES = 620
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_no_module_is_over_about_600_lines():
    too_long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
        and str(p.relative_to(ROOT)) not in DATA
    }
    assert too_long == {}


def test_a_function_over_60_lines_says_why_in_its_docstring():
    unexplained = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                doc = ast.get_docstring(node) or ""
                if length > MAX_FUNCTION_LINES and "long because" not in doc.lower():
                    unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert unexplained == []
