#!/usr/bin/env node
// Approval of writes (issue #12) with the official TypeScript SDK client, 1.x or 2.x: whichever ./sdk.mjs
// exports (the same file is installed next to both). The client declares the elicitation capability
// (unless ANSWER is `none`) and registers an `elicitation/create` handler that plays the person:
//
//   accept   answers {action: "accept", content: {approve: true}}
//   decline  answers {action: "decline"}
//   silent   says nothing for SILENT_MS (default 3000, longer than the server's approval timeout in the
//            tests), then accepts: a late answer, which must change nothing
//   none     no capability, no handler: the server answers with the approval page's link instead
//
// Then `hubspot_update_record` (UPDATE_ID's lifecyclestage := UPDATE_VALUE, default "customer") and
// `hubspot_archive_record` (ARCHIVE_ID), both contacts. On 2.x, MCP_TS_NEGOTIATION=auto settles on
// 2026-07-28, where the server asks through an `input_required` result and the SDK fulfils it with the
// same handler and retries by itself; the retried request bodies (with `requestState` and
// `inputResponses`) are reported so the test can replay one.
//
// Usage: node approve.mjs URL ANSWER UPDATE_ID ARCHIVE_ID
// Env:   MCP_TS_NEGOTIATION (2.x: legacy (default) | auto), SILENT_MS, UPDATE_VALUE, MCP_CLIENT_TIMEOUT_MS
// stdout: one JSON line {"ok":true,"line":..,"protocolVersion":..,"answer":..,"capability":bool,
//         "asked":[{"message","mode","url","approve_schema"}],"calls":{"update":{"isError","text"},
//         "archive":{..}},"retries":[body..],"http":[{method,mcp_method,status}]} or {"ok":false,"stage","error"}.
import { Client, StreamableHTTPClientTransport, LINE, PACKAGE, onElicit } from './sdk.mjs';

const [url, answer, updateId, archiveId] = process.argv.slice(2);
const log = (...a) => process.stderr.write(`[approve ${LINE}] ${a.join(' ')}\n`);
let stage = 'setup';
let finished = false;
const fail = (e) => {
  if (finished) return;
  finished = true;
  log(`FAILED during ${stage}: ${e?.stack ?? e}`);
  process.stdout.write(JSON.stringify({ ok: false, stage, line: LINE, error: String(e?.message ?? e) }) + '\n');
  process.exit(1);
};
if (!url || !['accept', 'decline', 'silent', 'none'].includes(answer) || !updateId || !archiveId) {
  process.stdout.write(JSON.stringify({ ok: false, stage: 'usage', error: 'usage: node approve.mjs URL accept|decline|silent|none UPDATE_ID ARCHIVE_ID' }) + '\n');
  process.exit(2);
}
setTimeout(() => fail(new Error('timed out')), Number(process.env.MCP_CLIENT_TIMEOUT_MS || 30000));
process.on('unhandledRejection', fail);

const SILENT_MS = Number(process.env.SILENT_MS || 3000);
const negotiation = process.env.MCP_TS_NEGOTIATION || 'legacy';
const asked = [];
const late = [];

const http = [];
const retries = [];
const tracedFetch = async (input, init = {}) => {
  let rpc = null;
  if (typeof init.body === 'string') {
    try {
      const msg = JSON.parse(init.body);
      rpc = msg.method ?? (msg.result ? 'response' : null);
      if (msg.params?.inputResponses !== undefined) retries.push(init.body);
    } catch { /* not JSON */ }
  }
  const res = await fetch(input, init);
  http.push({ method: init.method ?? 'GET', mcp_method: rpc, status: res.status });
  return res;
};

const text = (r) => (r.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('');

async function main() {
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: tracedFetch });
  const capabilities = answer === 'none' ? {} : { elicitation: {} };
  const client = new Client({ name: 'mcp-ts-approve-driver', version: '0.1.0' },
    { capabilities, versionNegotiation: { mode: negotiation } });
  if (answer !== 'none') {
    onElicit(client, (params) => {
      asked.push({
        message: params.message ?? null,
        mode: params.mode ?? null,
        url: params.url ?? null,
        approve_schema: params.requestedSchema?.properties?.approve ?? null,
      });
      log(`asked (${params.mode ?? 'no mode'}): ${params.message}`);
      if (answer === 'accept') return { action: 'accept', content: { approve: true } };
      if (answer === 'decline') return { action: 'decline' };
      const p = new Promise((r) => setTimeout(() => r({ action: 'accept', content: { approve: true } }), SILENT_MS));
      late.push(p);
      return p;
    });
  }

  stage = 'connect';
  await client.connect(transport);
  const protocolVersion = client.getNegotiatedProtocolVersion?.() ?? transport.protocolVersion ?? null;
  log(`connected: ${protocolVersion} session=${transport.sessionId ?? '(none)'}`);

  const calls = {};
  const value = process.env.UPDATE_VALUE || 'customer';
  for (const [key, name, args] of [
    ['update', 'hubspot_update_record', { objectType: 'contacts', id: updateId, properties: { lifecyclestage: value } }],
    ['archive', 'hubspot_archive_record', { objectType: 'contacts', id: archiveId }],
  ]) {
    stage = `tools/call ${name}`;
    const started = Date.now();
    const r = await client.callTool({ name, arguments: args });
    calls[key] = { isError: r.isError === true, text: text(r), ms: Date.now() - started };
    log(`${name}: isError=${calls[key].isError} ${calls[key].text.slice(0, 200)}`);
  }

  stage = 'late answers';
  await Promise.all(late);
  // Give a late answer's POST time to arrive before the session ends.
  if (late.length) await new Promise((r) => setTimeout(r, 300));

  stage = 'close';
  if (transport.sessionId) await transport.terminateSession();
  await client.close();
  finished = true;
  process.stdout.write(JSON.stringify({
    ok: true, line: LINE, sdk: PACKAGE, protocolVersion, negotiation, answer,
    capability: answer !== 'none', asked, calls, retries, http,
  }) + '\n');
  process.exit(0);
}

main().catch(fail);
