// The in-browser page's lanes from the profile's lane store (/trace.lanes,
// docs/server.md "The page's lanes"): the demo profile opened by a page that
// fetched the store (lurk view --page-lanes-over 0) and by one that read its
// lanes from the profile (--page-lanes-over -1) gives the same counts, axis,
// table and timeline frame records (every rectangle, line and text) at five
// zoom levels; a selected span's details (args read from the profile on
// demand) and a search over args are the same; the store is fetched beside
// the profile, with the server's headers and Range support. A store damaged
// in place is refused by the page, which says so on the console and reads
// its lanes from the profile (the same records). Screenshots:
// build/screenshots/page-lanes-*.png.
import { mkdtempSync, openSync, writeSync, readdirSync, statSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, buildDir, launchBrowser, openPage, runChecks, screenshot, snapshot, startView, waitForSnapshot,
} from './harness.mjs';

const profile = path.join(buildDir, 'share', 'lurk', 'samples', 'demo.lurk');
// The stores go to this test's own cache directories, not the user's.
process.env.LURK_CACHE_DIR = mkdtempSync(path.join(os.tmpdir(), 'lurk-page-lanes-'));
const stored = await startView(['--in-browser', '--page-lanes-over', '0', profile]);
const rows = await startView(['--in-browser', '--page-lanes-over', '-1', profile]);
const damagedCache = mkdtempSync(path.join(os.tmpdir(), 'lurk-page-lanes-damaged-'));
process.env.LURK_CACHE_DIR = damagedCache;
const damaged = await startView(['--in-browser', '--page-lanes-over', '0', profile]);
const browser = await launchBrowser();
const pages = {};

async function recordsAt(page, t0, t1) {
  const before = (await snapshot(page)).frames;
  await page.evaluate(([a, b]) => window.lurkSetWindow(a, b), [t0, t1]);
  const s = await waitForSnapshot(page, (s) => s.frames >= before + 2 && s.visibleRange &&
    Math.abs(s.visibleRange[0] - s.originNs - t0) < 1000 && Math.abs(s.visibleRange[1] - s.originNs - t1) < 1000,
    `the frame for [${t0}, ${t1}]`, 20000);
  return { records: await page.evaluate(() => window.lurkFrameRecords()), snapshot: s };
}

function firstDifference(a, b) {
  const la = a.split('\n'), lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); ++i)
    if (la[i] !== lb[i]) return `line ${i + 1}: store "${la[i]}" / rows "${lb[i]}" (${la.length} / ${lb.length} lines)`;
  return 'none';
}

// A span rectangle (core/item_ref.h: kind 5) in the records, with its centre.
function spanRect(records) {
  for (const line of records.split('\n')) {
    const f = line.split(' ');
    if (f[0] !== 'rect' || f[7] === '-' || Number(f[7].split('.')[0]) !== 5) continue;
    const [x0, y0, x1, y1] = f.slice(1, 5).map(Number);
    if (x1 - x0 >= 2 && y1 - y0 >= 3) return { x: (x0 + x1) / 2, y: (y0 + y1) / 2, item: f[7] };
  }
  return null;
}

try {
  await runChecks([
    ['the stored page fetched /trace.lanes and took its lanes from it; the same model as the rows\'', async () => {
      assert(/lane store for the page made in/.test(stored.stderr()), `stderr: ${stored.stderr()}`);
      assert(!/lane store/.test(rows.stderr()), `rows server made a store: ${rows.stderr()}`);
      pages.store = await openPage(browser, stored.url);
      pages.rows = await openPage(browser, rows.url);
      const a = await waitForSnapshot(pages.store, (s) => s.ready || s.error, 'the stored page');
      const b = await waitForSnapshot(pages.rows, (s) => s.ready || s.error, 'the rows page');
      assert(!a.error && !b.error, `errors: ${a.error} / ${b.error}`);
      assert(a.lanesFrom === 'store' && a.lanesNote === '', `store page: ${a.lanesFrom} (${a.lanesNote})`);
      assert(b.lanesFrom === 'profile', `rows page: ${b.lanesFrom}`);
      assert(JSON.stringify(a.counts) === JSON.stringify(b.counts), `counts ${JSON.stringify(a.counts)} / ${JSON.stringify(b.counts)}`);
      assert(a.originNs === b.originNs && a.durationNs === b.durationNs, 'axis differs');
      assert(a.table.rows === b.table.rows && a.groupCount === b.groupCount, 'table or groups differ');
      const fetched = await pages.store.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
      assert(fetched.includes('/trace.lanes') && fetched.includes('/trace.lurk'), `requests: ${fetched.join(' ')}`);
      assert(!pages.store.consoleLines.some((l) => /lane store/.test(l)), `console: ${pages.store.consoleLines.join(' | ')}`);
    }],
    ['/trace.lanes: the server\'s headers, Range and ETag', async () => {
      const r = await pages.store.evaluate(async () => {
        const whole = await fetch('trace.lanes');
        const bytes = new Uint8Array(await whole.arrayBuffer());
        const part = await fetch('trace.lanes', { headers: { Range: 'bytes=0-15' } });
        const head = new TextDecoder().decode(await part.arrayBuffer());
        return { status: whole.status, size: bytes.length, csp: whole.headers.get('Content-Security-Policy'),
                 etag: whole.headers.get('ETag'), ranges: whole.headers.get('Accept-Ranges'),
                 partStatus: part.status, contentRange: part.headers.get('Content-Range'), head };
      });
      assert(r.status === 200 && r.size > 1000 && r.csp && r.etag && r.ranges === 'bytes', JSON.stringify(r));
      assert(r.partStatus === 206 && r.contentRange === `bytes 0-15/${r.size}` && r.head.startsWith('lurk-store v4'),
             JSON.stringify(r));
      const none = await pages.rows.evaluate(async () => (await fetch('trace.lanes')).status);
      assert(none === 404, `the rows server answered /trace.lanes with ${none}`);
    }],
    ['the same frame records at five zoom levels', async () => {
      const d = (await snapshot(pages.store)).durationNs;
      const digests = new Set();
      for (const span of [d, d / 6, d / 40, d / 400, d / 5000]) {
        const t0 = Math.max(0, d * 0.37 - span / 2), t1 = t0 + span;
        const a = await recordsAt(pages.store, t0, t1);
        const b = await recordsAt(pages.rows, t0, t1);
        const lines = a.records.split('\n').length;
        console.log(`  [${(t0 / 1e6).toFixed(3)} ms, ${(t1 / 1e6).toFixed(3)} ms]: ${lines} records, digest ${a.snapshot.frameDigest}`);
        assert(lines > 20, `only ${lines} records`);
        assert(a.records === b.records, `records differ: ${firstDifference(a.records, b.records)}`);
        digests.add(a.snapshot.frameDigest);
      }
      assert(digests.size === 5, `five zoom levels drew ${digests.size} different frames`);
      await recordsAt(pages.store, 0, d);
      await screenshot(pages.store, 'page-lanes-store.png');
    }],
    ['a selected span\'s details and an args search are the same', async () => {
      const d = (await snapshot(pages.store)).durationNs;
      let target = null, window = null;
      for (const [a, b] of [[0.3, 0.32], [0.1, 0.2], [0.2, 0.6], [0, 1]]) {
        const r = await recordsAt(pages.store, d * a, d * b);
        target = spanRect(r.records);
        if (target) { window = [d * a, d * b]; break; }
      }
      assert(target, 'no span rectangle to click');
      await recordsAt(pages.rows, window[0], window[1]);
      for (const page of [pages.store, pages.rows]) await page.mouse.click(target.x, target.y);
      const a = await waitForSnapshot(pages.store, (s) => s.selection, 'the stored page\'s selection', 5000);
      const b = await waitForSnapshot(pages.rows, (s) => s.selection, 'the rows page\'s selection', 5000);
      console.log(`  clicked ${target.item}: ${a.selection.title} ${JSON.stringify(a.selection.fields)}`);
      assert(JSON.stringify(a.selection) === JSON.stringify(b.selection),
             `selection ${JSON.stringify(a.selection)} / ${JSON.stringify(b.selection)}`);
      await screenshot(pages.store, 'page-lanes-store-selected.png');
      // A word that is only in args (the demo's connect instants carry conn.laddr).
      for (const page of [pages.store, pages.rows]) {
        await page.keyboard.press('Escape');
        for (let attempt = 0; attempt < 5 && !(await snapshot(page)).search.focused; attempt++) {
          await page.waitForTimeout(200);
          await page.keyboard.press('/');
          await page.waitForTimeout(300);
        }
        await waitForSnapshot(page, (s) => s.search.focused, 'the search box to take the keyboard', 2000);
        await page.keyboard.type('laddr', { delay: 30 });
      }
      const sa = await waitForSnapshot(pages.store, (s) => s.search.query === 'laddr', 'the store page\'s search', 5000);
      const sb = await waitForSnapshot(pages.rows, (s) => s.search.query === 'laddr', 'the rows page\'s search', 5000);
      console.log(`  search "laddr": ${sa.search.matches} / ${sb.search.matches} matches`);
      assert(sa.search.matches === sb.search.matches && sa.search.matches > 0,
             `matches ${sa.search.matches} / ${sb.search.matches}`);
    }],
    ['a store damaged in place is refused: said on the console, lanes from the profile, the same records', async () => {
      // The server opened its store at start and serves those bytes: zeros
      // written over its index (before the 32-byte footer) reach the page.
      const dir = readdirSync(damagedCache).map((f) => path.join(damagedCache, f)).find((f) => statSync(f).isDirectory()) || damagedCache;
      const file = readdirSync(dir).map((f) => path.join(dir, f)).find((f) => f.endsWith('.store'));
      assert(file, `no store in ${damagedCache}`);
      const size = statSync(file).size;
      const fd = openSync(file, 'r+');
      writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, size - 32 - 64);
      closeSync(fd);
      pages.damaged = await openPage(browser, damaged.url);
      const s = await waitForSnapshot(pages.damaged, (s) => s.ready || s.error, 'the damaged store\'s page');
      assert(!s.error, s.error);
      assert(s.lanesFrom === 'profile' && /lane store was not used/.test(s.lanesNote), `${s.lanesFrom}: ${s.lanesNote}`);
      assert(pages.damaged.consoleLines.some((l) => /lane store was not used/.test(l)),
             `console: ${pages.damaged.consoleLines.join(' | ')}`);
      console.log(`  ${s.lanesNote}`);
      const d = s.durationNs;
      // A fresh page of the rows' server (the first has a span selected, outlined).
      pages.rowsFresh = await openPage(browser, rows.url);
      await waitForSnapshot(pages.rowsFresh, (s) => s.ready || s.error, 'a fresh rows page');
      const a = await recordsAt(pages.damaged, d * 0.2, d * 0.4);
      const b = await recordsAt(pages.rowsFresh, d * 0.2, d * 0.4);
      assert(a.records === b.records, `records differ: ${firstDifference(a.records, b.records)}`);
    }],
  ]);
} finally {
  await browser.close();
  for (const v of [stored, rows, damaged]) v.process.kill('SIGINT');
}
