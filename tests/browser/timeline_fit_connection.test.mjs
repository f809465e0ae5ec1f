// A connection's threads in one screen (issue 10), on the real MirageOS trace
// (../shared/samples/net.ctf: its TCP connection holds 1,313 of 1,817
// promises, 165 alive at once at its busiest). Filtered in the connections
// table and clicked, the connection is highlighted, its time range shown, and
// its packed thread rows, which as 8 px rows would not fit, become thin lines
// so that the whole group (header to last row) is inside the rows area of a
// 1500 x 900 page: at the connection's whole range and zoomed to its busiest
// moment, with every row alive then shown (the most threads alive at once,
// from the profile's lifetimes read with sqlite3) and the arrows between its
// threads drawn. A lab capture's connections (the demo profile: a capture and
// the client's and server's traces) fit as they are: no thin rows.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, buildDir, launchBrowser, openPage, runChecks, screenshot, snapshot, sourceDir, startView,
  waitForSnapshot,
} from './harness.mjs';

const ctf = path.resolve(sourceDir, '..', 'shared', 'samples', 'net.ctf');
assert(existsSync(ctf), `${ctf} is missing: this test needs the real MirageOS trace`);
const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-fit-connection-'));
const profile = path.join(work, 'net.lurk');
// The bundled demo profile (`lurk view` with no input): a lab capture with the client's and server's traces.
const demoProfile = path.join(buildDir, 'share', 'lurk', 'samples', 'demo.lurk');

const sql = (file, query) => execFileSync('sqlite3', ['-separator', ' ', file, query], { encoding: 'utf8' })
  .trim().split('\n').filter((l) => l).map((l) => l.split(' ').map(Number));

async function clickSlowly(page, x, y) {
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.waitForTimeout(80);
  await page.mouse.up();
  await page.waitForTimeout(80);
}

// The group, header to last row, is inside the scrolled rows area.
function assertGroupOnScreen(s, what) {
  const l = s.timelineLayout;
  const height = l.highlightedBottom - l.highlightedTop;
  assert(height > 0 && height <= l.rowsHeight,
         `${what}: the connection is ${height} px tall, the rows area ${l.rowsHeight} px`);
  assert(l.highlightedTop >= s.scrollY && l.highlightedBottom <= s.scrollY + l.rowsHeight,
         `${what}: the connection spans ${l.highlightedTop}..${l.highlightedBottom}, the screen shows ` +
         `${s.scrollY}..${s.scrollY + l.rowsHeight}`);
}

// Flows whose both threads belong to the connection and are alive in the window,
// starting in it: each has both rows on screen, so each must be drawn.
function connectionFlows(connection, t0, t1) {
  const alive = (t) => `(${t}.start_ns <= ${t1} AND coalesce(${t}.end_ns, 1e19) >= ${t0})`;
  return sql(profile, `SELECT count(*) FROM flows f JOIN threads a ON a.id = f.from_thread
    JOIN threads b ON b.id = f.to_thread WHERE a.connection_id = ${connection}
    AND b.connection_id = ${connection} AND f.from_ns BETWEEN ${t0} AND ${t1}
    AND ${alive('a')} AND ${alive('b')}`)[0][0];
}

const views = [await startView(['-o', profile, ctf]), await startView([demoProfile])];
const browser = await launchBrowser();
try {
  const page = await openPage(browser, views[0].url, { width: 1500, height: 900 });
  const demo = await openPage(browser, views[1].url, { width: 1500, height: 900 });
  await runChecks([
    ['net.ctf: the filtered connection\'s threads fit in one screen, at its busiest too', async () => {
      let s = await waitForSnapshot(page, (s) => s.ready || s.error, 'net.ctf to load');
      assert(s.error === null, `error: ${s.error}`);
      const origin = s.originNs;
      const [[connection, first, last]] = sql(profile, 'SELECT id, first_ns, last_ns FROM connections');
      // Its busiest moment: the most of its threads alive at once, from their lifetimes.
      const edges = [];
      for (const [a, b] of sql(profile, `SELECT start_ns, coalesce(end_ns, 1e19) FROM threads
                                          WHERE connection_id = ${connection}`))
        edges.push([a, 1], [b + 1, -1]);
      edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      let live = 0, most = 0, busiest = 0;
      for (const [t, d] of edges) if ((live += d) > most) { most = live; busiest = t; }
      assert(most > 100, `the connection has ${most} threads alive at once`);
      assert(s.timelineLayout.thinGroup === null, 'nothing is fitted before a connection is chosen');
      await screenshot(page, 'timeline-fit-connection-before.png');

      // As a user would: type in the table's filter box, leave it, click the row.
      await clickSlowly(page, 960, 47);
      await page.keyboard.type('TCP connect', { delay: 20 });
      s = await waitForSnapshot(page, (s) => s.table.filter === 'TCP connect', 'the filter');
      assert(s.table.rows === 1, `${s.table.rows} rows match`);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(100);
      await clickSlowly(page, 900, 90);
      s = await waitForSnapshot(page, (s) => s.highlightedGroup === connection && s.timelineLayout.arrows > 0,
                                'the connection highlighted and drawn');
      assert(s.visibleRange[0] <= first && s.visibleRange[1] >= last, `window ${s.visibleRange}`);
      assert(s.graphs === null, 'a connection without packets has no graphs to take the height');
      const l = s.timelineLayout;
      // 8 px rows would not fit: the rows are thin lines, and all of them fit.
      assert(24 + 8 * l.highlightedThreadRows > l.rowsHeight,
             `${l.highlightedThreadRows} rows of 8 px fit in ${l.rowsHeight} px: nothing to show`);
      assert(l.thinGroup === connection && l.thinRowHeight >= 2 && l.thinRowHeight < 8,
             `fitted: ${JSON.stringify(l)}`);
      assert(l.highlightedThreadRows >= most, `${l.highlightedThreadRows} rows for ${most} threads alive at once`);
      assertGroupOnScreen(s, 'its whole range');
      const flows = connectionFlows(connection, s.visibleRange[0], s.visibleRange[1]);
      assert(flows > 0 && l.arrows >= flows, `${l.arrows} arrows drawn, ${flows} flows between its rows`);
      console.log(`net.ctf: ${l.highlightedThreadRows} rows of ${l.thinRowHeight} px (${most} threads alive at ` +
                  `its busiest); the connection ${l.highlightedBottom - l.highlightedTop} px in a ` +
                  `${l.rowsHeight} px rows area; ${l.arrows} arrows`);
      await screenshot(page, 'timeline-fit-connection.png');

      // Zoomed to its busiest moment: every thread alive then has its row, all on screen.
      await page.evaluate(([a, b]) => window.lurkSetWindow(a, b), [busiest - origin - 1e6, busiest - origin + 1e6]);
      s = await waitForSnapshot(page, (s) => Math.abs(s.visibleRange[0] - (busiest - 1e6)) < 1e3,
                                'the window at the busiest moment');
      assert(s.highlightedGroup === connection, 'still highlighted');
      assert(s.timelineLayout.highlightedThreadRows >= most,
             `${s.timelineLayout.highlightedThreadRows} rows shown for ${most} threads alive`);
      assertGroupOnScreen(s, 'its busiest 2 ms');
      const busyFlows = connectionFlows(connection, s.visibleRange[0], s.visibleRange[1]);
      assert(s.timelineLayout.arrows >= busyFlows, `${s.timelineLayout.arrows} arrows, ${busyFlows} flows`);
      // Lines have no names: hovering five rows at the busiest instant names what is there
      // (one thread alive per row then), and a click selects one of the connection's threads.
      const h = s.timelineLayout.thinRowHeight;
      const x = s.timelineAxis.left + (busiest - s.visibleRange[0]) / (s.visibleRange[1] - s.visibleRange[0]) *
                s.timelineAxis.width;
      const rowY = (k) => s.timelineLayout.rowsTop + s.timelineLayout.highlightedTop - s.scrollY + 24 + k * h + 0.5;
      const named = [];
      for (const k of [0, 20, 60, 100, 140]) {
        await page.mouse.move(x, rowY(k));
        await page.waitForTimeout(120);
        const hovered = await snapshot(page);
        assert(hovered.hover, `nothing under the pointer on row ${k} at (${x}, ${rowY(k)})`);
        named.push(hovered.hover);
      }
      assert(new Set(named).size >= 3, `five rows hovered, named ${named.join(', ')}`);
      await clickSlowly(page, x, rowY(60));
      s = await waitForSnapshot(page, (s) => s.selection && s.selection.thread !== null, 'a thread selected');
      const [[owner]] = sql(profile, `SELECT coalesce(connection_id, -1) FROM threads WHERE id = ${s.selection.thread}`);
      assert(owner === connection, `clicked thread ${s.selection.thread} is on connection ${owner}`);
      assert(s.timelineLayout.thinGroup === connection, 'a click inside keeps the group fitted');
      await screenshot(page, 'timeline-fit-connection-busiest.png');

      // p (one row per thread) is not fitted: every row readable, scrolled as before.
      await page.keyboard.press('p');
      s = await waitForSnapshot(page, (s) => !s.timelineLayout.packed, 'one row per thread');
      assert(s.timelineLayout.thinGroup === null, `p: ${JSON.stringify(s.timelineLayout)}`);
      await page.keyboard.press('p');
      s = await waitForSnapshot(page, (s) => s.timelineLayout.packed && s.timelineLayout.thinGroup === connection,
                                'packed and fitted again');
      // Escape clears the selection: nothing fitted, 8 px rows again.
      await page.keyboard.press('Escape');
      s = await waitForSnapshot(page, (s) => s.highlightedGroup === null, 'the selection cleared');
      assert(s.timelineLayout.thinGroup === null, 'no fitted group without a highlighted one');
    }],
    ['a lab capture with its traces: a connection that fits keeps its rows', async () => {
      let s = await waitForSnapshot(demo, (s) => s.ready || s.error, 'the demo profile to load');
      assert(s.error === null, `error: ${s.error}`);
      const [[connection, threads]] = sql(demoProfile, `SELECT connection_id, count(*) FROM threads
        WHERE connection_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`);
      const row = s.table.order.indexOf(connection);
      assert(row >= 0 && row < 8, `connection ${connection} is row ${row} of the table`);
      // Rows are 19 px apart below the header (the header's place is in the snapshot:
      // it moves when the findings' kind chips wrap to a second line).
      await clickSlowly(demo, 900, s.table.headers[0].y + 19 * (row + 1));
      s = await waitForSnapshot(demo, (s) => s.highlightedGroup === connection, 'the connection highlighted');
      assert(s.timelineLayout.thinGroup === null, `${threads} threads fit: ${JSON.stringify(s.timelineLayout)}`);
      assert(s.timelineLayout.highlightedThreadRows >= 1, 'its thread rows are shown');
      assertGroupOnScreen(s, 'a lab connection');
      await screenshot(demo, 'timeline-fit-connection-lab.png');
    }],
  ]);
} finally {
  await browser.close();
  for (const v of views) v.process.kill('SIGINT');
}
