"""The limit for bench/gates.py: a bare WSGI endpoint that parses the same scan and
inserts the same row with psycopg, with no framework, no auth and no rules."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

import psycopg

_local = threading.local()
SQL = (
    "INSERT INTO gates_scan (client_id, body_hash, gate_id, response_id, area_path, direction,"
    " temperature, certificate_checked, vehicle_plate, vehicle_disinfected, visitor_name,"
    " visitor_visiting, visitor_reason, is_allowed, reason, message, device_at, received_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', false, '', '', '', true, 'ok', '', %s, now())"
    " ON CONFLICT (client_id) DO NOTHING"
)


def _connection() -> psycopg.Connection[Any]:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        _local.conn = conn
    return conn


def application(
    environ: dict[str, Any], start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> Iterable[bytes]:
    if environ["REQUEST_METHOD"] != "POST":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    size = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(size)
    scan = json.loads(raw)
    _connection().execute(
        SQL,
        [
            scan["client_id"],
            hashlib.sha256(raw).hexdigest(),
            scan["gate_id"],
            int(os.environ["BENCH_GATE_RESPONSE"]),
            os.environ["BENCH_GATE_AREA"],
            scan["direction"],
            scan.get("temperature"),
            bool(scan.get("certificate_checked")),
            scan["device_at"],
        ],
    )
    body = json.dumps({"client_id": scan["client_id"], "is_allowed": True}).encode()
    start_response(
        "201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
