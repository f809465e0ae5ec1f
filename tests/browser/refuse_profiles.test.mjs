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
    ['a profile of an earlier schema version opens, upgraded in memory', async () => {
      // tests/data/profiles/v1-*.lurk was written by the lurk of schema version 1.
      const old = path.join(sourceDir, 'tests/data/profiles/v1-capture-ctf-jsonl.lurk');
      const page = await openServed('v1.lurk', readFileSync(old));
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the old profile');
      assert(s.error === null, `error: ${s.error}`);
      const threads = Number(execFileSync('sqlite3', [old, 'SELECT count(*) FROM threads'], { encoding: 'utf8' }));
      const packets = Number(execFileSync('sqlite3', [old, 'SELECT count(*) FROM packets'], { encoding: 'utf8' }));
      assert(s.counts.threads === threads && s.counts.packets === packets,
             `counts ${JSON.stringify(s.counts)}; the file has ${threads} threads, ${packets} packets`);
      const ctf = s.clocks.find((c) => c.format === 'ctf');
      assert(s.clocks.length === 3 && ctf && ctf.ownAxis,
             `the sources and their clocks (the CTF trace on its own): ${JSON.stringify(s.clocks)}`);
      // Its capture and JSONL trace are runs half an hour apart; the CTF trace is not decades away.
      assert(s.durationNs < 86400e9, `no axis spanning decades: ${s.durationNs} ns`);
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
