// The UI refuses what it cannot read with a message a person understands:
// a profile of a newer schema version, and an SQLite file that is not a
// lurk profile. Both files are real SQLite files made with the sqlite3 shell.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, launchBrowser, runChecks, screenshot, sourceDir, startView, waitForSnapshot,
} from './harness.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-refuse-'));
const profile = path.join(work, 'sample.lurk');
// A profile ingested here (-o), from a capture: `lurk view` with no input serves the demo .lurk as it is.
const view = await startView([path.join(sourceDir, 'samples/loopback-http.pcap'), '-o', profile]);
const browser = await launchBrowser();

async function openServed(name, bytes) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  await page.route(`**/${name}`, (route) => route.fulfill({ body: bytes }));
  await page.goto(`${view.url}?trace=${name}`);
  return page;
}

try {
  await runChecks([
    ['a profile of a newer schema version is refused, naming the versions', async () => {
      const newer = path.join(work, 'newer.lurk');
      copyFileSync(profile, newer);
      execFileSync('sqlite3', [newer, 'PRAGMA user_version = 7']);
      const page = await openServed('newer.lurk', readFileSync(newer));
      const s = await waitForSnapshot(page, (s) => s.error, 'the error');
      assert(/newer/.test(s.error) && /7/.test(s.error), `message: ${s.error}`);
      assert(!s.ready, 'a refused profile must not report ready');
      await screenshot(page, 'refuse-newer-schema.png');
      await page.close();
    }],
    ['an SQLite file that is not a lurk profile is refused', async () => {
      const other = path.join(work, 'other.sqlite');
      execFileSync('sqlite3', [other, 'CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES (1);']);
      const page = await openServed('other.lurk', readFileSync(other));
      const s = await waitForSnapshot(page, (s) => s.error, 'the error');
      assert(/not a lurk profile/.test(s.error), `message: ${s.error}`);
      await page.close();
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
}
