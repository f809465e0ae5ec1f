// `lurk view` with no argument opens the demo (samples/demo.lurk, made by
// samples/make-demo.sh): its connections, threads and packets load, and a
// first-time user sees, without touching anything, each colour the demo is
// there to show: an exception (red), a retransmission (orange), a duplicate
// ACK (yellow), a RST (magenta), a zero window (grey). The findings panel leads
// with "N of M connections end with an exception: ...". The screenshot of
// this first screen is the README's (docs/img/demo.png): run with
// LURK_WRITE_README_IMG=1 to refresh it.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  assert, buildDir, launchBrowser, openPage, runChecks, screenshot, snapshot, sourceDir, sqliteCount,
  startView, waitForSnapshot,
} from './harness.mjs';

const profile = path.join(buildDir, 'share', 'lurk', 'samples', 'demo.lurk');
const view = await startView();
const browser = await launchBrowser();
let page;

// The colours the demo must show on its first screen (docs/ui.md's palette),
// named as the snapshot's marksOnScreen names them.
const COLOURS = ['exception', 'retransmission', 'duplicate ACK', 'RST', 'zero window'];

try {
  await runChecks([
    ['lurk view with no argument serves the demo profile', async () => {
      const stderr = view.stderr();
      assert(stderr.includes(`serving ${profile}`) || /serving .*samples\/demo\.lurk/.test(stderr),
             `lurk view says: ${stderr}`);
    }],
    ['the UI loads the demo: connections, threads, packets', async () => {
      page = await openPage(browser, view.url);
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the demo to load');
      assert(s.error === null, `error: ${s.error}`);
      // Packets: the capture's and the copies the two traces made of their own segments.
      const packets = sqliteCount(profile, 'SELECT count(*) FROM packets');
      const threads = sqliteCount(profile, 'SELECT count(*) FROM threads');
      assert(threads === 20 && s.counts.threads === threads, `UI shows ${s.counts.threads} threads, file ${threads}`);
      assert(s.counts.packets === packets, `UI shows ${s.counts.packets} packets, the file has ${packets}`);
      const captured = sqliteCount(profile, 'SELECT count(*) FROM connections WHERE same_as IS NULL');
      assert(captured === 10 && s.table.rows === 10, `table shows ${s.table.rows} connections, capture ${captured}`);
      const withThreads = s.groups.filter((g) => g.connection !== null && g.threads === 2).length;
      assert(withThreads === 10, `${withThreads} connection groups with their client and server threads, expected 10`);
    }],
    ['each colour of the demo is on the first screen', async () => {
      const s = await waitForSnapshot(page, (s) => COLOURS.every((c) => s.marksOnScreen?.[c] > 0),
        'every colour on screen', 15000);
      const shown = COLOURS.map((c) => `${c} ${s.marksOnScreen[c]}`).join(', ');
      console.log(`  on screen: ${shown}`);
      const file = await screenshot(page, 'view-demo.png');
      if (process.env.LURK_WRITE_README_IMG) {
        mkdirSync(path.join(sourceDir, 'docs', 'img'), { recursive: true });
        copyFileSync(file, path.join(sourceDir, 'docs', 'img', 'demo.png'));
      }
    }],
    ['the findings panel leads with "N of M connections end with an exception"', async () => {
      const s = await waitForSnapshot(page, (s) => s.findingsPanel?.rows?.length > 0,
        'the findings panel (snapshot findingsPanel, added with the findings panel)', 10000);
      const first = s.findingsPanel.rows[0].title;
      const m = /^(\d+) of (\d+) connections end with an exception: (.+)$/.exec(first);
      assert(m, `first row: ${first}`);
      const file = sqliteCount(profile, "SELECT count(*) FROM findings WHERE kind = 'connection-end-exception' " +
        `AND title = '${first.replace(/'/g, "''")}'`);
      assert(file === 1 && Number(m[2]) === 10 && Number(m[1]) === 9, `the first row is not the demo's: ${first}`);
    }],
    ['n goes to a finding with its lane on screen', async () => {
      await page.keyboard.press('n');
      const s = await waitForSnapshot(page, (s) => s.selection && s.selection.rowOnScreen,
        'a finding selected and on screen', 5000);
      // With the findings panel n walks its ranked rows (the first: the exception at
      // close); before it, n walked the marks in time order.
      if (s.findingsPanel) assert(s.findingsPanel.currentRank === 1, `rank ${s.findingsPanel.currentRank}`);
      else assert(s.selection.finding && s.findings.current >= 0, `findings ${JSON.stringify(s.findings)}`);
      await screenshot(page, 'view-demo-first-finding.png');
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
}
