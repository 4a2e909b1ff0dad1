#!/usr/bin/env python3
"""Approval of writes (issue #12) with the official Python SDK (PyPI `mcp`, 1.x or 2.x).

Usage: python approve.py URL ANSWER UPDATE_ID ARCHIVE_ID [--mode auto|legacy]

The client declares the elicitation capability (unless ANSWER is ``none``) through its
``elicitation_callback``, which plays the person:

  accept   ElicitResult(action="accept", content={"approve": True})
  decline  ElicitResult(action="decline")
  silent   says nothing for SILENT_S (default 3) seconds, longer than the server's approval timeout in
           the tests, then accepts: a late answer, which must change nothing
  none     no callback, so no capability: the server answers with the approval page's link instead

Then ``hubspot_update_record`` (UPDATE_ID's lifecyclestage := UPDATE_VALUE, default "customer") and
``hubspot_archive_record`` (ARCHIVE_ID), both contacts.

* mcp 1.x: ``ClientSession(..., elicitation_callback=...)`` after ``initialize`` (``--mode legacy`` only).
* mcp 2.x: ``mcp.Client(..., mode=..., elicitation_callback=...)``. ``--mode legacy`` initializes a session
  (the server asks on the call's SSE stream); ``--mode auto`` settles on 2026-07-28, where the server asks
  through an ``input_required`` result and the SDK fulfils it with the same callback and retries by itself.
  The retried request bodies (with ``requestState`` and ``inputResponses``) are reported so the test can
  replay one.

stdout: one JSON line {"ok":true,"sdk":..,"protocolVersion":..,"answer":..,"asked":[{"message","mode","url",
"approve_schema"}],"calls":{"update":{"isError","text"},"archive":{..}},"retries":[body..],"http":[..]}
or {"ok":false,"stage":..,"error":..} with exit 1 (2 for bad usage).
Env: MCP_CLIENT_TIMEOUT_S (default 30), SILENT_S, UPDATE_VALUE.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from importlib.metadata import version as dist_version
from typing import Any

import anyio

SDK_VERSION = dist_version("mcp")
SDK_MAJOR = int(SDK_VERSION.split(".")[0])

if SDK_MAJOR >= 2:
    import httpx2 as httpx  # the 2.x line moved to the httpx2 fork
else:
    import httpx

from mcp.client.streamable_http import __dict__ as _sh  # noqa: E402
from mcp.types import ElicitResult, Implementation  # noqa: E402

streamable_http_client = _sh.get("streamable_http_client") or _sh["streamablehttp_client"]

try:
    from mcp.shared._httpx_utils import create_mcp_http_client as _make_client
except ImportError:  # pragma: no cover
    _make_client = None


def log(msg: str) -> None:
    print(f"[py-approve {SDK_VERSION}] {msg}", file=sys.stderr, flush=True)


def _attr(obj: Any, *names: str) -> Any:
    for n in names:
        if hasattr(obj, n):
            return getattr(obj, n)
    return None


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_error_text(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"


class Wire:
    """Every HTTP exchange, and the bodies of the requests that carried `inputResponses`."""

    def __init__(self) -> None:
        self.exchanges: list[dict[str, Any]] = []
        self.retries: list[str] = []

    async def on_request(self, request: Any) -> None:
        try:
            body = request.content.decode() if request.content else ""
        except Exception:  # a streaming body
            return
        try:
            msg = json.loads(body) if body else None
        except ValueError:
            return
        if isinstance(msg, dict) and isinstance(msg.get("params"), dict) and "inputResponses" in msg["params"]:
            self.retries.append(body)

    async def on_response(self, response: Any) -> None:
        req = response.request
        method = None
        try:
            msg = json.loads(req.content) if req.content else None
            method = msg.get("method") or ("response" if "result" in msg else None)
        except Exception:
            pass
        self.exchanges.append({"method": req.method, "mcp_method": method, "status": response.status_code})

    def client(self) -> Any:
        hooks = {"request": [self.on_request], "response": [self.on_response]}
        if _make_client is not None:
            c = _make_client()
            c.event_hooks = hooks
            return c
        return httpx.AsyncClient(timeout=httpx.Timeout(30, read=300), event_hooks=hooks)


async def run(args: argparse.Namespace, mode: str, state: dict[str, Any], wire: Wire) -> dict[str, Any]:
    out: dict[str, Any] = {"asked": [], "calls": {}}
    silent_s = float(os.environ.get("SILENT_S", "3"))

    async def on_elicit(_context: Any, params: Any) -> Any:
        schema = _attr(params, "requested_schema", "requestedSchema")
        if schema is not None and not isinstance(schema, dict):
            schema = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
        out["asked"].append({
            "message": _attr(params, "message"),
            "mode": _attr(params, "mode"),
            "url": _attr(params, "url"),
            "approve_schema": ((schema or {}).get("properties") or {}).get("approve"),
        })
        log(f"asked ({_attr(params, 'mode')}): {_attr(params, 'message')}")
        if args.answer == "decline":
            return ElicitResult(action="decline")
        if args.answer == "silent":
            await anyio.sleep(silent_s)
        return ElicitResult(action="accept", content={"approve": True})

    callback = None if args.answer == "none" else on_elicit
    info = Implementation(name="mcp-py-approve-driver", version="0.1.0")
    value = os.environ.get("UPDATE_VALUE", "customer")

    async def exercise(session_like: Any) -> None:
        for key, name, arguments in (
            ("update", "hubspot_update_record",
             {"objectType": "contacts", "id": args.update_id, "properties": {"lifecyclestage": value}}),
            ("archive", "hubspot_archive_record", {"objectType": "contacts", "id": args.archive_id}),
        ):
            state["stage"] = f"tools/call {name}"
            started = time.monotonic()
            r = await session_like.call_tool(name, arguments)
            text = "".join(c.text for c in r.content if getattr(c, "type", None) == "text")
            is_error = bool(_attr(r, "is_error", "isError"))
            out["calls"][key] = {"isError": is_error, "text": text, "ms": int((time.monotonic() - started) * 1000)}
            log(f"{name}: isError={is_error} {text[:200]}")
        state["stage"] = "close"

    http_client = wire.client()
    async with http_client:
        transport_cm = streamable_http_client(args.url, http_client=http_client, terminate_on_close=True)
        if SDK_MAJOR >= 2:
            from mcp import Client

            state["stage"] = f"connect ({mode})"
            async with Client(transport_cm, mode=mode, client_info=info, elicitation_callback=callback) as client:
                out["protocolVersion"] = client.protocol_version
                log(f"connected: {out['protocolVersion']}")
                await exercise(client)
        else:
            from mcp import ClientSession

            state["stage"] = "initialize"
            async with transport_cm as streams:
                async with ClientSession(streams[0], streams[1], client_info=info,
                                         elicitation_callback=callback) as session:
                    result = await session.initialize()
                    out["protocolVersion"] = result.protocolVersion
                    log(f"initialized: {out['protocolVersion']}")
                    await exercise(session)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("url")
    p.add_argument("answer", choices=["accept", "decline", "silent", "none"])
    p.add_argument("update_id")
    p.add_argument("archive_id")
    p.add_argument("--mode", choices=["auto", "legacy"], default="legacy")
    try:
        args = p.parse_args()
    except SystemExit as e:
        if e.code:
            print(json.dumps({"ok": False, "stage": "usage", "error": "usage: python approve.py URL "
                              "accept|decline|silent|none UPDATE_ID ARCHIVE_ID [--mode auto|legacy]"}))
        return int(e.code or 0) and 2
    if SDK_MAJOR < 2 and args.mode != "legacy":
        print(json.dumps({"ok": False, "stage": "usage", "error": f"mcp {SDK_VERSION} has no --mode auto"}))
        return 2

    timeout = float(os.environ.get("MCP_CLIENT_TIMEOUT_S", "30"))
    state = {"stage": "setup"}
    wire = Wire()

    async def bounded() -> dict[str, Any]:
        with anyio.fail_after(timeout):
            return await run(args, args.mode, state, wire)

    try:
        out = anyio.run(bounded)
    except BaseException as exc:  # noqa: BLE001 - report everything, including ExceptionGroups
        if isinstance(exc, KeyboardInterrupt):
            raise
        msg = f"timed out after {timeout:g} s" if isinstance(exc, TimeoutError) else _error_text(exc)
        log(f"FAILED during {state['stage']}: {msg}")
        print(json.dumps({"ok": False, "stage": state["stage"], "error": msg, "sdk": f"mcp=={SDK_VERSION}",
                          "http": wire.exchanges}))
        return 1
    print(json.dumps({
        "ok": True,
        "sdk": f"mcp=={SDK_VERSION}",
        "protocolVersion": out.get("protocolVersion"),
        "mode": args.mode,
        "answer": args.answer,
        "capability": args.answer != "none",
        "asked": out["asked"],
        "calls": out["calls"],
        "retries": wire.retries,
        "http": wire.exchanges,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
