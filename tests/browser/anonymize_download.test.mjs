// Anonymised "Download .lurk" (docs/sharing.md) on real data: the demo's
// capture and both of its JSONL traces plus the loopback HTTP capture
// (payload), ingested by the CLI and served. In the page the "Anonymise"
// panel is switched on (ports mapped, a key typed in) and the profile
// downloaded: every table holds exactly the rows `lurk export --anonymize
// --map-ports --key` writes for the same profile and key (sqlite3 shell),
// and the raw bytes of the downloaded file hold no original address (text
// and binary forms), no captured payload, no exception text or source name;
// every connection's ports differ from the original's. With no key, two
// downloads map addresses differently (a fresh random key each time). An
// anonymised Export HTML holds the same anonymised rows, under no original name.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { assert, launchBrowser, lurkBin, openPage, runChecks, screenshot, snapshot, sourceDir, startView,
  waitForSnapshot } from './harness.mjs';

const KEY = '000102030405060708090a0b0c0d0e0f';
const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-anon-download-'));
const captures = ['samples/demo.pcap', 'samples/loopback-http.pcap'].map((f) => path.join(sourceDir, f));
const inputs = [...captures, ...['samples/demo-client.jsonl', 'samples/demo-server.jsonl']
  .map((f) => path.join(sourceDir, f))];
const original = path.join(work, 'office.lurk');
execFileSync(lurkBin, ['ingest', '-o', original, ...inputs], { stdio: ['ignore', 'ignore', 'inherit'] });
const cliExport = path.join(work, 'cli-anonymised.lurk');
execFileSync(lurkBin, ['export', original, '-o', cliExport, '--anonymize', '--map-ports', '--key', KEY],
             { stdio: ['ignore', 'ignore', 'inherit'] });
const view = await startView([original]);
const browser = await launchBrowser();
let page;

const sql = (file, query) => execFileSync('sqlite3', ['-readonly', file, query], { encoding: 'utf8' });
const lines = (text) => text.split('\n').filter((l) => l !== '');

// Every table's every row (all columns, sorted), and the schema and user_version.
function assertSameRows(a, b) {
  const schema = 'SELECT type, name, sql FROM sqlite_master ORDER BY type, name';
  assert(sql(a, schema) === sql(b, schema), 'the schemas differ');
  assert(sql(a, 'PRAGMA user_version') === sql(b, 'PRAGMA user_version'), 'the user_version differs');
  let compared = 0;
  for (const table of lines(sql(a, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))) {
    const all = `SELECT * FROM "${table}" ORDER BY 1, 2`;
    const [x, y] = [sql(a, all), sql(b, all)];
    assert(x === y, `table ${table} differs:\n--- downloaded\n${x.slice(0, 1500)}\n--- lurk export\n${y.slice(0, 1500)}`);
    compared += lines(x).length;
  }
  return compared;
}

// IPv4 as text (not inside a longer number) and, when it has 3+ distinct
// non-zero bytes (else it is in any file by chance), its 4 bytes.
function ipv4Leaks(data, text, address) {
  const escaped = address.replace(/\./g, '\\.');
  const leaks = new RegExp(`(?<![0-9.])${escaped}(?![0-9])`).test(text) ? [`${address} as text`] : [];
  const bytes = Buffer.from(address.split('.').map(Number));
  if (new Set([...bytes].filter((b) => b)).size >= 3 && data.includes(bytes)) leaks.push(`${address} as 4 bytes`);
  return leaks;
}

// IPv6 as written in the profile and fully expanded, any case (fd77::1 has
// too few distinct bytes for a meaningful binary search).
function ipv6Leaks(text, address) {
  const groups = address.split('::');
  const head = groups[0] ? groups[0].split(':') : [];
  const tail = groups.length > 1 && groups[1] ? groups[1].split(':') : [];
  const full = [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail];
  const forms = [address, full.map((g) => g.padStart(4, '0')).join(':'), full.join(':')];
  const lower = text.toLowerCase();
  return forms.filter((f) => new RegExp(`(?<![0-9a-f:])${f.replace(/\./g, '\\.')}(?![0-9a-f])`).test(lower))
    .map((f) => `${address} as ${f}`);
}

// 8-byte windows (5+ distinct bytes) of every captured TCP payload, as tshark reads them;
// none that is in the schema's own SQL ("onnectio").
function payloadWindows() {
  const schemaSql = Buffer.from(sql(original, 'SELECT sql FROM sqlite_master WHERE sql IS NOT NULL'));
  const windows = new Map();
  for (const capture of captures) {
    const out = execFileSync('tshark', ['-r', capture, '-T', 'fields', '-e', 'tcp.payload'],
                               { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
    for (const line of out.split(/\s+/).filter((l) => l)) {
      const data = Buffer.from(line.replace(/:/g, ''), 'hex');
      for (let i = 0; i + 8 <= data.length; i += 4) {
        const w = data.subarray(i, i + 8);
        if (new Set(w).size >= 5 && !schemaSql.includes(w)) windows.set(w.toString('hex'), w);
      }
    }
  }
  return [...windows.values()];
}

const addresses = lines(sql(original,
  "SELECT addr_a FROM connections WHERE addr_a <> '' UNION SELECT addr_b FROM connections WHERE addr_b <> ''"));
const windows = payloadWindows();
const freeText = ['Invalid_argument("Lwt.wakeup_result")', ...inputs.map((f) => path.basename(f))];

// What of the original survives in the raw bytes of `file`.
function secretsLeft(file) {
  const data = readFileSync(file);
  const text = data.toString('latin1');
  const left = [];
  for (const a of addresses) left.push(...(a.includes(':') ? ipv6Leaks(text, a) : ipv4Leaks(data, text, a)));
  left.push(...windows.filter((w) => data.includes(w)).map((w) => `payload ${JSON.stringify(w.toString('latin1'))}`));
  left.push(...freeText.filter((t) => text.includes(t)).map((t) => `text ${t}`));
  return left;
}

async function download(file) {
  const [event] = await Promise.all([page.waitForEvent('download'), page.click('#download-profile')]);
  await event.saveAs(file);
  return event.suggestedFilename();
}

try {
  await runChecks([
    ['the original holds what the anonymised file must not', async () => {
      assert(addresses.includes('10.77.0.1') && addresses.includes('fd77::1') && addresses.includes('127.0.0.1'),
             `addresses ${addresses}`);
      assert(windows.length > 100, `only ${windows.length} payload windows`);
      const left = secretsLeft(original);
      for (const what of ['10.77.0.1 as text', 'fd77::1 as fd77::1', 'text Invalid_argument', 'payload'])
        assert(left.some((l) => l.startsWith(what)), `the original has no ${what} (the search could not fail)`);
    }],
    ['the Anonymise panel switches anonymisation on', async () => {
      page = await openPage(browser, view.url);
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the served profile');
      assert(s.error === null, `error: ${s.error}`);
      assert(await page.textContent('#anonymize') === 'Anonymise: off ▾', 'the button says it is off');
      await page.click('#anonymize');
      assert(await page.isVisible('#anonymize-panel'), 'the panel did not open');
      await page.check('#anonymize-on');
      await page.check('#anonymize-map-ports');
      // Typed as a person types: the keys go to the field, not to lurk's shortcuts
      // ('c' hides the table, 'f' fits, 'a' and 'd' pan).
      const before = (await snapshot(page)).view.hash;
      await page.click('#anonymize-key');
      await page.keyboard.type(KEY, { delay: 5 });
      assert(await page.inputValue('#anonymize-key') === KEY, 'the key was not typed in');
      await page.waitForTimeout(300);
      const after = await snapshot(page);
      assert(after.view.hash === before && after.table.shown, `typing the key moved the view: ${after.view.hash}`);
      assert(await page.textContent('#anonymize') === 'Anonymise: on ▾', 'the button does not say it is on');
      await screenshot(page, 'anonymize-panel.png');
    }],
    ['the anonymised download has the rows lurk export --anonymize writes', async () => {
      const file = path.join(work, 'downloaded.lurk');
      const name = await download(file);
      assert(name === 'trace-anonymised.lurk', `suggested name ${name}`);
      const compared = assertSameRows(file, cliExport);
      assert(compared > 500, `only ${compared} rows compared`);
      // The check can fail: another key gives other rows.
      const otherKey = path.join(work, 'other-key.lurk');
      execFileSync(lurkBin, ['export', original, '-o', otherKey, '--anonymize', '--map-ports', '--key',
                             'f0e1d2c3b4a5968778695a4b3c2d1e0f'], { stdio: 'ignore' });
      let caught = null;
      try { assertSameRows(file, otherKey); } catch (e) { caught = e; }
      assert(caught, 'a file anonymised with another key compared equal');
    }],
    ['no original address, port, payload or free text is in its bytes', async () => {
      const file = path.join(work, 'downloaded.lurk');
      const left = secretsLeft(file);
      assert(left.length === 0, `left in the download: ${left.slice(0, 10).join('; ')}`);
      const ports = 'SELECT port_a, port_b FROM connections ORDER BY id';
      const [before, after] = [lines(sql(original, ports)), lines(sql(file, ports))];
      assert(before.length === after.length && before.length > 0, 'connections differ in number');
      for (let i = 0; i < before.length; i++) {
        const [a, b] = [before[i].split('|'), after[i].split('|')];
        for (const k of [0, 1]) assert(a[k] === '0' || a[k] !== b[k], `connection ${i + 1}'s port ${a[k]} kept`);
      }
      // The findings are the same in number and kind.
      const kinds = 'SELECT kind, count(*) FROM findings GROUP BY kind ORDER BY kind';
      assert(sql(file, kinds) === sql(original, kinds), 'the findings differ');
    }],
    ['with no key each download gets a fresh one', async () => {
      await page.click('#anonymize-key', { clickCount: 3 });
      await page.keyboard.press('Backspace');
      assert(await page.inputValue('#anonymize-key') === '', 'the key was not deleted');
      const [a, b] = [path.join(work, 'random-1.lurk'), path.join(work, 'random-2.lurk')];
      await download(a);
      await download(b);
      const addrs = 'SELECT addr_a, addr_b FROM connections ORDER BY id';
      assert(sql(a, addrs) !== sql(b, addrs), 'two downloads with no key mapped addresses alike');
      assert(sql(a, addrs) !== sql(cliExport, addrs), 'a random key mapped as the test key does');
      assert(secretsLeft(a).length === 0, `left: ${secretsLeft(a).slice(0, 5)}`);
      // An anonymised HTML export: the anonymised profile inside, no original name.
      await page.fill('#anonymize-key', KEY);
      const [event] = await Promise.all([page.waitForEvent('download', { timeout: 120000 }), page.click('#export-html')]);
      assert(event.suggestedFilename() === 'trace-anonymised.html', `suggested ${event.suggestedFilename()}`);
      const htmlFile = path.join(work, 'anonymised.html');
      await event.saveAs(htmlFile);
      const html = readFileSync(htmlFile, 'utf8');
      const block = (id) => html.match(new RegExp(`<script type="application/x-lurk" id="${id}"[^>]*>([^<]*)</script>`))[1];
      assert(html.includes('<title>anonymised profile · lurk</title>'), 'the title names the original');
      const inside = path.join(work, 'inside-html.lurk');
      writeFileSync(inside, gunzipSync(Buffer.from(block('lurk-data'), 'base64')));
      assertSameRows(inside, cliExport);
      // The profile inside (the viewer's own scripts say "Content-Length" too: no payload).
      assert(secretsLeft(inside).length === 0, `left in the HTML's profile: ${secretsLeft(inside).slice(0, 5)}`);
      // Switched off, the download is the profile as it is.
      await page.uncheck('#anonymize-on');
      const plain = path.join(work, 'plain.lurk');
      assert(await download(plain) === 'trace.lurk', 'the plain download is named as before');
      assert(sql(plain, addrs) === sql(original, addrs), 'the plain download is not the original');
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill();
}
