// The timeline on the real mirage-profile trace (../shared/samples/net.ctf,
// 10,078 events, 2 failed threads): the threads load into the no-connection
// group, and `n` reaches both exceptions, each centered and selected with its
// message, as the profile (read with the sqlite3 shell) records it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, launchBrowser, openPage, runChecks, screenshot, snapshot, sourceDir, sqliteCount,
  startView, waitForSnapshot,
} from './harness.mjs';

const ctf = path.resolve(sourceDir, '..', 'shared', 'samples', 'net.ctf');
if (!existsSync(ctf)) {
  console.log(`skipped: ${ctf} is not there`);
  console.log('0 passed, 0 failed');
  process.exit(0);
}
const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-timeline-ctf-'));
const profile = path.join(work, 'net.lurk');
const view = await startView(['-o', profile, ctf]);
const browser = await launchBrowser();
const page = await openPage(browser, view.url, { width: 1500, height: 900 });

try {
  await runChecks([
    ['net.ctf loads with its threads on no connection', async () => {
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the trace to load');
      assert(s.error === null, `error: ${s.error}`);
      const threads = sqliteCount(profile, 'SELECT count(*) FROM threads');
      assert(s.counts.threads === threads, `${s.counts.threads} threads, the file has ${threads}`);
      const last = s.groups[s.groups.length - 1];
      assert(last.connection === null &&
             last.threads === sqliteCount(profile, 'SELECT count(*) FROM threads WHERE connection_id IS NULL'),
             `no-connection group: ${JSON.stringify(last)}`);
      await page.click('canvas', { position: { x: 700, y: 880 } });
      await screenshot(page, 'timeline-ctf.png');
    }],
    ['] reaches both failed threads\' exceptions, centered and selected', async () => {
      const failed = sqliteCount(profile, 'SELECT count(*) FROM threads WHERE failed = 1');
      const message = execFileSync('sqlite3', [profile,
        'SELECT text FROM strings JOIN threads ON threads.exception = strings.id LIMIT 1'], { encoding: 'utf8' }).trim();
      assert(failed === 2, `net.ctf has ${failed} failed threads`);
      let s = await snapshot(page);
      assert(s.findings.count >= failed, `findings: ${s.findings.count}`);
      const seen = new Set();
      for (let i = 0; i < s.findings.count; i++) {
        await page.keyboard.press(']');
        await page.waitForTimeout(50);
        s = await snapshot(page);
        assert(s.selection && s.selection.finding, `] selected ${JSON.stringify(s.selection)}`);
        const center = (s.visibleRange[0] + s.visibleRange[1]) / 2;
        assert(Math.abs(center - s.selection.t) < (s.visibleRange[1] - s.visibleRange[0]) * 0.01 + 2048,
               'the exception is centered');
        assert(s.selection.title.includes(message), `title ${s.selection.title} lacks ${message}`);
        seen.add(s.selection.thread);
      }
      assert(seen.size === failed, `] visited ${seen.size} failed threads, the file has ${failed}`);
      await page.keyboard.press('f');
      await page.waitForTimeout(100);
      await screenshot(page, 'timeline-ctf-exception.png');
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
}
