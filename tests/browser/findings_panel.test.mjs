// The ranked findings panel driven as a person would, on a profile of real
// data in the tree: two lab captures (a reset, a zero-window stall), the
// loopback capture and its JSONL trace (an uncaught exception). The panel's
// rows must be what `lurk findings --format json` prints (same order, kinds,
// titles, places); a click on a row selects its place and fits the view;
// the kind buttons filter; n/N walk the ranked rows; ]/[ walk flagged marks
// in time, within the selected connection; F hides the panel. Screenshots
// in both themes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, launchBrowser, lurkBin, openPage, runChecks, screenshot, snapshot, sourceDir, sqliteCount,
  startView, waitForSnapshot,
} from './harness.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-findings-panel-'));
const profile = path.join(work, 'mixed.lurk');
const inputs = ['tests/data/netlab-reset-v4.pcap', 'tests/data/netlab-zerowin-v4.pcap',
                'samples/loopback-http.pcap', 'tests/data/jsonl/loopback-http.jsonl'];
execFileSync(lurkBin, ['ingest', '-o', profile, ...inputs.map((f) => path.join(sourceDir, f))],
             { stdio: ['ignore', 'ignore', 'inherit'] });
// The oracle: the CLI's ranked list of the same file.
const expected = JSON.parse(execFileSync(lurkBin, ['findings', profile, '--format', 'json'],
                                         { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
// Analysis bits the timeline marks (retransmission, fast, spurious, out-of-order,
// duplicate ACK, zero window, its probe and probe ACK), or a RST.
const markedPacket = '(analysis & 3615 != 0 OR tcp_flags & 4 != 0)';

const view = await startView([profile]);
const browser = await launchBrowser();
const page = await openPage(browser, view.url, { width: 1500, height: 900 });

const span = (s) => s.visibleRange[1] - s.visibleRange[0];
// A key, then two frames drawn after it: ImGui takes the key in the next
// frame (a fixed wait was too short once under a loaded CI machine: the
// snapshot still showed the rank before the key).
async function press(key) {
  const before = (await snapshot(page)).frames;
  await page.keyboard.press(key);
  await waitForSnapshot(page, (s) => s.frames >= before + 2, `two frames after "${key}"`, 5000);
}
// A click ImGui sees whole (it samples the mouse once per frame).
async function clickSlowly(x, y) {
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.waitForTimeout(80);
  await page.mouse.up();
  await page.waitForTimeout(120);
}
// Keeps only `kind` ("" for all) with the panel's kind button.
async function filterKind(kind) {
  const s = await snapshot(page);
  const button = s.findingsPanel.drawnKinds.find((k) => k.kind === kind);
  assert(button, `no button for kind "${kind}": ${JSON.stringify(s.findingsPanel.drawnKinds)}`);
  await clickSlowly(button.x, button.y);
  return waitForSnapshot(page, (s) => s.findingsPanel.filter === kind, `the filter "${kind}"`, 3000);
}
// Clicks the first row the panel drew; returns the expected finding of that row.
async function clickFirstRow() {
  const s = await snapshot(page);
  const drawn = s.findingsPanel.drawnRows[0];
  assert(drawn, 'no row drawn');
  await clickSlowly(drawn.x, drawn.y);
  await waitForSnapshot(page, (s) => s.findingsPanel.currentRank === drawn.rank, `row ${drawn.rank} current`, 3000);
  return expected[drawn.rank - 1];
}
const contains = (s, t0, t1) => s.visibleRange[0] <= t0 + 1024 && s.visibleRange[1] >= t1 - 1024;

try {
  await runChecks([
    ['the panel lists exactly what lurk findings prints, in its order', async () => {
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the trace to load');
      assert(s.error === null, `error: ${s.error}`);
      const p = s.findingsPanel;
      assert(p.shown, 'the panel is shown first when there are findings');
      assert(p.count === expected.length, `panel has ${p.count} findings, lurk findings ${expected.length}`);
      assert(p.rows.length === Math.min(200, expected.length), `rows ${p.rows.length}`);
      p.rows.forEach((r, i) => {
        const e = expected[i];
        const same = r.rank === e.rank && r.kind === e.kind && r.severity === e.severity &&
          r.title === e.title && r.detail === (e.detail ?? '') && r.connection === e.connection_id &&
          r.thread === e.thread_id && r.ts === e.ts_ns;
        assert(same, `row ${i + 1}: panel ${JSON.stringify(r)}, lurk findings ${JSON.stringify(e)}`);
      });
      const kinds = {};
      for (const e of expected) kinds[e.kind] = (kinds[e.kind] || 0) + 1;
      assert(JSON.stringify(Object.entries(p.kinds).sort()) === JSON.stringify(Object.entries(kinds).sort()),
             `kind counts ${JSON.stringify(p.kinds)}, expected ${JSON.stringify(kinds)}`);
      for (const k of ['exception', 'rst-established', 'zero-window-stall', 'spurious-retransmission'])
        assert(kinds[k] > 0, `the test profile has no ${k} finding`);
      assert(p.current === -1 && p.filter === '', 'nothing current, no filter at first');
      assert(p.drawnRows.length > 0 && p.drawnRows[0].rank === 1, `drawn: ${JSON.stringify(p.drawnRows)}`);
      await page.click('canvas', { position: { x: 700, y: 880 } });  // focus the canvas
      await screenshot(page, 'findings-panel-dark.png');
    }],
    ['a kind button keeps only that kind, with its count', async () => {
      const s = await filterKind('spurious-retransmission');
      const spurious = expected.filter((e) => e.kind === 'spurious-retransmission');
      assert(s.findingsPanel.rows.length === spurious.length &&
             s.findingsPanel.rows.every((r, i) => r.rank === spurious[i].rank),
             `filtered rows ${JSON.stringify(s.findingsPanel.rows.map((r) => r.rank))}`);
    }],
    ['a click on a RST finding selects that packet and shows its neighbourhood', async () => {
      await filterKind('rst-established');
      const e = await clickFirstRow();
      const s = await waitForSnapshot(page, (s) => s.selection && s.selection.rowOnScreen,
                                      "the RST's lane on screen", 3000);
      assert(s.selection.kind === 'packet' && s.selection.connection === e.connection_id,
             `selected ${JSON.stringify(s.selection)} for ${JSON.stringify(e)}`);
      assert(Math.abs(s.selection.t - e.ts_ns) < 1024, `packet at ${s.selection.t}, finding at ${e.ts_ns}`);
      assert(/RST/.test(s.selection.fields.flags || s.selection.title), `not a RST: ${JSON.stringify(s.selection)}`);
      assert(contains(s, e.ts_ns, e.ts_ns) && span(s) <= 100e6 + 4096, `window ${s.visibleRange}`);
    }],
    ['a click on a zero-window stall fits the stall', async () => {
      await filterKind('zero-window-stall');
      const e = await clickFirstRow();
      const s = await waitForSnapshot(page, (s) => s.selection && s.selection.rowOnScreen,
                                      "the stall's lane on screen", 3000);
      assert(e.duration_ns > 0, 'the stall has a duration');
      assert(contains(s, e.ts_ns, e.ts_ns + e.duration_ns), `window ${s.visibleRange} misses the stall`);
      assert(span(s) <= e.duration_ns * 1.25 + 1e5, `window ${span(s)} ns for a ${e.duration_ns} ns stall`);
      assert(s.selection.kind === 'packet' && s.selection.connection === e.connection_id &&
             Math.abs(s.selection.t - e.ts_ns) < 1024, `selected ${JSON.stringify(s.selection)}`);
      await screenshot(page, 'findings-panel-stall.png');
    }],
    ['a click on an exception selects the failed thread and its exception', async () => {
      await filterKind('exception');
      const e = await clickFirstRow();
      const s = await waitForSnapshot(page, (s) => s.selection && s.selection.rowOnScreen,
                                      "the thread's lane on screen", 3000);
      // The JSONL trace has the uncaught exception as an instant, just before the thread's end.
      assert(s.selection.kind === 'instant' && s.selection.thread === e.thread_id,
             `selected ${JSON.stringify(s.selection)} for ${JSON.stringify(e)}`);
      const message = e.title.replace(/^\d+ threads? failed with /, '');
      assert(s.selection.fields.message === message, `message ${s.selection.fields.message}, title ${e.title}`);
      assert(s.selection.t <= e.ts_ns + 1024 && s.selection.t > e.ts_ns - 1e9,
             `exception at ${s.selection.t}, the thread failed at ${e.ts_ns}`);
      assert(contains(s, s.selection.t, e.ts_ns), `window ${s.visibleRange}`);
      await screenshot(page, 'findings-panel-exception.png');
    }],
    ['n / N walk the ranked rows, within the filter', async () => {
      let s = await filterKind('');
      const start = s.findingsPanel.currentRank;
      await press('n');
      s = await waitForSnapshot(page, (s) => s.findingsPanel.currentRank === start + 1, 'n to the next rank', 3000);
      const e = expected[start];
      if (e.connection_id !== null && e.thread_id === null)
        assert(s.selection && s.selection.connection === e.connection_id, `n selected ${JSON.stringify(s.selection)}`);
      if (e.ts_ns !== null) assert(contains(s, e.ts_ns, e.ts_ns), `window ${s.visibleRange} misses rank ${start + 1}`);
      await press('N');
      await waitForSnapshot(page, (s) => s.findingsPanel.currentRank === start, 'N back', 3000);
      await filterKind('spurious-retransmission');
      const ranks = expected.filter((x) => x.kind === 'spurious-retransmission').map((x) => x.rank);
      const seen = [];
      for (let i = 0; i < Math.min(ranks.length + 1, 6); i++) {
        await press('n');
        seen.push((await snapshot(page)).findingsPanel.currentRank);
      }
      const want = [...ranks, ...ranks].slice(0, seen.length);
      assert(JSON.stringify(seen) === JSON.stringify(want), `n visited ${seen}, spurious ranks ${ranks}`);
      await filterKind('');
    }],
    ['] / [ walk the selected connection\'s marks in time, then everything', async () => {
      const marksOf = (c) =>
        sqliteCount(profile, `SELECT count(*) FROM packets WHERE connection_id = ${c} AND ${markedPacket}`) +
        sqliteCount(profile, `SELECT count(*) FROM instants i JOIN threads t ON t.id = i.thread_id WHERE t.connection_id = ${c} AND i.kind = 'exception'`);
      // A connection with findings and several marks (at most 40, to walk them all).
      const candidates = [...new Set(expected.filter((e) => e.connection_id !== null).map((e) => e.connection_id))]
        .map((c) => ({ c, marks: marksOf(c) })).filter((x) => x.marks > 1)
        .sort((a, b) => (a.marks <= 40) - (b.marks <= 40) || a.marks - b.marks);
      assert(candidates.length > 0, 'no connection with findings has several marks');
      const { c: connection, marks } = candidates[candidates.length - 1];
      // n until the current finding is on that connection (n selects its place).
      await filterKind('');
      for (let i = 0; i <= expected.length; i++) {
        const s = await snapshot(page);
        if (s.selection && s.selection.connection === connection) break;
        await press('n');
      }
      assert((await snapshot(page)).selection.connection === connection, `n never reached connection ${connection}`);
      const presses = Math.min(marks, 40);
      let s, previous = -Infinity, first, wraps = 0;
      for (let i = 0; i < presses; i++) {
        await press(']');
        s = await snapshot(page);
        assert(s.selection && s.selection.finding && s.selection.connection === connection,
               `] left connection ${connection}: ${JSON.stringify(s.selection)}`);
        if (i === 0) first = s.selection.t;
        if (s.selection.t < previous) wraps++;  // from the connection's last mark to its first
        previous = s.selection.t;
      }
      assert(wraps <= 1, `] went back in time ${wraps} times`);
      if (marks <= 40) {
        // After every mark of the connection, ] comes back to the first one it visited.
        await press(']');
        s = await snapshot(page);
        assert(Math.abs(s.selection.t - first) < 1 && s.selection.connection === connection,
               `after ${marks} marks: ${JSON.stringify(s.selection)}, first was at ${first}`);
      }
      await press('[');
      s = await snapshot(page);
      assert(s.selection.connection === connection && s.selection.finding, '[ stays on the connection');
      await press('Escape');
      await press(']');
      s = await snapshot(page);
      assert(s.selection && s.selection.finding && s.findings.current >= 0, `] with nothing selected: ${JSON.stringify(s.selection)}`);
      const total = s.findings.count;
      const expectedTotal = sqliteCount(profile, `SELECT count(*) FROM packets p JOIN connections c ON c.id = p.connection_id WHERE c.same_as IS NULL AND ${markedPacket}`) +
        sqliteCount(profile, "SELECT count(*) FROM instants WHERE kind = 'exception'") +
        sqliteCount(profile, "SELECT count(*) FROM threads t WHERE failed = 1 AND NOT EXISTS (SELECT 1 FROM instants i WHERE i.thread_id = t.id AND i.kind = 'exception')");
      assert(total === expectedTotal, `] walks ${total} marks, the file has ${expectedTotal}`);
    }],
    ['F hides and shows the panel; the help says which keys do what', async () => {
      await press('F');
      let s = await waitForSnapshot(page, (s) => !s.findingsPanel.shown && s.findingsPanel.drawnRows.length === 0,
                                    'the panel hidden', 3000);
      await press('F');
      s = await waitForSnapshot(page, (s) => s.findingsPanel.shown && s.findingsPanel.drawnRows.length > 0,
                                'the panel back', 3000);
      await press('?');
      await waitForSnapshot(page, (s) => s.help, 'the help', 3000);
      await screenshot(page, 'findings-panel-help.png');
      await press('Escape');
    }],
    ['the light theme keeps the panel readable', async () => {
      await filterKind('');
      await press('t');
      await waitForSnapshot(page, (s) => s.theme === 'light', 'the light theme', 3000);
      await page.waitForTimeout(200);
      await screenshot(page, 'findings-panel-light.png');
      await press('t');
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
}
