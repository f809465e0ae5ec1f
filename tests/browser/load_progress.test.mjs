// The page's progress while it fetches a large profile (issue 15, "Progress"):
// with the download throttled (Chromium's network emulation, 3 MB/s), the
// status line says the bytes received of the profile's size, the rate and the
// time left, moving forward; window.lurkLoadProgress carries the same numbers,
// its total the file's size on disk; then the profile opens with the counts
// the file holds (sqlite3).
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
const view = await startView(['--in-browser', profile]);
const browser = await launchBrowser();
let page;
const seen = [];

try {
  await runChecks([
    ['a throttled fetch shows bytes, rate and time left, moving forward', async () => {
      page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions',
                     { offline: false, latency: 0, downloadThroughput: 3 * 1024 * 1024, uploadThroughput: -1 });
      await page.goto(view.url);
      let shot = false;
      const deadline = Date.now() + 60000;
      while (Date.now() < deadline) {
        const state = await page.evaluate(() => ({
          text: document.getElementById('status-text').textContent,
          progress: window.lurkLoadProgress || null,
          ready: window.lurkSnapshot().ready,
        }));
        if (state.ready) break;
        if (state.progress && /left/.test(state.text)) {
          seen.push(state);
          if (!shot && state.progress.received > size / 3) {
            await screenshot(page, 'load-progress.png');
            shot = true;
          }
        }
        await page.waitForTimeout(150);
      }
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
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
}
