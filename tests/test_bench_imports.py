"""Each benchmark imports before Django is set up (it sets Django up itself, on a
database of its own): `make bench` would otherwise stop at its first line. The
benchmarks themselves never run in the suite."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_benchmark_imports_without_django_set_up():
    modules = sorted(
        f"bench.{p.stem}" for p in (ROOT / "bench").glob("*.py") if p.stem != "__init__"
    )
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    run = subprocess.run(  # noqa: S603 - this interpreter, our modules
        [sys.executable, "-c", "; ".join(f"import {m}" for m in modules)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "bench.gates" in modules
