"""The limit for bench/gates.py: a bare ASGI endpoint, served as the app is (uvicorn
workers under gunicorn), that parses the same scan and inserts the same row with
asyncpg, with no framework, no auth and no rules."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import asyncpg

SQL = (
    "INSERT INTO gates_scan (client_id, body_hash, gate_id, response_id, area_path, direction,"
    " temperature, certificate_checked, vehicle_plate, vehicle_disinfected, visitor_name,"
    " visitor_visiting, visitor_reason, is_allowed, reason, message, proof, device_at,"
    " received_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7::text::numeric, $8, '', false, '', '', '', true,"
    " 'ok', '', '', $9::text::timestamptz, now())"
    " ON CONFLICT (client_id) DO NOTHING"
)
_pool: asyncpg.Pool | None = None


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    return None


async def application(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[Mapping[str, Any]]],
    send: Callable[[Mapping[str, Any]], Awaitable[None]],
) -> None:
    global _pool
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    raw = b""
    while True:
        message = await receive()
        raw += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["method"] != "POST":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    if _pool is None:
        _pool = await asyncpg.create_pool(
            os.environ["DATABASE_URL"], min_size=1, max_size=4, reset=_nothing_to_reset
        )
    scan = json.loads(raw)
    async with _pool.acquire() as connection:
        await connection.execute(
            SQL,
            uuid.UUID(scan["client_id"]),
            hashlib.sha256(raw).hexdigest(),
            scan["gate_id"],
            int(os.environ["BENCH_GATE_RESPONSE"]),
            os.environ["BENCH_GATE_AREA"],
            scan["direction"],
            scan.get("temperature"),
            bool(scan.get("certificate_checked")),
            scan["device_at"],
        )
    body = json.dumps({"client_id": scan["client_id"], "is_allowed": True}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
