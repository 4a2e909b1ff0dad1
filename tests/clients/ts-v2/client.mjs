#!/usr/bin/env node
// MCP client driver on the official TypeScript SDK v2 line (@modelcontextprotocol/client, pinned
// in package.json). Same contract as ../ts/client.mjs (the v1 driver); differences:
//   * MCP_TS_NEGOTIATION=auto|legacy (default auto here; the SDK's own default is legacy):
//     auto POSTs `server/discover` first and falls back to `initialize` unless the answer is
//     modern evidence (HTTP 5xx, 401/403, a network error or a probe timeout fail the connect).
//   * the summary adds "era" (legacy|modern).
//
// Usage: node client.mjs URL [protocolVersion]
//
//   URL              the server's Streamable HTTP endpoint, e.g. http://127.0.0.1:3001/mcp
//   protocolVersion  optional: the version to *request* in `initialize` (the SDK itself always
//                    requests its LATEST_PROTOCOL_VERSION; we rewrite the outgoing initialize
//                    message). The SDK still rejects a reply outside SUPPORTED_PROTOCOL_VERSIONS.
//
// Env: MCP_CLIENT_TIMEOUT_MS (default 20000) overall deadline; MCP_TRACE=1 logs every HTTP
//      exchange (method, MCP headers, body, status) to stderr;
//      MCP_ECHO_ARGS (default {"text":"hello from ts client"}) arguments for the `echo` tool.
//
// Steps: connect (initialize + notifications/initialized; the SDK then opens the optional GET
// SSE stream if the initialized POST got 202), tools/list, tools/call `echo` only if listed,
// transport.terminateSession() (HTTP DELETE), client.close().
//
// stdout: exactly one JSON line.
//   success: {"ok":true,"protocolVersion":...,"sessionId_present":bool,"tools":N,"terminated":bool,...}
//            terminated = the DELETE was answered 200 or 204 (delete_status has the code);
//            http = [{method, mcp_method, status}] for every HTTP exchange.
//   failure: {"ok":false,"stage":...,"error":...} and exit code 1 (2 for bad usage).
// Progress and diagnostics go to stderr.
import { Client, StreamableHTTPClientTransport, LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/client';
import { readFileSync } from 'node:fs';

// Read the installed SDK's package.json for its version (the exports map hides it).
let SDK_VERSION = 'unknown';
try {
  SDK_VERSION = JSON.parse(readFileSync(new URL('./node_modules/@modelcontextprotocol/client/package.json', import.meta.url), 'utf8')).version;
} catch { /* informational only */ }

const [url, requestedVersion] = process.argv.slice(2);
if (!url || process.argv.length > 4) {
  process.stderr.write('usage: node client.mjs URL [protocolVersion]\n');
  process.stdout.write(JSON.stringify({ ok: false, stage: 'usage', error: 'usage: node client.mjs URL [protocolVersion]' }) + '\n');
  process.exit(2);
}

const timeoutMs = Number(process.env.MCP_CLIENT_TIMEOUT_MS || 20000);
const echoArgs = process.env.MCP_ECHO_ARGS ? JSON.parse(process.env.MCP_ECHO_ARGS) : { text: 'hello from ts client' };
const trace = ['1', 'true', 'yes'].includes((process.env.MCP_TRACE ?? '').toLowerCase());
const TRACE_HEADERS = ['accept', 'content-type', 'mcp-protocol-version', 'mcp-session-id', 'mcp-method', 'mcp-name', 'last-event-id'];
const log = (...a) => process.stderr.write(`[ts2-client] ${a.join(' ')}\n`);

let stage = 'setup';
let finished = false;
function fail(err) {
  if (finished) return;
  finished = true;
  let msg = err instanceof Error ? `${err.name}: ${err.message}${err.code !== undefined ? ` (code ${err.code})` : ''}` : String(err);
  if (err instanceof Error && err.cause) msg += ` (cause: ${err.cause.code ?? ''} ${err.cause.message ?? err.cause})`;
  log(`FAILED during ${stage}: ${msg}`);
  process.stdout.write(JSON.stringify({ ok: false, stage, error: msg, sdk: `@modelcontextprotocol/client@${SDK_VERSION}` }) + '\n');
  process.exit(1);
}

const timer = setTimeout(() => fail(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
process.on('unhandledRejection', fail);

async function main() {
  stage = 'transport';
  // Watch the wire through the transport's `fetch` hook: the SDK does not expose the DELETE's
  // status (it also accepts 405 and any 2xx), and the trace helps when a server is rejected.
  const http = [];
  const tracedFetch = async (input, init = {}) => {
    let rpc = null;
    try { rpc = typeof init.body === 'string' ? JSON.parse(init.body).method ?? null : null; } catch { /* not JSON */ }
    if (trace) {
      const h = new Headers(init.headers);
      const shown = {};
      for (const k of TRACE_HEADERS) if (h.has(k)) shown[k] = h.get(k);
      log(`--> ${init.method ?? 'GET'} ${new URL(input).pathname} ${JSON.stringify(shown)} ${typeof init.body === 'string' ? init.body : ''}`);
    }
    const res = await fetch(input, init);
    http.push({ method: init.method ?? 'GET', mcp_method: rpc, status: res.status });
    if (trace) log(`<-- ${res.status} ${init.method ?? 'GET'} content-type=${res.headers.get('content-type')} mcp-session-id=${res.headers.get('mcp-session-id')}`);
    return res;
  };
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: tracedFetch });
  // Transport-level errors (e.g. the optional GET SSE stream failing) are reported, not fatal:
  // a failed request still rejects its own promise below.
  const transportErrors = [];
  transport.onerror = (e) => { transportErrors.push(String(e?.message ?? e)); log(`transport error: ${e?.message ?? e}`); };

  if (requestedVersion) {
    // The v1 SDK has no option for the initialize protocolVersion: rewrite it on the way out.
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
      if (message && message.method === 'initialize' && message.params) {
        message = { ...message, params: { ...message.params, protocolVersion: requestedVersion } };
      }
      return send(message, options);
    };
  }

  const negotiation = process.env.MCP_TS_NEGOTIATION || 'auto';
  const client = new Client({ name: 'mcp-ts-client-driver', version: '0.1.0' },
    { capabilities: {}, versionNegotiation: { mode: negotiation } });

  stage = 'initialize';
  await client.connect(transport);
  const protocolVersion = client.getNegotiatedProtocolVersion() ?? transport.protocolVersion ?? null;
  const era = client.getProtocolEra() ?? null;
  const sessionIdPresent = typeof transport.sessionId === 'string' && transport.sessionId.length > 0;
  const server = client.getServerVersion();
  log(`initialized: protocolVersion=${protocolVersion} session=${transport.sessionId ?? '(none)'} server=${server?.name}@${server?.version}`);

  stage = 'tools/list';
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  log(`tools: ${names.length} [${names.join(', ')}]`);

  let echo = null;
  if (names.includes('echo')) {
    stage = 'tools/call echo';
    const res = await client.callTool({ name: 'echo', arguments: echoArgs });
    if (res.isError) throw new Error(`echo returned isError: ${JSON.stringify(res.content)}`);
    const text = (res.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('');
    echo = { text, matches_input: typeof echoArgs.text === 'string' ? text === echoArgs.text : null };
    log(`echo -> ${JSON.stringify(text)}`);
  } else {
    log('no `echo` tool: skipping tools/call');
  }

  stage = 'terminate (DELETE)';
  // terminated = a DELETE was sent and answered 200 or 204: the statuses both SDK lines (TS and
  // Python) treat as success. The TS SDK also lets 405 and any other 2xx pass without throwing.
  let deleteStatus = null;
  if (sessionIdPresent) {
    await transport.terminateSession(); // throws unless 2xx or 405
    deleteStatus = http.filter((e) => e.method === 'DELETE').map((e) => e.status).pop() ?? null;
  }
  const terminated = deleteStatus === 200 || deleteStatus === 204;
  log(`DELETE status=${deleteStatus} terminated=${terminated}`);

  stage = 'close';
  await client.close();

  clearTimeout(timer);
  finished = true;
  process.stdout.write(JSON.stringify({
    ok: true,
    protocolVersion,
    sessionId_present: sessionIdPresent,
    tools: names.length,
    toolNames: names,
    terminated,
    tool_names: names,
    echo,
    requestedProtocolVersion: requestedVersion ?? LATEST_PROTOCOL_VERSION,
    era,
    negotiation,
    server: server ?? null,
    delete_status: deleteStatus,
    http,
    transport_errors: transportErrors,
    sdk: `@modelcontextprotocol/client@${SDK_VERSION}`,
  }) + '\n');
}

main().catch(fail);
