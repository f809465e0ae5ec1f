// Every input's outcome is said (issue 13). Files dropped on the page while a
// profile is open:
// - a partial input (a truncated pcap, a Chrome JSON cut off after
//   `{"traceEvents": [`) opens with the same warning lines `lurk ingest`
//   prints and the same ingest_errors rows (file, byte offset, message) in the
//   "Ingest problems" band;
// - an input that yields nothing (an empty Chrome JSON array, a capture with
//   no TCP, a JSONL file with only its header) opens with the CLI's
//   "NOTHING TO SHOW" line;
// - every kind of bad file gets one readable message (on the page, not
//   repeated by the module's status screen) and the profile that was open
//   stays open.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, launchBrowser, lurkBin, openPage, runChecks, screenshot, snapshot, sourceDir,
  startView, waitForSnapshot,
} from './harness.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-outcomes-'));
const view = await startView();
const browser = await launchBrowser();
let page;

// What `lurk ingest NAME` says (run in the file's folder, so paths are the
// bare names the page uses) and the ingest_errors rows it writes.
function cliOutcome(file) {
  const profile = path.join(work, `cli-${path.basename(file)}.lurk`);
  const r = spawnSync(lurkBin, ['ingest', path.basename(file), '-o', profile],
                      { cwd: path.dirname(file), encoding: 'utf8' });
  // Its lines about the file, without the notes on clocks (said after the analysis).
  const name = path.basename(file);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith(`lurk: ${name}: `) &&
    !l.startsWith(`lurk: ${name}: clock `)).map((l) => l.slice('lurk: '.length));
  const rows = execFileSync('sqlite3', ['-json', profile,
    'SELECT s.path AS file, e.byte_offset AS byteOffset, e.line, e.kind, e.message ' +
    'FROM ingest_errors e JOIN sources s ON s.id = e.source_id ORDER BY e.id'], { encoding: 'utf8' });
  const ordered = ({ file, byteOffset, line, kind, message }) => ({ file, byteOffset, line, kind, message });
  return { status: r.status, lines, rows: rows.trim() ? JSON.parse(rows).map(ordered) : [] };
}

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

// Drops a file that opens with something to say; checks the page says what the CLI says.
async function expectSaid(file, { exit, nothing }) {
  const cli = cliOutcome(file);
  assert(cli.status === exit, `lurk ingest ${path.basename(file)} exits ${cli.status}, expected ${exit}`);
  const before = await snapshot(page);
  await dropFile(file);
  const s = await waitForSnapshot(page, (s) => s.openError || (s.ready && s.frames > before.frames &&
    JSON.stringify(s.ingestProblems.warnings) === JSON.stringify(cli.lines)),
    `the CLI's lines for ${path.basename(file)}: ${JSON.stringify(cli.lines)}`);
  assert(s.openError === null && s.error === null, `error: ${s.openError || s.error}`);
  assert(s.ingestProblems.shown, 'the ingest problems band opens by itself');
  assert(cli.lines.some((l) => /NOTHING TO SHOW/.test(l)) === nothing,
         `nothing-to-show line ${nothing ? 'missing' : 'unexpected'}: ${JSON.stringify(cli.lines)}`);
  const ordered = ({ file, byteOffset, line, kind, message }) => ({ file, byteOffset, line, kind, message });
  assert(s.ingestProblems.total === cli.rows.length &&
         JSON.stringify(s.ingestProblems.rows.map(ordered)) === JSON.stringify(cli.rows),
         `rows: page ${JSON.stringify(s.ingestProblems.rows)}, CLI ${JSON.stringify(cli.rows)}`);
  return s;
}

// Drops a file that cannot open: one message, and the profile shown stays.
async function expectRefused(file, pattern) {
  const before = await waitForSnapshot(page, (s) => s.ready, 'a profile open');
  await dropFile(file);
  const s = await waitForSnapshot(page, (s) => s.openError && s.openError !== before.openError,
                                  `the message for ${[].concat(file).map((f) => path.basename(f)).join(' + ')}`);
  assert(pattern.test(s.openError), `message: ${s.openError} (expected ${pattern})`);
  assert(s.ready && s.error === null, 'the profile shown stays open');
  assert(JSON.stringify(s.counts) === JSON.stringify(before.counts),
         `the same profile: ${JSON.stringify(s.counts)} vs ${JSON.stringify(before.counts)}`);
  assert(s.statusText === null, `the module's status screen repeats nothing: ${s.statusText}`);
  const shown = await page.textContent('#status-text');
  assert(shown === s.openError, `the page shows the message once: ${shown}`);
  const times = await page.evaluate((m) => document.body.innerText.split(m).length - 1, s.openError);
  assert(times === 1, `the message is on the page ${times} times`);
  return s;
}

// A classic pcap holding `records` (Ethernet frames).
function pcapOf(records) {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0); head.writeUInt16LE(2, 4); head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16); head.writeUInt32LE(1, 20);
  const parts = [head];
  records.forEach((frame, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1700000000 + i, 0); rec.writeUInt32LE(frame.length, 8); rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
  });
  return Buffer.concat(parts);
}

// An IPv4 UDP datagram in an Ethernet frame.
function udpFrame() {
  const eth = Buffer.from('020000000002020000000001' + '0800', 'hex');
  const ip = Buffer.from('45000020000040004011' + '0000' + '0a000001' + '0a000002', 'hex');
  const udp = Buffer.from('d43100350000' + '0000' + '0000', 'hex');  // 8 bytes, payload 4
  udp.writeUInt16BE(12, 4);
  return Buffer.concat([eth, ip, udp, Buffer.from('ping')]);
}

const write = (name, data) => {
  const file = path.join(work, name);
  writeFileSync(file, data);
  return file;
};

try {
  await runChecks([
    ['the page starts with the sample profile', async () => {
      page = await openPage(browser, view.url);
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the sample to load');
      assert(s.error === null, `error: ${s.error}`);
      assert(!s.ingestProblems.shown, 'no ingest problems band for a clean profile');
    }],
    ['a truncated pcap: the CLI\'s PARTIAL warning and its ingest_errors rows', async () => {
      const whole = readFileSync(path.join(sourceDir, 'tests/data/netlab-bulk-v4.pcap'));
      const file = write('cut.pcap', whole.subarray(0, 40000));
      const s = await expectSaid(file, { exit: 3, nothing: false });
      assert(s.ingestProblems.rows.length >= 1 && s.ingestProblems.rows[0].byteOffset > 0,
             `a row with its byte offset: ${JSON.stringify(s.ingestProblems.rows)}`);
      assert(s.counts.packets > 0, 'the intact packets are shown');
      await screenshot(page, 'outcome-truncated-pcap.png');
    }],
    ['a Chrome JSON cut off after {"traceEvents": [ says partial and nothing to show', async () => {
      await expectSaid(write('cut.json', '{"traceEvents": ['), { exit: 3, nothing: true });
      await screenshot(page, 'outcome-cut-chrome-json.png');
    }],
    ['an empty Chrome JSON array says nothing to show', async () => {
      await expectSaid(write('empty-array.json', '[]\n'), { exit: 5, nothing: true });
    }],
    ['a capture with no TCP says nothing to show', async () => {
      await expectSaid(write('udp-only.pcap', pcapOf([udpFrame(), udpFrame()])), { exit: 5, nothing: true });
      await screenshot(page, 'outcome-no-tcp.png');
    }],
    ['a lurk JSONL file with only its header says nothing to show', async () => {
      await expectSaid(write('header-only.jsonl',
        '{"lurk":"jsonl","version":1,"clock":"unix-ns","producer":"test"}\n'), { exit: 5, nothing: true });
    }],
    ['a good file after them opens with no band', async () => {
      const file = path.join(sourceDir, 'tests/data/netlab-reset-v4.pcap');
      const before = await snapshot(page);
      await dropFile(file);
      const s = await waitForSnapshot(page, (s) => s.ready && s.frames > before.frames &&
        s.ingestProblems.warnings.length === 0, 'the clean capture');
      assert(!s.ingestProblems.shown && s.ingestProblems.total === 0, JSON.stringify(s.ingestProblems));
    }],
    ['every kind of bad file: one message, the profile stays open', async () => {
      await expectRefused(write('notes.txt', 'just some notes\n'), /notes\.txt: not a format lurk reads/);
      await expectRefused(write('empty.pcap', ''), /empty\.pcap: empty file/);
      const newer = path.join(work, 'newer.lurk');
      execFileSync(lurkBin, ['ingest', path.join(sourceDir, 'tests/data/netlab-short-v6.pcap'), '-o', newer]);
      execFileSync('sqlite3', [newer, 'PRAGMA user_version = 99']);
      await expectRefused(newer, /newer\.lurk: .*newer/);
      const other = path.join(work, 'other.lurk');
      execFileSync('sqlite3', [other, 'CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES (1);']);
      await expectRefused(other, /other\.lurk: .*not a lurk profile/);
      // A profile dropped together with a capture: a profile opens on its own.
      await expectRefused([other.replace('other.lurk', 'newer.lurk'), write('udp2.pcap', pcapOf([udpFrame()]))],
                          /newer\.lurk: a \.lurk profile opens on its own/);
      const s = await snapshot(page);
      await screenshot(page, 'outcome-refused-profile-stays.png');
      assert(s.openError && /opens on its own/.test(s.openError), `last message: ${s.openError}`);
    }],
    ['the message closes, the profile is still there', async () => {
      await page.click('#status-close');
      assert(!(await page.isVisible('#status')), 'the message box closes');
      const s = await snapshot(page);
      assert(s.ready && s.counts.packets > 0, JSON.stringify(s.counts));
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
}
