// Headless Chromium for the browser drivers (walk.mjs, approve.mjs): started in a fresh profile and its own
// process group, and stopped so that nothing of it is left behind. Killing only the browser process left its
// helpers (the network service writing the disk cache) running for a moment, and they recreated the profile
// the driver had just removed: every run left a directory in /tmp.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Starts Chromium at a phone's size; `devtools` resolves to its DevTools WebSocket URL. */
export function launch(prefix) {
  const profile = mkdtempSync(join(tmpdir(), prefix));
  const browser = spawn(process.env.CHROMIUM || 'chromium', [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions',
    '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--window-size=390,844', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const exited = new Promise((resolve) => browser.once('exit', resolve));
  const devtools = new Promise((resolve, reject) => {
    let buf = '';
    browser.stderr.on('data', (d) => {
      buf += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    exited.then((c) => reject(new Error(`chromium exited (${c}): ${buf.slice(-500)}`)));
  });
  /** Kills the browser's whole process group, waits for it (at most 5 s), then removes the profile. */
  const close = async () => {
    try { process.kill(-browser.pid, 'SIGKILL'); } catch { browser.kill('SIGKILL'); }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    // The group's other processes die with the same signal; a retry covers one still closing a file.
    try { rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }); } catch { /* best effort */ }
  };
  return { devtools, close };
}
