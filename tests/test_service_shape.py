"""Services come in two steps (docs/architecture.md): a checked entry that takes a user
and checks access once, and a write (`do_*`) that checks nothing and takes whoever acts,
a user or `SYSTEM`. This holds every service module to it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "jijie"
# Calls that decide access: a write that makes one re-checks what its entry resolved.
CHECKS = {"access", "mobilization_access"}
DECIDING = ("require", "may", "area_for", "scoped")  # `access.forget` decides nothing


def _modules() -> list[tuple[str, Path]]:
    """Every module of every app but its tests and migrations, with its app."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if len(parts) > 1 and not {"tests", "migrations"} & set(parts):
            found.append((parts[0], path))
    return found


def _functions(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def _actor(function: ast.FunctionDef) -> ast.arg | None:
    arguments = [*function.args.args, *function.args.kwonlyargs]
    return next((a for a in arguments if a.arg == "actor"), None)


def test_no_service_takes_none_for_the_system():
    offenders = []
    for _app, path in _modules():
        for function in _functions(path):
            actor = _actor(function)
            if function.name.startswith("_") or actor is None:
                continue
            annotation = ast.unparse(actor.annotation) if actor.annotation else ""
            if "None" in annotation or not annotation:
                offenders.append(f"{path.relative_to(ROOT)}:{function.name} ({annotation})")
    assert offenders == []


def test_a_write_does_not_check_again_what_its_entry_checked():
    offenders = []
    for _app, path in _modules():
        functions = _functions(path)
        names = {f.name for f in functions}
        for function in functions:
            if not function.name.startswith("do_"):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in CHECKS
                    and node.func.attr.startswith(DECIDING)
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{function.name}")
            entry = function.name.removeprefix("do_")
            if entry in names:
                calls = {
                    n.func.id
                    for f in functions
                    if f.name == entry
                    for n in ast.walk(f)
                    if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                }
                assert function.name in calls, f"{entry} does not end in {function.name}"
    assert offenders == []


def test_every_app_that_writes_has_its_writes_split():
    # Every app with a services module writes through `do_*` functions, and the audit
    # takes an actor, never None.
    apps = {app for app, path in _modules() if "services" in path.parts or path.stem == "services"}
    for app in apps - {"audit"}:
        writes = [
            f.name
            for a, path in _modules()
            if a == app
            for f in _functions(path)
            if f.name.startswith("do_")
        ]
        assert writes, app
    (record,) = [f for f in _functions(ROOT / "audit" / "services.py") if f.name == "audit_record"]
    actor = _actor(record)
    assert actor is not None
    assert actor.annotation is not None
    assert "None" not in ast.unparse(actor.annotation)
