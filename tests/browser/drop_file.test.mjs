// Opening local files in the page: a pcap picked with the file picker, a
// pcapng and a Chrome JSON trace dropped on the page (a synthetic drop with
// a DataTransfer, as the browser makes for a real one) are ingested in the
// browser by the same core as the CLI; the counts the UI reports equal those
// of `lurk ingest` of the same file. A file lurk cannot read gives a message.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, launchBrowser, lurkBin, openPage, runChecks, screenshot, snapshot, sourceDir,
  sqliteCount, startView, waitForSnapshot,
} from './harness.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-drop-'));
const view = await startView();
const browser = await launchBrowser();
let page;

// What `lurk ingest` makes of the file (or files, into one profile), read
// back with the sqlite3 shell. A .lurk file is read as it is.
function cliCounts(file) {
  const files = [].concat(file);
  let profile = files[0];
  if (!profile.endsWith('.lurk')) {
    profile = path.join(work, files.map((f) => path.basename(f)).join('+') + '.lurk');
    execFileSync(lurkBin, ['ingest', ...files, '-o', profile], { stdio: 'ignore' });
  }
  const count = (table) => sqliteCount(profile, `SELECT count(*) FROM ${table}`);
  return {
    connections: count('connections'),
    packets: count('packets'),
    threads: count('threads'),
    events: count('spans') + count('instants') + count('counters') + count('flows'),
  };
}

// Drops `file` (or several) on the page the way the browser hands a real drop to it.
async function dropFile(file) {
  const files = [].concat(file).map((f) => ({ name: path.basename(f), bytes: [...readFileSync(f)] }));
  await page.evaluate((files) => {
    const data = new DataTransfer();
    for (const { name, bytes } of files) data.items.add(new File([new Uint8Array(bytes)], name));
    const target = document.getElementById('canvas');
    for (const type of ['dragenter', 'dragover', 'drop'])
      target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  }, files);
}

async function expectCounts(file, before) {
  const expected = cliCounts(file);
  const s = await waitForSnapshot(page, (s) => s.error ||
    (s.ready && s.frames > before.frames &&
     Object.keys(expected).every((k) => s.counts[k] === expected[k])),
    `the counts of ${[].concat(file).map((f) => path.basename(f)).join(' + ')} (${JSON.stringify(expected)})`);
  assert(s.error === null, `error: ${s.error}`);
  assert(expected.packets + expected.events > 0, `${file} is empty`);
}

try {
  await runChecks([
    ['the page has an open-file button and starts with the sample', async () => {
      page = await openPage(browser, view.url);
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the sample to load');
      assert(s.error === null, `error: ${s.error}`);
      assert(await page.isVisible('#open-file'), 'no open-file button');
    }],
    ['a pcap chosen with the file picker is ingested in the browser', async () => {
      const file = path.join(sourceDir, 'tests/data/netlab-bulk-v4.pcap');
      const before = await snapshot(page);
      await page.setInputFiles('#file-input', file);
      await expectCounts(file, before);
      const opened = await page.evaluate(() => window.lurkLastOpen);
      assert(opened.name === 'netlab-bulk-v4.pcap' && !opened.error, JSON.stringify(opened));
      await screenshot(page, 'drop-picked-pcap.png');
    }],
    ['a pcapng dropped on the page is ingested in the browser', async () => {
      const file = path.join(sourceDir, 'tests/data/linktypes/multi.pcapng');
      const before = await snapshot(page);
      await dropFile(file);
      await expectCounts(file, before);
      await screenshot(page, 'drop-pcapng.png');
    }],
    ['a Chrome JSON trace dropped on the page is ingested in the browser', async () => {
      const file = path.join(sourceDir, 'tests/data/chrome/node-net-echo.json');
      const before = await snapshot(page);
      await dropFile(file);
      await expectCounts(file, before);
    }],
    ['a lurk JSONL trace dropped on the page is ingested in the browser', async () => {
      const file = path.join(sourceDir, 'tests/data/jsonl/loopback-http.jsonl');
      const before = await snapshot(page);
      await dropFile(file);
      await expectCounts(file, before);
    }],
    ['a .lurk profile dropped on the page opens as it is', async () => {
      // A capture and the stack's trace of the same run, joined by the CLI.
      const file = path.join(work, 'run.lurk');
      execFileSync(lurkBin, ['ingest', path.join(sourceDir, 'samples/loopback-http.pcap'),
        path.join(sourceDir, 'tests/data/jsonl/loopback-http.jsonl'), '-o', file], { stdio: 'ignore' });
      const before = await snapshot(page);
      await dropFile(file);
      await expectCounts(file, before);
      const s = await snapshot(page);
      assert(s.groupCount > 1, `groups: ${s.groupCount}`);
      await screenshot(page, 'drop-lurk-profile.png');
    }],
    ['the mirage CTF trace dropped on the page is ingested, ] reaches an exception, the panel ranks its findings', async () => {
      const file = '/work/shared/samples/net.ctf';
      if (!existsSync(file)) return;  // the shared sample is not part of the repository
      const before = await snapshot(page);
      await dropFile(file);
      await expectCounts(file, before);
      await page.keyboard.press(']');
      const s = await waitForSnapshot(page, (s) => s.selection && s.selection.finding, '] to select a finding');
      assert(s.findings.count > 0, `findings: ${JSON.stringify(s.findings)}`);
      assert(s.findingsPanel.shown && s.findingsPanel.count > 0 &&
             s.findingsPanel.rows.some((r) => r.kind === 'exception'),
             `findings panel: ${JSON.stringify(s.findingsPanel.rows.slice(0, 3))}`);
      await screenshot(page, 'drop-ctf-next-finding.png');
    }],
    ['a capture and a trace dropped together are ingested into one profile', async () => {
      const files = [path.join(sourceDir, 'tests/data/netlab-short-v6.pcap'), '/work/shared/samples/net.ctf'];
      assert(existsSync(files[1]), `${files[1]} is missing`);
      const before = await snapshot(page);
      await dropFile(files);
      await expectCounts(files, before);
      const s = await snapshot(page);
      assert(s.counts.connections > 0 && s.counts.threads > 0, `both inputs: ${JSON.stringify(s.counts)}`);
      await screenshot(page, 'drop-capture-and-trace.png');
    }],
    ['"Open file…" takes several files and opens them as one profile', async () => {
      const files = ['tests/data/netlab-reset-v4.pcap', 'tests/data/netlab-zerowin-v4.pcap']
        .map((f) => path.join(sourceDir, f));
      const before = await snapshot(page);
      await page.setInputFiles('#file-input', files);
      await expectCounts(files, before);
    }],
    ['the drop overlay shows while a file is dragged over the page', async () => {
      await page.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File(['x'], 'x.pcap'));
        window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data, cancelable: true }));
      });
      assert(await page.isVisible('#drop-overlay'), 'no overlay while dragging');
      await screenshot(page, 'drop-overlay.png');
      await page.evaluate(() => window.dispatchEvent(new DragEvent('dragleave', {})));
      assert(!(await page.isVisible('#drop-overlay')), 'overlay stays after the drag left');
    }],
    ['a file lurk cannot read gives a readable message', async () => {
      const bad = path.join(work, 'notes.txt');
      execFileSync('bash', ['-c', `printf 'just some notes\\n' > ${bad}`]);
      await page.setInputFiles('#file-input', bad);
      // A profile is open: it stays, and the message is the failed open's (issue 13).
      const s = await waitForSnapshot(page, (s) => s.openError, 'the error');
      assert(/notes\.txt/.test(s.openError), `message: ${s.openError}`);
      assert(s.ready && s.error === null, 'the profile shown stays open');
      const shown = await page.textContent('#status-text');
      assert(shown.includes('notes.txt'), `page shows: ${shown}`);
      await screenshot(page, 'drop-bad-file.png');
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
}
