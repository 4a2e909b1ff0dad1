#!/usr/bin/env node
// OAuth end to end with the official TypeScript SDK client (1.x or 2.x: whichever ./sdk.mjs exports; the
// same file is installed next to both). Given nothing but the server's URL, the SDK discovers the metadata,
// registers (a client ID metadata document when CIMD_URL is set, else dynamic registration), and asks for
// the person to be sent to the authorization URL. This driver plays the person, headless: it posts the
// server's consent form and the sandbox's HubSpot sign-in form as SANDBOX_USER, and hands the code back.
// Then tools/call; then, after WAIT_MS (longer than the access token's life), tools/call again: the
// server answers 401 and the SDK must refresh on its own (no second sign-in).
//
// Usage: node oauth.mjs URL      Env: SANDBOX_USER (reader|owner), CIMD_URL, WAIT_MS, MCP_CLIENT_TIMEOUT_MS
// stdout: one JSON line {"ok":true,"line":..,"registration":"cimd"|"dcr","records":[n1,n2],"tokens_saved":N,
//         "authorizations":N} or {"ok":false,"stage":..,"error":..}.
import { Client, StreamableHTTPClientTransport, UnauthorizedError, LINE } from './sdk.mjs';

const [url] = process.argv.slice(2);
const USER = process.env.SANDBOX_USER || 'owner';
const CIMD = process.env.CIMD_URL || undefined;
const WAIT_MS = Number(process.env.WAIT_MS || 0);
const REDIRECT = 'http://127.0.0.1:53682/callback';
const log = (...a) => process.stderr.write(`[oauth ${LINE}] ${a.join(' ')}\n`);
let stage = 'setup';
const fail = (e) => {
  log(`FAILED during ${stage}: ${e?.stack ?? e}`);
  process.stdout.write(JSON.stringify({ ok: false, stage, line: LINE, error: String(e?.message ?? e) }) + '\n');
  process.exit(1);
};
setTimeout(() => fail(new Error('timed out')), Number(process.env.MCP_CLIENT_TIMEOUT_MS || 30000));

class Mem {
  s = { saves: 0, redirects: 0 };
  clientMetadataUrl = CIMD;
  get redirectUrl() { return REDIRECT; }
  get clientMetadata() {
    return { client_name: 'sdk-oauth-test', redirect_uris: [REDIRECT], response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' };
  }
  state() { return (this.s.state = crypto.randomUUID()); }
  clientInformation() { return this.s.client; }
  saveClientInformation(c) { this.s.client = c; }
  tokens() { return this.s.tokens; }
  saveTokens(t) { this.s.tokens = t; this.s.saves += 1; }
  redirectToAuthorization(u) { this.s.authUrl = u; this.s.redirects += 1; }
  saveCodeVerifier(v) { this.s.v = v; }
  codeVerifier() { return this.s.v; }
  saveDiscoveryState(d) { this.s.d = d; }
  discoveryState() { return this.s.d; }
  invalidateCredentials(w) {
    if (w === 'all' || w === 'tokens') delete this.s.tokens;
    if (w === 'all' || w === 'client') delete this.s.client;
  }
}

function hidden(html) {
  const out = [];
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1];
    if (name !== undefined && value !== undefined) {
      out.push([name, value.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')]);
    }
  }
  return out;
}

// The person: consent on our page, sign-in on the sandbox's HubSpot page; returns the client's redirect query.
async function approve(authUrl) {
  const consent = await fetch(authUrl, { redirect: 'manual' });
  if (consent.status !== 200) throw new Error(`consent page answered ${consent.status}`);
  const cookie = (consent.headers.get('set-cookie') || '').split(';')[0];
  const fields = hidden(await consent.text());
  fields.push(['decision', 'allow']);
  let r = await fetch(new URL('/oauth/consent', authUrl), { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams(fields) });
  const hubspot = new URL(r.headers.get('location'));
  // The cookie binding HubSpot's state to this browser; a browser sends it back on the callback.
  const stateCookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('hsmcp_state='));
  const page = await fetch(hubspot, { redirect: 'manual' });
  const signIn = hidden(await page.text()).filter(([k]) => k !== 'user' && k !== 'decision');
  signIn.push(['user', USER], ['decision', 'allow']);
  r = await fetch(new URL('/oauth/authorize', hubspot), { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(signIn) });
  const callback = new URL(r.headers.get('location'));
  r = await fetch(callback, { redirect: 'manual', headers: { cookie: stateCookie ?? '' } });
  const back = new URL(r.headers.get('location'));
  if (!back.href.startsWith(REDIRECT)) throw new Error(`unexpected redirect ${back}`);
  if (back.searchParams.get('error')) throw new Error(`authorization refused: ${back.searchParams.get('error_description')}`);
  return back.searchParams;
}

const newClient = () => LINE === '2.x'
  ? new Client({ name: 'oauth-test', version: '0' }, { capabilities: {}, versionNegotiation: { mode: 'legacy' } })
  : new Client({ name: 'oauth-test', version: '0' });

async function records(client) {
  const res = await client.callTool({ name: 'hubspot_list_records', arguments: { objectType: 'contacts', limit: 100 } });
  if (res.isError) throw new Error(`tool error: ${JSON.stringify(res.content)}`);
  const sc = res.structuredContent ?? {};
  return (sc.results ?? sc.records ?? []).length;
}

async function main() {
  const p = new Mem();
  stage = 'connect (expect 401)';
  let t = new StreamableHTTPClientTransport(new URL(url), { authProvider: p });
  try {
    await newClient().connect(t);
    throw new Error('connected without signing in');
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
  }
  if (!p.s.authUrl) throw new Error('the SDK asked for no authorization');
  const registration = p.s.client?.client_id?.startsWith('https://') ? 'cimd' : 'dcr';
  stage = 'consent and sign-in';
  const cb = await approve(p.s.authUrl);
  if (cb.get('state') !== p.s.state) throw new Error('state differs');
  stage = 'finishAuth';
  await t.finishAuth(LINE === '2.x' ? cb : cb.get('code'));
  stage = 'connect with the token';
  t = new StreamableHTTPClientTransport(new URL(url), { authProvider: p });
  const client = newClient();
  await client.connect(t);
  stage = 'tools/call';
  const first = await records(client);
  if (WAIT_MS) await new Promise((r) => setTimeout(r, WAIT_MS));
  stage = 'tools/call after the access token expired';
  const second = await records(client);
  await client.close();
  process.stdout.write(JSON.stringify({ ok: true, line: LINE, registration, records: [first, second],
    tokens_saved: p.s.saves, authorizations: p.s.redirects }) + '\n');
  process.exit(0);
}
main().catch(fail);
