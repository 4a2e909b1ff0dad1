-- wrk script: a stateless (2026-07-28) tools/list on /mcp, the same request on every connection.
--   wrk -t2 -c16 -d10s -s scripts/wrk-tools-list.lua http://127.0.0.1:PORT/mcp
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
wrk.headers["Mcp-Method"] = "tools/list"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":'
  .. '{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'

function done(summary, latency, requests)
  io.write(string.format("errors (non-2xx, socket): %d\n",
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
