// `lurk view` on samples/loopback-http.pcap: the page loads the WebAssembly UI, which
// reports the connections and packets it loaded, and they match the profile
// file as the sqlite3 shell reads it. Zoom and pan move the visible range.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, launchBrowser, openPage, runChecks, screenshot, snapshot, sourceDir, sqliteCount, startView,
  waitForSnapshot,
} from './harness.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-browser-'));
const profile = path.join(work, 'sample.lurk');
const view = await startView([path.join(sourceDir, 'samples/loopback-http.pcap'), '-o', profile]);
const browser = await launchBrowser();
let page;

try {
  await runChecks([
    ['lurk view prints a 127.0.0.1 URL first', async () => {
      assert(/^http:\/\/127\.0\.0\.1:\d+\/$/.test(view.url), `unexpected URL ${view.url}`);
    }],
    ['the UI loads the sample and reports what it loaded', async () => {
      page = await openPage(browser, view.url);
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the trace to load');
      assert(s.error === null, `error: ${s.error}`);
      const connections = sqliteCount(profile, 'SELECT count(*) FROM connections');
      const packets = sqliteCount(profile, 'SELECT count(*) FROM packets');
      assert(connections > 0 && packets > 0, 'the sample profile is empty');
      assert(s.counts.connections === connections,
             `UI shows ${s.counts.connections} connections, the file has ${connections}`);
      assert(s.counts.packets === packets, `UI shows ${s.counts.packets} packets, the file has ${packets}`);
      assert(s.counts.threads === 0 && s.counts.events === 0, 'a capture alone has no threads or events');
      assert(typeof s.lastFrameMs === 'number' && s.lastFrameMs >= 0, 'lastFrameMs missing');
      await screenshot(page, 'view-sample.png');
    }],
    ['the visible range covers the whole trace at first', async () => {
      const s = await snapshot(page);
      const first = sqliteCount(profile, 'SELECT min(first_ns) FROM connections');
      const last = sqliteCount(profile, 'SELECT max(last_ns) FROM connections');
      const [t0, t1] = s.visibleRange;
      assert(t0 <= first && t1 >= last, `visible ${t0}..${t1} does not cover ${first}..${last}`);
    }],
    ['wheel zooms in at the pointer', async () => {
      const before = (await snapshot(page)).visibleRange;
      await page.mouse.move(900, 300);
      for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -100);
      const s = await waitForSnapshot(page, (s) =>
        s.visibleRange[1] - s.visibleRange[0] < (before[1] - before[0]) * 0.6, 'zoom in');
      // The time under the pointer stays put (within a pixel's worth of time).
      const { left, width } = s.timelineAxis;
      const fraction = (900 - left) / width;
      const anchorBefore = before[0] + fraction * (before[1] - before[0]);
      const anchorAfter = s.visibleRange[0] + fraction * (s.visibleRange[1] - s.visibleRange[0]);
      const pixel = (before[1] - before[0]) / width;
      assert(Math.abs(anchorAfter - anchorBefore) < 2 * pixel,
             `the time under the pointer moved by ${anchorAfter - anchorBefore} ns`);
    }],
    ['dragging pans the timeline', async () => {
      const before = (await snapshot(page)).visibleRange;
      await page.mouse.move(900, 400);
      await page.mouse.down();
      await page.mouse.move(700, 400, { steps: 5 });
      await page.mouse.up();
      const s = await waitForSnapshot(page, (s) => s.visibleRange[0] > before[0], 'pan');
      const span = s.visibleRange[1] - s.visibleRange[0];
      // Absolute epoch ns in doubles are exact to ~256 ns, hence the slack.
      assert(Math.abs(span - (before[1] - before[0])) < 1e-4 * span + 1024, 'panning changed the zoom');
      await screenshot(page, 'view-sample-zoomed.png');
    }],
    ['] selects each flagged packet with its lane scrolled into view, graphs open', async () => {
      const flagged = sqliteCount(profile, 'SELECT count(*) FROM packets WHERE analysis & ~8192 != 0 OR tcp_flags & 4');
      assert(flagged > 0, 'the sample has flagged packets');
      for (let i = 0; i < flagged; i++) {
        await page.keyboard.press(']');
        await page.waitForTimeout(80);
        const s = await waitForSnapshot(page, (s) => s.selection && s.selection.finding &&
          s.selection.rowOnScreen && s.graphs && s.graphs.connection === s.selection.connection,
          `finding ${i + 1}: its lane on screen and its graphs open`, 5000);
        assert(s.selection.kind === 'packet', `selected ${s.selection.kind}`);
      }
      await screenshot(page, 'view-sample-finding.png');
    }],
    ['a missing trace shows a readable message', async () => {
      const missing = await openPage(browser, view.url + '?trace=no-such-file.lurk');
      const s = await waitForSnapshot(missing, (s) => s.error, 'the error');
      assert(/no-such-file\.lurk/.test(s.error) && /404/.test(s.error), `message: ${s.error}`);
      const shown = await missing.textContent('#status-text');
      assert(shown.includes('no-such-file.lurk'), `page shows: ${shown}`);
      await screenshot(missing, 'view-missing-trace.png');
      await missing.close();
    }],
    ['a file that is not a lurk profile shows a readable message', async () => {
      // lurk view serves only its own files, so serve the bad file from a page route.
      const bad = await browser.newPage();
      await bad.route('**/bad.lurk', (route) => route.fulfill({ body: 'SQLite format 3\0 but not really' }));
      await bad.goto(view.url + '?trace=bad.lurk');
      const s = await waitForSnapshot(bad, (s) => s.error, 'the error');
      assert(/bad\.lurk/.test(s.error), `message: ${s.error}`);
      await bad.close();
    }],
    ['the server refuses paths outside its own files', async () => {
      const response = await fetch(view.url + '../../etc/passwd');
      const traversal = await fetch(view.url + '%2e%2e/%2e%2e/etc/passwd');
      assert(response.status === 404 && traversal.status === 404, 'path traversal was served');
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
}
