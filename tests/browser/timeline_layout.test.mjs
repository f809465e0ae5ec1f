// The timeline reading like the stack (issue 10), on the real MirageOS trace
// (../shared/samples/net.ctf, 1,817 promises) and on a lossy lab capture
// (tests/data/netlab-bulk-v4.pcap, Unix times):
// - packed thread rows: no fewer than the most threads alive at once (the
//   profile's own lifetimes, read with sqlite3), far fewer than threads; the
//   busiest second fits in two screens; `p` gives one row per thread;
// - the ruler: at 5 zoom levels around a time past 1 s, on net.ctf and on a
//   capture with Unix times (netlab-zerowin-v4.pcap, 1.6 s), tick labels are
//   distinct and read back (prefix + offset) to the tick's time; the Unix
//   origin shows as its UTC date-time;
// - honest labels: a failed thread's exception text is drawn only while its
//   failure is in the visible range (an edge indicator otherwise);
// - density: zoomed out, the capture's lanes show flagged packets in pixel
//   columns of their own, between the flagged packets' clusters and their
//   pixels (from the profile), and plain packets stay plain.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, launchBrowser, openPage, runChecks, screenshot, snapshot, sourceDir, startView,
  waitForSnapshot,
} from './harness.mjs';

const ctf = path.resolve(sourceDir, '..', 'shared', 'samples', 'net.ctf');
const pcap = path.resolve(sourceDir, 'tests', 'data', 'netlab-bulk-v4.pcap');
const longPcap = path.resolve(sourceDir, 'tests', 'data', 'netlab-zerowin-v4.pcap');  // 1.6 s
assert(existsSync(ctf), `${ctf} is missing: this test needs the real MirageOS trace`);
const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-timeline-layout-'));
const ctfProfile = path.join(work, 'net.lurk');
const pcapProfile = path.join(work, 'bulk.lurk');
const longProfile = path.join(work, 'zerowin.lurk');

const sql = (file, query) => execFileSync('sqlite3', ['-separator', ' ', file, query], { encoding: 'utf8' })
  .trim().split('\n').filter((l) => l).map((l) => l.split(' ').map(Number));
const unit = { ns: 1, '\u00b5s': 1e3, ms: 1e6, s: 1e9, min: 60e9, h: 3600e9, d: 86400e9 };
// "+1.5 µs", "5.302 s", "1 h 30 min" back to ns.
function parseTime(text) {
  const parts = text.replace(/^\+/, '').trim().split(/\s+/);
  let total = 0;
  for (let i = 0; i + 1 < parts.length; i += 2) {
    assert(parts[i + 1] in unit, `unknown unit in "${text}"`);
    total += Number(parts[i]) * unit[parts[i + 1]];
  }
  return total;
}

async function setWindow(page, t0, t1) {
  await page.evaluate(([a, b]) => window.lurkSetWindow(a, b), [t0, t1]);
  await page.waitForTimeout(150);
  return snapshot(page);
}

// Five zooms around `center` (ns from the origin): labels distinct and exact.
async function checkRuler(page, center) {
  for (const span of [1500, 150e3, 15e6, 600e6, 2.5e9]) {
    const s = await setWindow(page, center - span / 2, center + span / 2);
    const ticks = s.ruler.ticks;
    assert(ticks.length >= 3, `${ticks.length} ticks at span ${span}`);
    const labels = ticks.map((t) => t.label);
    assert(new Set(labels).size === labels.length, `labels repeat at span ${span}: ${labels.join(' | ')}`);
    const prefix = s.ruler.prefix ? parseTime(s.ruler.prefix) : 0;
    for (const t of ticks) {
      const read = prefix + parseTime(t.label);
      const tolerance = Math.max(0.5, s.ruler.stepNs * 1e-3);
      assert(Math.abs(read - t.tRel) <= tolerance,
             `"${s.ruler.prefix}" + "${t.label}" reads ${read}, the tick is at ${t.tRel} (span ${span})`);
    }
  }
}

const views = [await startView(['-o', ctfProfile, ctf]), await startView(['-o', pcapProfile, pcap]),
               await startView(['-o', longProfile, longPcap])];
const browser = await launchBrowser();
try {
  const page = await openPage(browser, views[0].url, { width: 1500, height: 900 });
  const lossy = await openPage(browser, views[1].url, { width: 1500, height: 900 });
  const zerowin = await openPage(browser, views[2].url, { width: 1500, height: 900 });
  let origin = 0;  // net.ctf's origin (a boot clock: exact as a double)
  await runChecks([
    ['net.ctf: threads that do not overlap share rows; the busiest second fits in two screens', async () => {
      let s = await waitForSnapshot(page, (s) => s.ready || s.error, 'net.ctf to load');
      assert(s.error === null, `error: ${s.error}`);
      origin = s.originNs;
      const threads = s.counts.threads;
      // The most threads alive at once, from the profile's lifetimes: no packing can use fewer rows.
      const lifetimes = sql(ctfProfile, `SELECT coalesce(start_ns, ${origin}), coalesce(end_ns, 1e19) FROM threads`);
      const edges = [];
      for (const [a, b] of lifetimes) edges.push([a, 1], [b + 1, -1]);
      edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      let live = 0, most = 0;
      for (const [, d] of edges) most = Math.max(most, live += d);
      const rows = s.timelineLayout.threadRows;
      assert(s.timelineLayout.packed, 'packed by default');
      assert(rows >= most, `${rows} rows for ${most} threads alive at once`);
      // Per group (a connection's threads, then those on none), the packer opens a row only
      // when every row is busy: rows are the most threads alive at once in each group, summed.
      const byGroup = new Map();
      for (const [a, b, c] of sql(ctfProfile, `SELECT coalesce(start_ns, ${origin}), coalesce(end_ns, 1e19),
                                                      coalesce(connection_id, -1) FROM threads`)) {
        if (!byGroup.has(c)) byGroup.set(c, []);
        byGroup.get(c).push([a, b]);
      }
      const mostAlive = (spans) => {
        const ends = [];
        for (const [a, b] of spans) ends.push([a, 1], [b + 1, -1]);
        ends.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        let n = 0, top = 0;
        for (const [, d] of ends) top = Math.max(top, n += d);
        return top;
      };
      const fewest = [...byGroup.values()].reduce((sum, spans) => sum + mostAlive(spans), 0);
      assert(byGroup.size === s.groupCount, `${byGroup.size} thread groups in the profile, ${s.groupCount} drawn`);
      assert(rows === fewest && rows * 5 < threads, `${rows} rows for ${threads} threads (${fewest} alive at once in the groups)`);
      // The busiest second: the one where the most threads start.
      const starts = lifetimes.map(([a]) => a - origin).sort((x, y) => x - y);
      let best = 0, at = 0;
      for (let i = 0, j = 0; i < starts.length; i++) {
        while (starts[j] < starts[i] - 1e9) j++;
        if (i - j + 1 > best) { best = i - j + 1; at = starts[i] - 1e9; }
      }
      s = await setWindow(page, at, at + 1e9);
      assert(s.timelineLayout.hideIdle, 'idle rows hidden by default');
      // Its connection's promises and the others are two groups (issue 9), each packed
      // into as many rows as it has threads alive at once; dense rows in both.
      assert(s.contentHeight < 2 * 900, `the busiest second (${best} threads start) is ${s.contentHeight} px tall`);
      // One row per thread with `p`: every thread a row.
      await page.keyboard.press('p');
      await page.waitForTimeout(150);
      let one = await snapshot(page);
      assert(!one.timelineLayout.packed && one.timelineLayout.threadRows === threads,
             `p: ${JSON.stringify(one.timelineLayout)}`);
      assert(one.contentHeight > s.contentHeight, 'one row per thread is taller');
      await page.keyboard.press('p');
      await page.waitForTimeout(100);
      // The busiest 150 ms, as a user would zoom to it.
      let best150 = 0, at150 = 0;
      for (let i = 0, j = 0; i < starts.length; i++) {
        while (starts[j] < starts[i] - 150e6) j++;
        if (i - j + 1 > best150) { best150 = i - j + 1; at150 = starts[j] - 1e6; }
      }
      s = await setWindow(page, at150, at150 + 150e6);
      assert(s.timelineLayout.threadRowsShown > 0, 'rows in the busiest 150 ms');
      await screenshot(page, 'timeline-layout-ctf-busiest-150ms.png');
    }],
    ['net.ctf: ruler ticks distinct and exact at 5 zooms around 2.3 s', async () => {
      const s = await snapshot(page);
      assert(s.durationNs > 2.5e9, `net.ctf lasts ${s.durationNs} ns`);
      assert(s.ruler.origin.includes("trace's first event"), `a boot clock has no date: ${s.ruler.origin}`);
      await checkRuler(page, 2.3e9 + 123457);
    }],
    ['net.ctf: an exception label only while its failure is in view', async () => {
      const failed = sql(ctfProfile, 'SELECT id, end_ns FROM threads WHERE failed = 1 ORDER BY end_ns');
      assert(failed.length >= 1, 'net.ctf has failed threads');
      // Every row, one per thread, so the failed thread's row holds only it and stays put.
      await page.keyboard.press('i');
      await page.keyboard.press('p');
      await page.keyboard.press('0');
      await page.keyboard.press('n');  // selects the first failure and scrolls to its row
      await page.waitForTimeout(150);
      let s = await snapshot(page);
      assert(!s.timelineLayout.hideIdle && !s.timelineLayout.packed, JSON.stringify(s.timelineLayout));
      const thread = s.selection.thread;
      const end = failed.find(([id]) => id === thread);
      assert(end, `n selected thread ${thread}, not a failed one`);
      const failedAt = end[1] - origin;
      s = await setWindow(page, failedAt - 1e6, failedAt + 1e6);
      assert(s.selection.rowOnScreen, 'the failed thread\'s row is on screen');
      assert(s.exceptionLabels.some((l) => l.thread === thread),
             `the failure at ${failedAt} is in view but has no label: ${JSON.stringify(s.exceptionLabels)}`);
      // The case: long after the failure, its text must not be drawn.
      s = await setWindow(page, failedAt + 2.0e9, failedAt + 2.003e9);
      assert(s.selection.rowOnScreen, 'the failed thread\'s row is still on screen');
      for (const l of s.exceptionLabels)
        assert(l.t >= s.visibleRange[0] - 1e3 && l.t <= s.visibleRange[1] + 1e3,
               `label of thread ${l.thread} at ${l.t} drawn for ${s.visibleRange}`);
      assert(!s.exceptionLabels.some((l) => l.thread === thread), 'the earlier failure is labelled in view');
      assert(s.edgeIndicators >= 1, 'the row says its failure was earlier');
      await screenshot(page, 'timeline-layout-ctf-after-failure.png');
      await page.keyboard.press('p');
      await page.keyboard.press('i');
    }],
    ['lossy capture zoomed out: flagged packets in columns of their own, not one bar', async () => {
      let s = await waitForSnapshot(lossy, (s) => s.ready || s.error, 'the capture to load');
      assert(s.error === null, `error: ${s.error}`);
      await lossy.keyboard.press('0');
      await lossy.waitForTimeout(150);
      s = await snapshot(lossy);
      const [t0, t1] = s.visibleRange;
      const { left, width } = s.timelineAxis;
      let checked = 0;
      for (const lane of s.packetDensity) {
        // Pixel columns holding a flagged packet (retransmissions, duplicate
        // ACKs, out-of-order, zero window, RST), from the profile itself.
        const times = sql(pcapProfile, `SELECT ts_ns FROM packets WHERE connection_id = ${lane.connection}
          AND dir = ${lane.dir} AND ((analysis & 3615) != 0 OR (tcp_flags & 4) != 0)`).map(([t]) => t);
        const pixels = [...new Set(times.map((t) => Math.floor(left + (t - t0) / (t1 - t0) * width)))].sort((a, b) => a - b);
        let clusters = 0;
        for (let i = 0; i < pixels.length; i++) if (i === 0 || pixels[i] - pixels[i - 1] > 4) clusters++;
        assert(lane.flaggedColumns <= pixels.length + 2,
               `${lane.flaggedColumns} flagged columns for ${pixels.length} flagged pixels (dir ${lane.dir})`);
        assert(lane.flaggedColumns >= clusters - 2,
               `${lane.flaggedColumns} flagged columns for ${clusters} clusters of flagged packets (dir ${lane.dir})`);
        // Not one bar in the worst colour: plain columns stay plain.
        const all = sql(pcapProfile, `SELECT ts_ns FROM packets WHERE connection_id = ${lane.connection}
          AND dir = ${lane.dir}`).map(([t]) => Math.floor(left + (t - t0) / (t1 - t0) * width));
        const plainPixels = new Set(all).size - pixels.length;
        if (pixels.length > 0 && plainPixels > 0) {
          assert(lane.flaggedColumns < lane.columns, `lane ${lane.dir}: ${JSON.stringify(lane)}: one flagged bar`);
          checked++;
        }
      }
      assert(checked >= 1, `no lane with flagged packets drawn: ${JSON.stringify(s.packetDensity)}`);
      await screenshot(lossy, 'timeline-layout-lossy-zoomed-out.png');
    }],
    ['a capture: its Unix origin in UTC; ticks distinct at 5 zooms around 1.2 s', async () => {
      const s = await waitForSnapshot(zerowin, (s) => s.ready || s.error, 'the capture to load');
      assert(s.error === null, `error: ${s.error}`);
      const iso = new Date(s.originNs / 1e6).toISOString().replace('T', ' ').slice(0, 19);
      assert(s.ruler.origin.includes(iso) && s.ruler.origin.endsWith('UTC'), `origin ${s.ruler.origin}, expected ${iso}`);
      assert(s.durationNs > 1.3e9, `the capture lasts ${s.durationNs} ns`);
      await checkRuler(zerowin, 1.2e9 + 777);
      await screenshot(zerowin, 'timeline-layout-capture-ruler.png');
    }],
  ]);
} finally {
  await browser.close();
  for (const v of views) v.process.kill('SIGINT');
}
