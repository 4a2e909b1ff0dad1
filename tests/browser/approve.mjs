#!/usr/bin/env node
// A real browser decides on the approval page (issue #12): headless Chromium (Debian's `chromium`), driven
// over the DevTools protocol with Node's built-in WebSocket (no npm package), as walk.mjs does. It opens
// the link a client without elicitation was given, at a phone's size, reads what the page shows,
// screenshots it, presses the #approve or #reject button (a form POST carrying the page's CSRF token, with
// the page's SameSite=Strict cookie), and reads the page the server answers with.
//
// Usage: node approve.mjs APPROVAL_URL approve|reject SCREENSHOT.png     Env: CHROMIUM
// stdout: one JSON line {"ok":true,"page":{..},"after":{"url","heading","text"},"screenshot":..}
//         or {"ok":false,"stage":..,"error":..}.
import { writeFileSync } from 'node:fs';
import { launch } from './chromium.mjs';

const [approvalUrl, decision, shot] = process.argv.slice(2);
let stage = 'launch';
if (!approvalUrl || !['approve', 'reject'].includes(decision) || !shot) {
  process.stdout.write(JSON.stringify({ ok: false, stage: 'usage', error: 'usage: node approve.mjs APPROVAL_URL approve|reject SCREENSHOT.png' }) + '\n');
  process.exit(2);
}
const chromium = launch('approve-');
const done = async (out, code) => {
  process.stdout.write(JSON.stringify(out) + '\n');
  await chromium.close();
  process.exit(code);
};
const fail = (e) => done({ ok: false, stage, error: String(e?.message ?? e) }, 1);
setTimeout(() => fail(new Error('timed out')), 45000);

const wsUrl = await chromium.devtools.catch(fail);

stage = 'attach';
const port = new URL(wsUrl).port;
const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const ws = new WebSocket(targets.find((t) => t.type === 'page').webSocketDebuggerUrl);
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
    for (const w of waiters.splice(0)) (w.method === msg.method ? w.resolve(msg.params) : keep.push(w));
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

try {
  await send('Page.enable');
  await send('Runtime.enable');
  await send('Network.enable');
  await send('Emulation.setDeviceMetricsOverride', { width: 390, height: 844, deviceScaleFactor: 2, mobile: true });
  stage = 'approval page';
  let load = event('Page.loadEventFired');
  await send('Page.navigate', { url: approvalUrl });
  await load;
  const page = await evaluate(`({
    url: location.href,
    title: document.title,
    heading: document.querySelector('h1')?.textContent ?? null,
    change: document.querySelector('pre')?.textContent ?? null,
    scripts: document.scripts.length,
    approve: document.querySelector('#approve')?.textContent.trim() ?? null,
    reject: document.querySelector('#reject')?.textContent.trim() ?? null,
    form_method: document.querySelector('form')?.method ?? null,
    csrf_field: !!document.querySelector('form input[type=hidden][name=csrf]')?.value,
    // The CSRF cookie is HttpOnly: the page's own script (it has none) could not read it either.
    cookie_visible: document.cookie.length > 0,
    viewport: !!document.querySelector('meta[name=viewport]'),
    overflows: document.documentElement.scrollWidth > window.innerWidth,
  })`);
  const { cookies } = await send('Network.getCookies', { urls: [approvalUrl] });
  page.cookie = cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite ?? null, path: c.path }));
  const png = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
  writeFileSync(shot, Buffer.from(png.data, 'base64'));

  stage = `press #${decision}`;
  load = event('Page.loadEventFired');
  await evaluate(`document.querySelector('#${decision}').click()`);
  await load;
  const after = await evaluate(`({
    url: location.href,
    heading: document.querySelector('h1')?.textContent ?? null,
    text: document.body.innerText,
    buttons: document.querySelectorAll('button').length,
  })`);
  done({ ok: true, decision, page, after, screenshot: shot }, 0);
} catch (e) {
  fail(e);
}
