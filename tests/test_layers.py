"""The apps depend one way (pyproject's import contract, which sees every import,
function-local ones included); nothing gets round it by naming a model or a module
as a string."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "jijie"


def _calls_by_name() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts or "tests" in path.parts:
            continue  # a migration's models are looked up by name, as Django requires
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            literal = any(isinstance(a, ast.Constant) for a in node.args)
            if node.func.attr in ("get_model", "import_module") and literal:
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return found


def test_no_app_reaches_a_model_or_module_by_name():
    assert _calls_by_name() == []
