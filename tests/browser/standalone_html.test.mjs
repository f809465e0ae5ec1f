// Standalone HTML (docs/sharing.md): `lurk export --html --view LINK` and the
// UI's "Export HTML" button write one file that opens from file:// in
// headless Chromium with the network off (an offline context, every request
// but the file itself aborted and counted): it renders the trace (snapshot
// ready, the counts the sqlite3 shell reads from the profile) and opens on
// the view it was exported with (snapshot compared field by field with the
// page it came from). The exported page exports again, offline. Bad input to
// the CLI gets a clear message.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assert, launchBrowser, lurkBin, openPage, runChecks, screenshot, sqliteCount, startView,
  waitForSnapshot } from './harness.mjs';
import { assertSameView, makeMixedProfile, setView, waitForAddress } from './share_helpers.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-standalone-'));
const profile = makeMixedProfile(path.join(work, 'mixed.lurk'));
const view = await startView([profile]);
const browser = await launchBrowser();
const viewport = { width: 1500, height: 900 };
let page, original, cliHtml, uiHtml, offlinePage;

const expectedCounts = {
  connections: sqliteCount(profile, 'SELECT count(*) FROM connections'),
  packets: sqliteCount(profile, 'SELECT count(*) FROM packets'),
  threads: sqliteCount(profile, 'SELECT count(*) FROM threads'),
};

// Opens `file` from file:// with networking off; returns the page once the
// trace is drawn. Every request that is not the file itself is aborted and kept.
async function openOffline(file, hash = '') {
  const context = await browser.newContext({ viewport, offline: true, acceptDownloads: true });
  const blocked = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const p = await context.newPage();
  p.consoleLines = [];
  p.on('console', (m) => p.consoleLines.push(`${m.type()}: ${m.text()}`));
  p.on('pageerror', (e) => p.consoleLines.push(`pageerror: ${e.message}`));
  p.on('request', (r) => { if (!/^(file|data|blob):/.test(r.url())) blocked.push(r.url()); });
  await p.goto(pathToFileURL(file).href + hash);
  const s = await waitForSnapshot(p, (s) => (s.ready && s.frames > 2) || s.error, `${path.basename(file)} offline`);
  assert(s.error === null, `error: ${s.error}\n${p.consoleLines.join('\n')}`);
  assert(blocked.length === 0, `the page asked the network for ${blocked.join(', ')}`);
  for (const k of Object.keys(expectedCounts))
    assert(s.counts[k] === expectedCounts[k], `${k}: the page shows ${s.counts[k]}, the profile has ${expectedCounts[k]}`);
  return p;
}

try {
  await runChecks([
    ['a view is set on the served profile', async () => {
      page = await openPage(browser, view.url, viewport);
      await waitForSnapshot(page, (s) => (s.ready && s.frames > 2) || s.error, 'the trace');
      await setView(page, { findingKind: 'zero-window-stall', search: 'request' });
      original = await waitForAddress(page, 'the view');
      assert(original.view.hash.includes('fkind=zero-window-stall'), `hash ${original.view.hash}`);
    }],
    ['lurk export --html --view LINK writes one file of sensible size', async () => {
      cliHtml = path.join(work, 'cli.html');
      const r = spawnSync(lurkBin, ['export', profile, '--html', cliHtml, '--view', page.url()], { encoding: 'utf8' });
      assert(r.status === 0, `exit ${r.status}: ${r.stderr}`);
      assert(/^wrote .*cli\.html \(/.test(r.stderr), `stderr: ${r.stderr}`);
      const size = statSync(cliHtml).size, profileSize = statSync(profile).size;
      // The viewer packed is ~1.5 MB; the profile packed is well under its own size.
      assert(size < profileSize + 2.5e6, `${size} bytes for a ${profileSize}-byte profile`);
    }],
    ['the exported file opens offline on the view it was exported with', async () => {
      offlinePage = await openOffline(cliHtml);
      const s = await waitForAddress(offlinePage, 'the exported view');
      assertSameView(s, original, 'lurk export --html');
      assert(s.view.notice === '', `notice: ${s.view.notice}`);
      await screenshot(offlinePage, 'standalone-cli.png');
    }],
    ['its keys work as in the served UI', async () => {
      const before = await waitForAddress(offlinePage, 'before the keys');
      await offlinePage.click('canvas', { position: { x: 1400, y: 850 } });  // the details panel: the keys go to lurk
      await offlinePage.keyboard.press('0');
      const s = await waitForSnapshot(offlinePage, (s) => s.visibleRange[1] - s.visibleRange[0] >
                                      before.visibleRange[1] - before.visibleRange[0], 'the whole trace (0)', 3000);
      assert(s.durationNs > 0, 'no duration');
    }],
    ['the address\'s own view wins over the one inside', async () => {
      const p = await openOffline(cliHtml, '#v=1');
      const s = await waitForSnapshot(p, (s) => s.ready, 'ready');
      assert(s.view.hash === 'v=1' && s.findingsPanel.filter === '', `view ${s.view.hash}`);
      await p.context().close();
    }],
    ['the Export HTML button writes a file that opens offline on the current view', async () => {
      const [event] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.click('#export-html')]);
      uiHtml = path.join(work, 'ui.html');
      await event.saveAs(uiHtml);
      assert(event.suggestedFilename() === 'trace.html', `name ${event.suggestedFilename()}`);
      const p = await openOffline(uiHtml);
      const s = await waitForAddress(p, 'the UI export\'s view');
      assertSameView(s, original, 'Export HTML');
      await p.context().close();
    }],
    ['the exported page exports again, offline', async () => {
      const [event] = await Promise.all([offlinePage.waitForEvent('download', { timeout: 60000 }),
                                         offlinePage.click('#export-html')]);
      const again = path.join(work, 'again.html');
      await event.saveAs(again);
      const p = await openOffline(again);
      await waitForAddress(p, 'the second export');
      await screenshot(p, 'standalone-again.png');
      await p.context().close();
    }],
    ['lurk export names what is wrong with its input', async () => {
      const notProfile = path.join(work, 'notes.txt');
      writeFileSync(notProfile, 'not a profile\n');
      let r = spawnSync(lurkBin, ['export', notProfile, '--html', path.join(work, 'x.html')], { encoding: 'utf8' });
      assert(r.status === 1 && r.stderr.includes('notes.txt'), `exit ${r.status}: ${r.stderr}`);
      r = spawnSync(lurkBin, ['export', profile, '--html', path.join(work, 'y.html'), '--view', 'v=1&zoom=3'],
                    { encoding: 'utf8' });
      assert(r.status === 0 && r.stderr.includes("--view: unknown key 'zoom'"), `exit ${r.status}: ${r.stderr}`);
      r = spawnSync(lurkBin, ['export', profile, '--html', path.join(work, 'no-such-dir', 'z.html')], { encoding: 'utf8' });
      assert(r.status === 1 && r.stderr.includes('cannot write'), `exit ${r.status}: ${r.stderr}`);
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill();
}
