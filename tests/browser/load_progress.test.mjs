// The page's progress while it fetches a large profile (issue 15, "Progress"):
// with the download throttled (Chromium's network emulation, 3 MB/s), the
// status line says the bytes received of the profile's size, the rate and the
// time left, moving forward; window.lurkLoadProgress carries the same numbers,
// its total the file's size on disk; then the profile opens with the counts
// the file holds (sqlite3). A page also served the profile's lane store
// (/trace.lanes, fetched beside it) shows one line for both: named so, its
// total the two sizes, and it does not reach its end before the store has.
// A page for which no store can come (the cache not writable: the server says
// "failed" in X-Lurk-Lanes) never says a store is being made.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, buildDir, launchBrowser, runChecks, screenshot, sqliteCount, startView, waitForSnapshot,
} from './harness.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-progress-'));
const profile = path.join(work, 'progress.lurk');
execFileSync(path.join(buildDir, 'bin/lurk-make-profile'), ['--events', '250000', '-o', profile]);
const size = statSync(profile).size;
process.env.LURK_CACHE_DIR = mkdtempSync(path.join(os.tmpdir(), 'lurk-progress-cache-'));
const view = await startView(['--in-browser', profile]);
const stored = await startView(['--in-browser', '--page-lanes-over', '0', profile]);
// A cache that cannot be written (a file where its directory should be): no
// store can come, and the server says so in the profile's answer.
const cache = process.env.LURK_CACHE_DIR;
process.env.LURK_CACHE_DIR = path.join(profile, 'cache');
const storeless = await startView(['--in-browser', '--page-lanes-over', '0', profile]);
process.env.LURK_CACHE_DIR = cache;
const browser = await launchBrowser();
let page;
const seen = [];

// A page whose downloads are throttled (Chromium's network emulation, 3 MB/s).
async function throttledPage(url) {
  const p = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  const cdp = await p.context().newCDPSession(p);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions',
                 { offline: false, latency: 0, downloadThroughput: 3 * 1024 * 1024, uploadThroughput: -1 });
  p.consoleLines = [];
  p.on('console', (message) => p.consoleLines.push(message.text()));
  p.failedAnswers = [];
  p.on('response', (r) => { if (r.status() >= 400) p.failedAnswers.push(`${r.status()} ${r.url()}`); });
  await p.goto(url);
  return p;
}

// The status lines with a time left, seen every 150 ms until the profile is
// open (a screenshot once a third of `bytes` has arrived).
async function watchProgress(p, bytes, shotName) {
  const states = [];
  let shot = false;
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    const state = await p.evaluate(() => ({
      text: document.getElementById('status-text').textContent,
      progress: window.lurkLoadProgress || null,
      ready: window.lurkSnapshot().ready,
    }));
    if (state.ready) break;
    if (state.progress && /left/.test(state.text)) {
      states.push(state);
      if (!shot && state.progress.received > bytes / 3) {
        await screenshot(p, shotName);
        shot = true;
      }
    }
    await p.waitForTimeout(150);
  }
  return states;
}

try {
  await runChecks([
    ['a throttled fetch shows bytes, rate and time left, moving forward', async () => {
      page = await throttledPage(view.url);
      seen.push(...await watchProgress(page, size, 'load-progress.png'));
      assert(seen.length >= 3, `the progress line was seen ${seen.length} times: ${JSON.stringify(seen)}`);
      const pattern = /^Loading trace\.lurk… [\d.]+ (B|KB|MB) of ([\d.]+) MB · [\d.]+ (KB|MB)\/s · \d+ s left$/;
      for (const s of seen) assert(pattern.test(s.text), `status line: ${s.text}`);
      const mb = Number(pattern.exec(seen[0].text)[2]);
      assert(Math.abs(mb - size / 2 ** 20) < 0.1, `the line says ${mb} MB, the file has ${size} bytes`);
      assert(seen.every((s) => s.progress.total === size), `total ${seen[0].progress.total}, file ${size}`);
      const first = seen[0].progress, last = seen[seen.length - 1].progress;
      assert(last.received > first.received, 'bytes received move forward');
      assert(last.secondsLeft < first.secondsLeft, `time left goes down: ${first.secondsLeft} → ${last.secondsLeft}`);
      const rate = last.bytesPerSecond;
      // The throttle is a ceiling (a loaded machine may be slower still).
      assert(rate > 0 && rate < 3.3 * 2 ** 20, `rate ${rate} B/s under a 3 MB/s throttle`);
      const shown = Number(/· ([\d.]+) (KB|MB)\/s/.exec(seen[seen.length - 1].text)[1]);
      assert(shown > 0, 'the line shows the rate');
    }],
    ['the profile then opens with what the file holds', async () => {
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the profile to open', 120000);
      assert(s.error === null, `error: ${s.error}`);
      const packets = sqliteCount(profile, 'SELECT count(*) FROM packets');
      assert(s.counts.packets === packets, `UI shows ${s.counts.packets} packets, the file has ${packets}`);
      // No store offered, and not server-backed: the page asked for neither
      // (no 404 on the console of every load).
      assert(page.failedAnswers.length === 0, `answers over 400: ${page.failedAnswers.join(', ')}`);
    }],
    ['with the lane store beside it: one line for both transfers, to the end of both', async () => {
      // Served from the start (made before the URL is printed, lane facts or not).
      const lanesSize = Number((await fetch(new URL('trace.lanes', stored.url))).headers.get('Content-Length'));
      assert(lanesSize > 0, `/trace.lanes has ${lanesSize} bytes`);
      const p = await throttledPage(stored.url);
      const states = await watchProgress(p, size + lanesSize, 'load-progress-lanes.png');
      const both = states.filter((s) => s.text.startsWith('Loading trace.lurk and its lanes… '));
      assert(both.length >= 3, `lines naming both: ${JSON.stringify(states.map((s) => s.text))}`);
      assert(both.every((s) => s.progress.total === size + lanesSize),
             `totals ${[...new Set(both.map((s) => s.progress.total))]}, profile ${size} + store ${lanesSize}`);
      const last = both[both.length - 1].progress;
      assert(last.received > size, `the line went past the profile's bytes (${last.received} of ${size}): the store's count`);
      const s = await waitForSnapshot(p, (x) => x.ready || x.error, 'the stored page to open', 120000);
      assert(s.error === null, `error: ${s.error}`);
      await p.close();
    }],
    ['no store coming: the line never says one is being made, the lanes come from the profile', async () => {
      const p = await throttledPage(storeless.url);
      const lines = new Set();
      for (let s = null; !(s && (s.ready || s.error));) {
        lines.add(await p.evaluate(() => document.getElementById('status-text').textContent));
        if (lines.size === 3) await screenshot(p, 'load-progress-no-store.png');
        s = await p.evaluate(() => window.lurkSnapshot());
        await p.waitForTimeout(100);
      }
      const all = [...lines];
      assert(all.some((l) => /^Loading trace\.lurk… /.test(l)), `lines: ${JSON.stringify(all)}`);
      assert(!all.some((l) => /lane store|its lanes/.test(l)), `a store was announced: ${JSON.stringify(all)}`);
      const s = await waitForSnapshot(p, (x) => x.ready || x.error, 'the storeless page to open', 120000);
      assert(s.error === null && s.lanesFrom === 'profile', `error ${s.error}, lanes from ${s.lanesFrom}`);
      assert(p.consoleLines.some((l) => /no lane store: .*cannot write/.test(l)), `console: ${p.consoleLines.join(' | ')}`);
      await p.close();
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
  stored.process.kill('SIGINT');
  storeless.process.kill('SIGINT');
}
