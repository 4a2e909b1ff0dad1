#!/usr/bin/env python3
"""MCP client driver on the official Python SDK (PyPI `mcp`), for integration tests.

Usage: python client.py URL [--mode auto|legacy] [--trace]

Works with both SDK lines (pinned in requirements.txt = 2.x, requirements-v1.txt = 1.x):

* mcp 1.x: ``streamable_http_client`` (older name ``streamablehttp_client``) + ``ClientSession``:
  ``initialize`` (initialize + notifications/initialized), ``list_tools``, ``call_tool('echo')``
  if listed; leaving the transport context sends DELETE (``terminate_on_close=True``).
  ``--mode`` must be ``legacy`` (the default for 1.x; 1.x has no discover probe).
* mcp 2.x: ``streamable_http_client`` wrapped in ``mcp.Client`` (its public entry point; it drives
  a ``ClientSession``). ``--mode auto`` (the SDK default, and ours) first POSTs
  ``server/discover`` and falls back to ``initialize`` on a handshake-era server;
  ``--mode legacy`` goes straight to ``initialize``. DELETE on exit as in 1.x.

The SDK never reports the DELETE's outcome (it only logs), so the script watches the wire through
httpx event hooks on the HTTP client it hands to the transport: ``terminated`` is true when the
DELETE got 200 or 204, ``sessionId_present`` when any response carried ``Mcp-Session-Id``.

stdout: exactly one JSON line
  success: {"ok":true,"protocolVersion":...,"sessionId_present":bool,"tools":N,"terminated":bool,...}
  failure: {"ok":false,"stage":...,"error":...}, exit 1 (2 for bad usage).
Env: MCP_CLIENT_TIMEOUT_S (default 20), MCP_ECHO_ARGS (JSON, default {"text":"hello from py client"}),
MCP_PY_MODE (default for --mode), MCP_TRACE=1 (same as --trace).
``--trace`` prints every HTTP exchange (method, MCP headers, status, request body) to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
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

# Current name first; 1.x before ~1.24 only had `streamablehttp_client`.
streamable_http_client = _sh.get("streamable_http_client") or _sh["streamablehttp_client"]

try:  # the SDK's default timeouts (30 s, 300 s read), same as when it makes its own client
    from mcp.shared._httpx_utils import create_mcp_http_client as _make_client
except ImportError:  # pragma: no cover
    _make_client = None

TRACE_HEADERS = ("accept", "content-type", "mcp-protocol-version", "mcp-session-id", "mcp-method", "mcp-name",
                 "last-event-id")


def log(msg: str) -> None:
    print(f"[py-client] {msg}", file=sys.stderr, flush=True)


class Wire:
    """Records every HTTP exchange the SDK makes (via httpx event hooks)."""

    def __init__(self, trace: bool) -> None:
        self.trace = trace
        self.exchanges: list[dict[str, Any]] = []
        self.session_ids: set[str] = set()

    async def on_request(self, request: Any) -> None:
        if self.trace:
            hdrs = {k: request.headers[k] for k in TRACE_HEADERS if k in request.headers}
            try:
                body = request.content.decode() if request.content else ""
            except Exception:  # streaming body
                body = "<stream>"
            log(f"--> {request.method} {request.url.path} {json.dumps(hdrs)} {body}")

    async def on_response(self, response: Any) -> None:
        req = response.request
        sid = response.headers.get("mcp-session-id")
        if sid:
            self.session_ids.add(sid)
        self.exchanges.append({"method": req.method, "mcp_method": _rpc_method(req), "status": response.status_code})
        if self.trace:
            log(f"<-- {response.status_code} {req.method} content-type={response.headers.get('content-type')}"
                f" mcp-session-id={sid}")

    def client(self) -> Any:
        hooks = {"request": [self.on_request], "response": [self.on_response]}
        if _make_client is not None:
            c = _make_client()
            c.event_hooks = hooks
            return c
        return httpx.AsyncClient(timeout=httpx.Timeout(30, read=300), event_hooks=hooks)

    def delete_status(self) -> int | None:
        st = [e["status"] for e in self.exchanges if e["method"] == "DELETE"]
        return st[-1] if st else None


def _rpc_method(request: Any) -> str | None:
    try:
        return json.loads(request.content).get("method") if request.content else None
    except Exception:
        return None


def _attr(obj: Any, *names: str) -> Any:
    """Read a field that is camelCase in 1.x types and snake_case in 2.x (mcp_types)."""
    for n in names:
        if hasattr(obj, n):
            return getattr(obj, n)
    return None


def _error_text(exc: BaseException) -> str:
    # anyio task groups wrap failures in ExceptionGroups; report the leaves.
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_error_text(e) for e in exc.exceptions)
    code = getattr(getattr(exc, "error", None), "code", None)
    return f"{type(exc).__name__}: {exc}" + (f" (code {code})" if code is not None else "")


async def run(url: str, mode: str, state: dict[str, Any], wire: Wire, echo_args: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}

    async def exercise(session_like: Any) -> None:
        state["stage"] = "tools/list"
        tools: list[Any] = []
        cursor = None
        for _ in range(100):
            page = await (session_like.list_tools(cursor=cursor) if cursor else session_like.list_tools())
            tools.extend(page.tools)
            cursor = _attr(page, "next_cursor", "nextCursor")
            if not cursor:
                break
        names = [t.name for t in tools]
        out["tool_names"] = names
        log(f"tools: {len(names)} {names}")
        out["echo"] = None
        if "echo" in names:
            state["stage"] = "tools/call echo"
            res = await session_like.call_tool("echo", echo_args)
            if _attr(res, "is_error", "isError"):
                raise RuntimeError(f"echo returned isError: {res.content}")
            text = "".join(c.text for c in res.content if getattr(c, "type", None) == "text")
            out["echo"] = {"text": text,
                           "matches_input": text == echo_args["text"] if isinstance(echo_args.get("text"), str) else None}
            log(f"echo -> {text!r}")
        else:
            log("no `echo` tool: skipping tools/call")
        state["stage"] = "terminate (DELETE on transport exit)"

    http_client = wire.client()
    async with http_client:
        transport_cm = streamable_http_client(url, http_client=http_client, terminate_on_close=True)
        if SDK_MAJOR >= 2:
            from mcp import Client

            state["stage"] = "connect (server/discover probe, initialize fallback)" if mode == "auto" else "initialize"
            async with Client(transport_cm, mode=mode,
                              client_info=_implementation("mcp-py-client-driver", "0.1.0")) as client:
                sess = client.session
                out["protocolVersion"] = client.protocol_version
                out["era"] = "modern (server/discover)" if getattr(sess, "discover_result", None) else "handshake (initialize)"
                info = client.server_info
                out["server"] = info.model_dump(mode="json", exclude_none=True) if info else None
                log(f"connected: protocolVersion={out['protocolVersion']} era={out['era']} server={out['server']}")
                await exercise(client)
        else:
            from mcp import ClientSession

            state["stage"] = "initialize"
            async with transport_cm as streams:
                read, write = streams[0], streams[1]
                async with ClientSession(read, write,
                                         client_info=_implementation("mcp-py-client-driver", "0.1.0")) as session:
                    result = await session.initialize()
                    out["protocolVersion"] = result.protocolVersion
                    out["era"] = "handshake (initialize)"
                    out["server"] = result.serverInfo.model_dump(mode="json", exclude_none=True)
                    log(f"initialized: protocolVersion={out['protocolVersion']} session={streams[2]()}"
                        f" server={out['server']}")
                    await exercise(session)
    return out


def _implementation(name: str, ver: str) -> Any:
    from mcp.types import Implementation

    return Implementation(name=name, version=ver)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("url")
    p.add_argument("--mode", choices=["auto", "legacy"], default=os.environ.get("MCP_PY_MODE"),
                   help="2.x only: auto = server/discover probe first (SDK default), legacy = initialize only")
    p.add_argument("--trace", action="store_true",
                   default=os.environ.get("MCP_TRACE", "").lower() in ("1", "true", "yes"),
                   help="log every HTTP exchange to stderr (or MCP_TRACE=1)")
    try:
        args = p.parse_args()
    except SystemExit as e:
        if e.code:
            print(json.dumps({"ok": False, "stage": "usage", "error": "usage: python client.py URL [--mode auto|legacy]"}))
        return int(e.code or 0) and 2
    mode = args.mode or ("auto" if SDK_MAJOR >= 2 else "legacy")
    if SDK_MAJOR < 2 and mode != "legacy":
        print(json.dumps({"ok": False, "stage": "usage", "error": f"mcp {SDK_VERSION} has no discover probe: --mode auto needs mcp 2.x"}))
        return 2

    timeout = float(os.environ.get("MCP_CLIENT_TIMEOUT_S", "20"))
    echo_args = json.loads(os.environ.get("MCP_ECHO_ARGS", '{"text": "hello from py client"}'))
    state = {"stage": "setup"}
    wire = Wire(args.trace)

    async def bounded() -> dict[str, Any]:
        with anyio.fail_after(timeout):
            return await run(args.url, mode, state, wire, echo_args)

    try:
        out = anyio.run(bounded)
    except BaseException as exc:  # noqa: BLE001 - report everything, including ExceptionGroups
        if isinstance(exc, KeyboardInterrupt):
            raise
        msg = f"timed out after {timeout:g} s" if isinstance(exc, TimeoutError) else _error_text(exc)
        log(f"FAILED during {state['stage']}: {msg}")
        print(json.dumps({"ok": False, "stage": state["stage"], "error": msg, "sdk": f"mcp=={SDK_VERSION}",
                          "mode": mode, "http": wire.exchanges}))
        return 1

    delete_status = wire.delete_status()
    terminated = delete_status in (200, 204)
    log(f"DELETE status={delete_status} terminated={terminated}")
    print(json.dumps({
        "ok": True,
        "protocolVersion": out["protocolVersion"],
        "sessionId_present": bool(wire.session_ids),
        "tools": len(out["tool_names"]),
        "terminated": terminated,
        "tool_names": out["tool_names"],
        "echo": out["echo"],
        "era": out["era"],
        "server": out["server"],
        "mode": mode,
        "delete_status": delete_status,
        "http": wire.exchanges,
        "sdk": f"mcp=={SDK_VERSION}",
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
