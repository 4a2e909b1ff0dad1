#!/usr/bin/env python3
"""OAuth end to end with the official Python SDK client (mcp 1.x or 2.x, whichever is installed).

Usage: python oauth.py URL        Env: SANDBOX_USER (reader|owner), CIMD_URL, WAIT_S, MCP_CLIENT_TIMEOUT_S

Given nothing but the URL, the SDK's ``OAuthClientProvider`` discovers the metadata, registers (a client ID
metadata document when CIMD_URL is set, else dynamic registration) and calls ``redirect_handler`` with the
authorization URL; ``callback_handler`` plays the person, headless: it posts the server's consent form and
the sandbox's HubSpot sign-in form as SANDBOX_USER and returns the code. Then tools/call; then, after
WAIT_S (longer than the access token's life), tools/call again: the SDK refreshes before the request
(its own clock says the token expired) without a second sign-in.

stdout: one JSON line {"ok":true,"line":..,"registration":"cimd"|"dcr","records":[n1,n2],"authorizations":N,
"refreshes":N} or {"ok":false,"stage":..,"error":..}.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from importlib.metadata import version as dist_version
from urllib.parse import parse_qs, urlsplit, urljoin

import anyio

SDK_VERSION = dist_version("mcp")
SDK_MAJOR = int(SDK_VERSION.split(".")[0])
if SDK_MAJOR >= 2:
    import httpx2 as httpx
else:
    import httpx

from mcp.client.auth import OAuthClientProvider  # noqa: E402
from mcp.client.streamable_http import __dict__ as _sh  # noqa: E402
from mcp.shared.auth import OAuthClientMetadata  # noqa: E402

streamable_http_client = _sh.get("streamable_http_client") or _sh["streamablehttp_client"]

REDIRECT = "http://127.0.0.1:53682/callback"
USER = os.environ.get("SANDBOX_USER", "owner")
CIMD = os.environ.get("CIMD_URL") or None
WAIT_S = float(os.environ.get("WAIT_S", "0"))
stage = "setup"
seen = {"authorizations": 0, "refreshes": 0, "client_id": None}


def log(*a: object) -> None:
    print(f"[oauth py {SDK_MAJOR}.x]", *a, file=sys.stderr)


class Mem:
    tokens = None
    client = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, t):
        self.tokens = t

    async def get_client_info(self):
        return self.client

    async def set_client_info(self, c):
        self.client = c
        seen["client_id"] = c.client_id


pending: dict[str, str] = {}


async def redirect_handler(url: str) -> None:
    pending["url"] = url
    seen["authorizations"] += 1


def hidden(page: str) -> list[tuple[str, str]]:
    out = []
    for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', page):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and value:
            out.append((name.group(1), html.unescape(value.group(1))))
    return out


async def callback_handler():
    # A separate HTTP client: the provider holds its lock while this runs.
    async with httpx.AsyncClient(follow_redirects=False, timeout=30) as h:
        auth_url = pending["url"]
        consent = await h.get(auth_url)
        if consent.status_code != 200:
            raise RuntimeError(f"consent page answered {consent.status_code}")
        cookie = consent.headers.get("set-cookie", "").split(";")[0]
        fields = hidden(consent.text) + [("decision", "allow")]
        r = await h.post(urljoin(auth_url, "/oauth/consent"), data=dict(fields), headers={"cookie": cookie})
        hubspot = r.headers["location"]
        page = await h.get(hubspot)
        sign_in = [(k, v) for k, v in hidden(page.text) if k not in ("user", "decision")]
        sign_in += [("user", USER), ("decision", "allow")]
        r = await h.post(urljoin(hubspot, "/oauth/authorize"), data=dict(sign_in))
        r = await h.get(r.headers["location"])
        back = r.headers["location"]
        if not back.startswith(REDIRECT):
            raise RuntimeError(f"unexpected redirect {back}")
        q = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
        if "error" in q:
            raise RuntimeError(f"authorization refused: {q.get('error_description')}")
    if SDK_MAJOR >= 2:
        from mcp.client.auth import AuthorizationCodeResult

        return AuthorizationCodeResult(code=q["code"], state=q.get("state"), iss=q.get("iss"))
    return q["code"], q.get("state")


async def count_refreshes(request) -> None:
    body = request.content.decode("utf-8", "replace") if request.content else ""
    if request.url.path.endswith("/oauth/token") and "grant_type=refresh_token" in body:
        seen["refreshes"] += 1


async def records(call) -> int:
    res = await call("hubspot_list_records", {"objectType": "contacts", "limit": 100})
    # 1.x names the fields as the wire does, 2.x in snake case.
    if getattr(res, "isError", None) or getattr(res, "is_error", None):
        raise RuntimeError(f"tool error: {res.content}")
    sc = getattr(res, "structuredContent", None) or getattr(res, "structured_content", None) or {}
    return len(sc.get("results") or sc.get("records") or [])


async def run(url: str) -> dict:
    global stage
    kwargs = dict(
        server_url=url,
        client_metadata=OAuthClientMetadata(redirect_uris=[REDIRECT], client_name="sdk-oauth-test",
                                            token_endpoint_auth_method="none",
                                            grant_types=["authorization_code", "refresh_token"]),
        storage=Mem(), redirect_handler=redirect_handler, callback_handler=callback_handler,
    )
    if CIMD:
        kwargs["client_metadata_url"] = CIMD
    auth = OAuthClientProvider(**kwargs)
    hooks = {"request": [count_refreshes]}
    async with httpx.AsyncClient(auth=auth, timeout=httpx.Timeout(30, read=300), event_hooks=hooks) as http:
        transport = streamable_http_client(url, http_client=http)
        stage = "connect, sign in, tools/call"
        if SDK_MAJOR >= 2:
            from mcp import Client

            async with Client(transport, mode="legacy") as c:
                first = await records(c.call_tool)
                await anyio.sleep(WAIT_S)
                stage = "tools/call after the access token expired"
                second = await records(c.call_tool)
        else:
            from mcp import ClientSession

            async with transport as (read, write, *_):
                async with ClientSession(read, write) as s:
                    await s.initialize()
                    first = await records(s.call_tool)
                    await anyio.sleep(WAIT_S)
                    stage = "tools/call after the access token expired"
                    second = await records(s.call_tool)
    registration = "cimd" if (seen["client_id"] or "").startswith("https://") else "dcr"
    return {"ok": True, "line": f"{SDK_MAJOR}.x", "registration": registration, "records": [first, second],
            "authorizations": seen["authorizations"], "refreshes": seen["refreshes"]}


def main() -> int:
    if len(sys.argv) != 2:
        print(json.dumps({"ok": False, "stage": "usage", "error": "usage: python oauth.py URL"}))
        return 2
    async def bounded(url: str) -> dict:
        with anyio.fail_after(float(os.environ.get("MCP_CLIENT_TIMEOUT_S", "40"))):
            return await run(url)

    try:
        out = anyio.run(bounded, sys.argv[1])
    except BaseException as e:  # noqa: BLE001
        msg = repr(e)
        if hasattr(e, "exceptions"):
            msg += " " + " | ".join(repr(x) for x in e.exceptions)
        log(f"FAILED during {stage}: {msg}")
        print(json.dumps({"ok": False, "stage": stage, "error": msg}))
        return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
