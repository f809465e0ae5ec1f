// Connections from a mirage-profile CTF trace alone (docs/ctf.md, "Connections
// from the trace") in the UI: `lurk view` on a server trace written by
// lurk-make-ctf-server (tests/unit/ctf_server_scenario.h; connections 1 and 3
// of 4 fail at close) shows one group per connection, headed by its root
// label and promise (endpoints unknown), with that connection's threads as the
// profile (read with the sqlite3 shell) links them, then the threads on no
// connection.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, buildDir, launchBrowser, lurkBin, openPage, runChecks, screenshot, sqliteCount, startView,
  waitForSnapshot,
} from './harness.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-ctf-connections-'));
const ctf = path.join(work, 'server.ctf');
const profile = path.join(work, 'server.lurk');
execFileSync(path.join(buildDir, 'bin', 'lurk-make-ctf-server'), [ctf, 'x.x.']);
const view = await startView(['-o', profile, ctf]);
const browser = await launchBrowser();
const page = await openPage(browser, view.url, { width: 1500, height: 900 });

try {
  await runChecks([
    ['one group per trace connection with its threads, then the rest', async () => {
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the trace to load');
      assert(s.error === null, `error: ${s.error}`);
      const rows = execFileSync('sqlite3', ['-separator', '\t', profile,
        "SELECT c.id, r.ext_id, (SELECT count(*) FROM threads t WHERE t.connection_id = c.id) " +
        'FROM connections c JOIN threads r ON r.id = c.root_thread_id ORDER BY c.first_ns'],
      { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('\t'));
      assert(rows.length === 4, `the profile has ${rows.length} trace connections`);
      assert(s.groups.length === 5, `groups: ${JSON.stringify(s.groups)}`);
      rows.forEach(([id, root, threads], i) => {
        const g = s.groups[i];
        assert(g.connection === Number(id), `group ${i} is connection ${g.connection}, not ${id}`);
        assert(g.label === `new-server-connection, promise ${root} (endpoints unknown)`,
               `group ${i} label: ${g.label}`);
        assert(g.threads === Number(threads), `group ${i}: ${g.threads} threads, the file has ${threads}`);
      });
      const last = s.groups[4];
      assert(last.connection === null &&
             last.threads === sqliteCount(profile, 'SELECT count(*) FROM threads WHERE connection_id IS NULL'),
             `no-connection group: ${JSON.stringify(last)}`);
      await screenshot(page, 'timeline-ctf-connections.png');
    }],
    ['every connection fails at close: the findings panel leads with N of N, as lurk findings', async () => {
      // The mirage-tcpip#153 pattern: every close raises Invalid_argument("Lwt.wakeup_result").
      const allCtf = path.join(work, 'all-fail.ctf');
      const allProfile = path.join(work, 'all-fail.lurk');
      execFileSync(path.join(buildDir, 'bin', 'lurk-make-ctf-server'), [allCtf, 'xxxxxx']);
      const allView = await startView(['-o', allProfile, allCtf]);
      try {
        const allPage = await openPage(browser, allView.url, { width: 1500, height: 900 });
        const s = await waitForSnapshot(allPage, (s) => s.ready || s.error, 'the trace to load');
        assert(s.error === null, `error: ${s.error}`);
        const cli = JSON.parse(execFileSync(lurkBin, ['findings', allProfile, '--format', 'json'],
                                            { encoding: 'utf8' }));
        const first = s.findingsPanel.rows[0];
        assert(first.title === cli[0].title,
               `panel's first row ${first.title}, lurk findings' ${cli[0].title}`);
        assert(cli[0].title === '6 of 6 connections end with an exception: Invalid_argument("Lwt.wakeup_result")',
               `lurk findings' first row: ${cli[0].title}`);
        assert(first.kind === 'connection-end-exception', `first row kind ${first.kind}`);
        assert(s.groups.filter((g) => g.connection !== null).length === 6, `groups: ${JSON.stringify(s.groups)}`);
        await screenshot(allPage, 'timeline-ctf-all-fail.png');
      } finally {
        allView.process.kill('SIGINT');
      }
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
}
