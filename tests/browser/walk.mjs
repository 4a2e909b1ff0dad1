#!/usr/bin/env node
// A real browser walks the sign-in: headless Chromium (Debian's `chromium`), driven over the DevTools
// protocol with Node's built-in WebSocket (no npm package). It opens the server's authorize URL at a
// phone's size, screenshots the consent page, checks it has no script and a labelled form, clicks
// "Allow", picks SANDBOX_USER on the sandbox's HubSpot sign-in page, submits, and follows the redirects
// back to the client's redirect URI (the test listens there).
//
// Usage: node walk.mjs AUTHORIZE_URL REDIRECT_PREFIX SCREENSHOT.png     Env: SANDBOX_USER, CHROMIUM
// stdout: one JSON line {"ok":true,"final_url":..,"consent":{..},"screenshot":..} or {"ok":false,..}.
import { writeFileSync } from 'node:fs';
import { launch } from './chromium.mjs';

const [authorizeUrl, redirectPrefix, shot] = process.argv.slice(2);
const USER = process.env.SANDBOX_USER || 'owner';
let stage = 'launch';
const chromium = launch('walk-');
const done = async (out, code) => {
  process.stdout.write(JSON.stringify(out) + '\n');
  await chromium.close();
  process.exit(code);
};
const fail = (e) => done({ ok: false, stage, error: String(e?.message ?? e) }, 1);
setTimeout(() => fail(new Error('timed out')), 45000);

const wsUrl = await chromium.devtools.catch(fail);

const port = new URL(wsUrl).port;
stage = 'attach';
const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const page = targets.find((t) => t.type === 'page');
const ws = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
let nextId = 0;
const pending = new Map();
const waiters = [];
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id && pending.has(msg.id)) {
    const { resolve, reject } = pending.get(msg.id);
    pending.delete(msg.id);
    msg.error ? reject(new Error(msg.error.message)) : resolve(msg.result);
  } else if (msg.method) {
    const keep = [];
    for (const w of waiters.splice(0)) {
      if (w.method === msg.method) w.resolve(msg.params);
      else keep.push(w);
    }
    waiters.push(...keep);
  }
};
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = ++nextId;
  pending.set(id, { resolve, reject });
  ws.send(JSON.stringify({ id, method, params }));
});
const event = (method) => new Promise((resolve) => waiters.push({ method, resolve }));
const evaluate = async (expr) => (await send('Runtime.evaluate', { expression: expr, returnByValue: true })).result.value;
// Resolves when a load finishes on a URL starting with `prefix`.
async function loaded(prefix) {
  for (;;) {
    await event('Page.loadEventFired');
    const href = await evaluate('location.href');
    if (href.startsWith(prefix)) return href;
  }
}

try {
  await send('Page.enable');
  await send('Runtime.enable');
  await send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 2, mobile: true });
  stage = 'consent page';
  const origin = new URL(authorizeUrl).origin;
  let load = loaded(origin);
  await send('Page.navigate', { url: authorizeUrl });
  await load;
  const consent = await evaluate(`({
    title: document.title,
    heading: document.querySelector('h1')?.textContent,
    scripts: document.scripts.length,
    allow: !!document.querySelector('button[value=allow]'),
    deny: !!document.querySelector('button[value=deny]'),
    viewport: !!document.querySelector('meta[name=viewport]'),
    lang: document.documentElement.lang,
    overflows: document.documentElement.scrollWidth > window.innerWidth,
    // The page's own style applied (a stricter policy added on top would block it).
    styled: getComputedStyle(document.querySelector('button[value=allow]')).backgroundColor === 'rgb(255, 122, 89)',
    labelled: [...document.querySelectorAll('button')].every((b) => b.textContent.trim().length > 0),
  })`);
  const png = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
  writeFileSync(shot, Buffer.from(png.data, 'base64'));
  stage = 'allow';
  load = loaded('http');
  await evaluate("document.querySelector('button[value=allow]').click()");
  const hubspotPage = await load;
  stage = `sign in as ${USER} on ${hubspotPage}`;
  load = loaded(redirectPrefix);
  await evaluate(`(() => {
    document.querySelector('input[name=user][value="${USER}"]').click();
    document.querySelector('button[name=decision][value=allow]').click();
  })()`);
  const finalUrl = await load;
  done({ ok: true, consent, hubspot_page: hubspotPage, final_url: finalUrl, screenshot: shot }, 0);
} catch (e) {
  fail(e);
}
