"""Shared by the benchmarks: a PostgreSQL database of their own, production settings,
and timing with medians and percentiles."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jijie_bench"


def setup_django() -> str:
    """Point Django at the bench database (BENCH_DATABASE_URL), created if missing,
    with production-like settings (no DEBUG query log), and migrate it."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ["STATIC_MANIFEST"] = "false"
    # Fixed keys for made-up data: a benchmark must be repeatable on the same database.
    os.environ.setdefault("PII_KEYS", "0:" + "YmVuY2gta2V5LW5vdC1mb3ItcHJvZHVjdGlvbi0wMDA")
    os.environ.setdefault("PII_HASH_KEY", "bench-hash-key-not-for-production")
    os.environ.setdefault("GATE_SIGNING_KEY", "YmVuY2gtZ2F0ZS1rZXktbm90LWZvci1wcm9kdWN0aW8")
    os.environ.setdefault("AUDIT_KEY", os.environ["SECRET_KEY"])  # as the chain was keyed
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    # The benchmarks' servers and test clients speak plain HTTP.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    if url.startswith("postgres"):
        _create_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def _create_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def measure(fn: Callable[[], Any], *, runs: int = 30, warmup: int = 3) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 3),
        "min_ms": round(samples[0], 3),
        "runs": runs,
    }


def ratio(product: dict[str, Any], floor: dict[str, Any], key: str = "median_ms") -> float:
    """The product's time as a multiple of its floor's (the best hand-written code for the
    same answer, measured in the same run)."""
    return round(product[key] / max(floor[key], 1e-6), 2)


def machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 1")
        version = cursor.fetchone()[0]
    return {
        "when": datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "database": str(version).split(" on ")[0]
        if connection.vendor == "postgresql"
        else "sqlite",
    }


def write(name: str, data: dict[str, Any], markdown: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown)
    print(markdown)
