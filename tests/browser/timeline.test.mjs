// The timeline driven as a person would, on a synthetic profile written by
// lurk-make-profile (connections with flagged packets, threads with nested
// spans, exceptions, counters, flows, GC periods): groups per connection and
// one for threads on no connection, ]/[ to the flagged marks, click to select,
// search with /, f to fit, the connections table, the ruler measure, the
// minimap, help with ?. Assertions read window.lurkSnapshot(); the numbers
// are checked against the profile with the sqlite3 shell.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, buildDir, launchBrowser, openPage, runChecks, screenshot, snapshot, sqliteCount,
  startView, waitForSnapshot,
} from './harness.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-timeline-'));
const profile = path.join(work, 'synthetic.lurk');
execFileSync(path.join(buildDir, 'bin', 'lurk-make-profile'), ['--events', '20000', '-o', profile]);
const view = await startView([profile]);
const browser = await launchBrowser();
const page = await openPage(browser, view.url, { width: 1500, height: 900 });

const span = (s) => s.visibleRange[1] - s.visibleRange[0];
const center = (s) => (s.visibleRange[0] + s.visibleRange[1]) / 2;
async function press(key) {
  await page.keyboard.press(key);
  await page.waitForTimeout(60);
}

// A click ImGui sees whole (it samples the mouse once per frame).
async function clickSlowly(x, y) {
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.waitForTimeout(80);
  await page.mouse.up();
  await page.waitForTimeout(80);
}

// `/` until the search box has the keyboard.
async function focusSearch() {
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.waitForTimeout(200);
    await press('/');
    const s = await snapshot(page);
    if (s.search.focused) return;
    await page.waitForTimeout(300);
    if ((await snapshot(page)).search.focused) return;
  }
  await waitForSnapshot(page, (s) => s.search.focused, 'the search box to take the keyboard', 2000);
}

try {
  await runChecks([
    ['the profile loads with its threads grouped per connection', async () => {
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the trace to load');
      assert(s.error === null, `error: ${s.error}`);
      const connections = sqliteCount(profile, 'SELECT count(*) FROM connections');
      assert(s.counts.connections === connections, `${s.counts.connections} connections, file has ${connections}`);
      assert(s.counts.threads === sqliteCount(profile, 'SELECT count(*) FROM threads'), 'thread count');
      assert(s.groupCount === connections + 1, `groups: ${s.groupCount}`);
      const last = s.groups[s.groups.length - 1];
      assert(last.connection === null && last.threads === sqliteCount(profile,
        'SELECT count(*) FROM threads WHERE connection_id IS NULL'), `no-connection group: ${JSON.stringify(last)}`);
      for (const g of s.groups.slice(0, -1)) {
        const n = sqliteCount(profile, `SELECT count(*) FROM threads WHERE connection_id = ${g.connection}`);
        assert(g.threads === n, `group ${g.connection} has ${g.threads} threads, file ${n}`);
      }
      await page.click('canvas', { position: { x: 5, y: 890 } });  // focus the canvas
      await screenshot(page, 'timeline-overview.png');
    }],
    ['without findings the findings panel is hidden; F shows that there are none', async () => {
      assert(sqliteCount(profile, 'SELECT count(*) FROM findings') === 0, 'the synthetic profile has findings');
      let s = await snapshot(page);
      assert(!s.findingsPanel.shown && s.findingsPanel.count === 0 && s.findingsPanel.rows.length === 0,
             `panel: ${JSON.stringify(s.findingsPanel)}`);
      await press('F');
      s = await waitForSnapshot(page, (s) => s.findingsPanel.shown, 'F to show the panel', 3000);
      await screenshot(page, 'timeline-no-findings.png');
      await press('n');
      s = await snapshot(page);
      assert(s.findingsPanel.current === -1 && s.selection === null, 'n without findings does nothing');
      await press('F');
      await waitForSnapshot(page, (s) => !s.findingsPanel.shown, 'F to hide the panel', 3000);
    }],
    ['] walks the flagged marks in time order, centered and selected; [ goes back', async () => {
      const flagged = sqliteCount(profile, 'SELECT count(*) FROM packets WHERE analysis & ~8192 != 0 OR tcp_flags & 4');
      const exceptions = sqliteCount(profile, "SELECT count(*) FROM instants WHERE kind = 'exception'");
      let s = await snapshot(page);
      assert(s.findings.count === flagged + exceptions,
             `findings ${s.findings.count}, file has ${flagged} flagged packets + ${exceptions} exceptions`);
      let previousT = -Infinity;
      for (let i = 0; i < 4; i++) {
        await press(']');
        s = await snapshot(page);
        assert(s.selection && s.selection.finding, `] selected ${JSON.stringify(s.selection)}`);
        assert(s.selection.t >= previousT, 'findings go forward in time');
        assert(Math.abs(center(s) - s.selection.t) < span(s) * 0.01 + 2048, 'the finding is centered');
        await waitForSnapshot(page, (s) => s.selection.rowOnScreen, "the finding's lane scrolled into view", 3000);
        previousT = s.selection.t;
      }
      const fourth = s.selection;
      await press('[');
      s = await snapshot(page);
      assert(s.selection.t <= fourth.t && s.findings.current >= 0, '[ goes back');
    }],
    ['] reaches an exception on a failed thread and the details show it', async () => {
      // With a packet selected ] keeps to its connection: Escape walks everything.
      await press('Escape');
      let s;
      for (let i = 0; i < 500; i++) {
        await page.keyboard.press(']');
        s = await snapshot(page);
        if (s.selection && s.selection.kind === 'instant') break;
      }
      assert(s.selection.kind === 'instant', 'no exception reached with ]');
      assert(/Lwt\.wakeup_result/.test(s.selection.fields.message), `message: ${s.selection.fields.message}`);
      assert(/Tcp\.Pcb\.close/.test(s.selection.fields.args), 'stack in the args');
      await screenshot(page, 'timeline-exception.png');
    }],
    ['wheel zooms at the pointer; f fits the selection; 0 shows everything', async () => {
      const before = await snapshot(page);
      await page.mouse.move(900, 500);
      for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -100);
      let s = await waitForSnapshot(page, (s) => span(s) < span(before) * 0.7, 'zoom in');
      await press('0');
      s = await snapshot(page);
      assert(span(s) > s.durationNs, 'the whole trace is visible');
      await press(']');
      await press('f');
      s = await snapshot(page);
      assert(span(s) < s.durationNs / 10, `f fitted ${span(s)} ns`);
    }],
    ['w/s zoom and a/d pan', async () => {
      let s0 = await snapshot(page);
      await press('w');
      let s = await snapshot(page);
      assert(span(s) < span(s0) * 0.8, 'w zooms in');
      await press('s');
      s0 = await snapshot(page);
      await press('d');
      s = await snapshot(page);
      assert(center(s) > center(s0) && Math.abs(span(s) - span(s0)) < 4096, 'd pans right');
      await press('a');
      s = await snapshot(page);
      assert(Math.abs(center(s) - center(s0)) < span(s0) * 0.01 + 4096, 'a pans back');
    }],
    ['the table sorts by a column header click', async () => {
      await press('Escape');
      // The header row of the table; "exceptions" is the seventh column.
      await clickSlowly(1232, 71);
      const s = await waitForSnapshot(page, (s) => s.table.sort === 'exceptions', 'sorting by exceptions');
      const withException = sqliteCount(profile,
        'SELECT connection_id FROM threads WHERE failed = 1 AND connection_id IS NOT NULL ORDER BY connection_id LIMIT 1');
      assert(s.table.descending && s.table.order[0] === withException,
             `order ${s.table.order}, the connection with an exception is ${withException}`);
    }],
    ['clicking a connection in the table scrolls to it and highlights it', async () => {
      await press('Escape');
      const s0 = await snapshot(page);
      assert(s0.highlightedGroup === null && s0.selection === null, 'Escape clears the selection');
      const target = s0.table.order[5];
      await clickSlowly(200, 90 + 5 * 19);  // the sixth row
      const s = await waitForSnapshot(page, (s) => s.highlightedGroup !== null, 'a highlighted connection');
      assert(s.highlightedGroup === target, `highlighted ${s.highlightedGroup}, clicked row of ${target}`);
      assert(s.selection.kind === 'connection' && s.selection.connection === target,
             `selection: ${JSON.stringify(s.selection)}`);
      const [first, last] = execFileSync('sqlite3', [profile,
        `SELECT first_ns, last_ns FROM connections WHERE id = ${target}`], { encoding: 'utf8' })
        .trim().split('|').map(Number);
      assert(s.visibleRange[0] <= first && s.visibleRange[1] >= last &&
             span(s) < (last - first) * 1.5, `window ${s.visibleRange} vs connection ${first}..${last}`);
      await screenshot(page, 'timeline-connection.png');
    }],
    ['the table filters by text', async () => {
      const s0 = await snapshot(page);
      await clickSlowly(120, 45);  // the filter box
      await page.waitForTimeout(150);
      await page.keyboard.type('10.0.0.3:', { delay: 30 });
      await page.waitForTimeout(100);
      let s = await waitForSnapshot(page, (s) => s.table.filter === '10.0.0.3:', 'the filter');
      const expected = sqliteCount(profile, "SELECT count(*) FROM connections WHERE addr_b = '10.0.0.3' OR addr_a = '10.0.0.3'");
      assert(s.table.rows === expected && s.table.rows < s0.table.rows, `rows ${s.table.rows}, expected ${expected}`);
      for (let i = 0; i < 9; i++) await press('Backspace');
      s = await waitForSnapshot(page, (s) => s.table.filter === '', 'the filter cleared');
      assert(s.table.rows === s0.table.rows, 'all rows are back');
      await press('Escape');  // leaves the filter box
    }],
    ['/ searches names, labels and args and counts the matches', async () => {
      await page.waitForTimeout(200);
      await press('/');
      await waitForSnapshot(page, (s) => s.search.focused, 'the search box to take the keyboard', 5000);
      await page.keyboard.type('parse', { delay: 30 });
      let s = await waitForSnapshot(page, (s) => s.search.query === 'parse', 'the search query');
      const expected = sqliteCount(profile,
        "SELECT count(*) FROM spans JOIN strings ON strings.id = spans.name WHERE text LIKE '%parse%'") +
        sqliteCount(profile, "SELECT count(*) FROM instants JOIN strings ON strings.id = instants.name WHERE text LIKE '%parse%'");
      assert(s.search.matches === expected && expected > 0, `matches ${s.search.matches}, expected ${expected}`);
      await press('Enter');
      s = await snapshot(page);
      assert(s.selection && s.selection.kind === 'span' && s.selection.title === 'parse',
             `Enter selects a match: ${JSON.stringify(s.selection)}`);
      await screenshot(page, 'timeline-search.png');
      // Enter keeps the box (it takes the keyboard back on the next frame).
      await waitForSnapshot(page, (s) => s.search.focused, 'the search box to keep the keyboard', 5000);
      for (let i = 0; i < 5; i++) await press('Backspace');
      s = await waitForSnapshot(page, (s) => s.search.query === '', 'Backspace to clear the query', 5000);
      assert(s.search.matches === 0, `no query, no matches: ${JSON.stringify(s.search)}`);
      await clickSlowly(5, 890);  // leaves the box (Escape would restore its text)
    }],
    ['typed at once after /, on slow frames, the whole query reaches the box and no letter acts as a key', async () => {
      // "connect" holds c (the table), n (the next finding) and t (the theme):
      // before the box has the keyboard they were read as keys and lost.
      const s0 = await snapshot(page);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
      try {
        await page.keyboard.type('/connect');
        const s = await waitForSnapshot(page, (s) => s.search.query === 'connect', 'the query', 8000)
          .catch(async () => { throw new Error(`the box has ${JSON.stringify((await snapshot(page)).search)}`); });
        assert(s.search.focused, `the box keeps the keyboard: ${JSON.stringify(s.search)}`);
        assert(s.table.shown === s0.table.shown && s.theme === s0.theme &&
               s.findingsPanel.current === s0.findingsPanel.current,
               `a letter acted as a key: table ${s0.table.shown} -> ${s.table.shown}, theme ${s0.theme} -> ` +
               `${s.theme}, finding ${s0.findingsPanel.current} -> ${s.findingsPanel.current}`);
      } finally {
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
      }
      for (let i = 0; i < 7; i++) await press('Backspace');
      await waitForSnapshot(page, (s) => s.search.query === '', 'Backspace to clear the query', 5000);
      await clickSlowly(5, 890);
    }],
    ['Backspace and Enter typed at once after /, on slow frames, are the box\'s: the query as typed, its first match', async () => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
      try {
        await page.keyboard.type('/parsx');
        await page.keyboard.press('Backspace');
        await page.keyboard.type('e');
        await page.keyboard.press('Enter');
        const s = await waitForSnapshot(page, (s) => s.search.query === 'parse' && s.selection, 'the query and a match',
                                        8000)
          .catch(async () => { throw new Error(`the box has ${JSON.stringify((await snapshot(page)).search)}`); });
        assert(s.search.matches > 0 && s.selection.title === 'parse' && s.search.current >= 0,
               `Enter stepped to a match: ${JSON.stringify(s.search)} ${JSON.stringify(s.selection)}`);
      } finally {
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
      }
      for (let i = 0; i < 5; i++) await press('Backspace');
      await waitForSnapshot(page, (s) => s.search.query === '', 'Backspace to clear the query', 5000);
      await clickSlowly(5, 890);
    }],
    ['zoomed out, merged blocks holding a search match are marked and counted', async () => {
      await focusSearch();
      await page.keyboard.type('parse', { delay: 30 });  // nested spans
      await waitForSnapshot(page, (s) => s.search.query === 'parse', 'the search query');
      await press('Escape');  // leaves the box; the query stays, its matches highlighted
      let q = await waitForSnapshot(page, (s) => !s.search.focused, 'the search box to let go', 5000);
      assert(q.search.query === 'parse' && q.search.matches > 0, `Escape kept ${JSON.stringify(q.search)}`);
      await press('0');  // the whole trace: spans merge into blocks
      await page.mouse.move(700, 700);
      const s = await waitForSnapshot(page, (s) => s.search.blocksOnScreen > 0, 'matched blocks on screen', 5000);
      assert(s.search.query !== '' && s.search.matches > 0, JSON.stringify(s.search));
      assert(s.search.onScreen >= s.search.blocksOnScreen, JSON.stringify(s.search));
      await screenshot(page, 'timeline-search-blocks.png');
    }],
    ['dragging on the ruler measures a range with its counts', async () => {
      await press('0');
      const s0 = await snapshot(page);
      // The ruler is the first strip of the timeline, under the table.
      let s;
      for (const y of [262, 270, 278, 290, 250]) {
        await page.mouse.move(500, y);
        await page.mouse.down();
        await page.mouse.move(900, y, { steps: 6 });
        await page.mouse.up();
        s = await snapshot(page);
        if (s.measure) break;
      }
      assert(s.measure, 'no measure after dragging on the ruler');
      const expectedNs = (400 / s0.timelineAxis.width) * span(s0);
      assert(Math.abs(s.measure.durationNs - expectedNs) < expectedNs * 0.1,
             `measured ${s.measure.durationNs} ns, expected about ${expectedNs}`);
      const packets = sqliteCount(profile,
        `SELECT count(*) FROM packets WHERE ts_ns BETWEEN ${Math.ceil(s.measure.t0)} AND ${Math.floor(s.measure.t1)}`);
      assert(Math.abs(s.measure.counts.packets - packets) <= 2, `packets ${s.measure.counts.packets} vs ${packets}`);
      await screenshot(page, 'timeline-measure.png');
      await press('Escape');
    }],
    ['? shows the help overlay with every key', async () => {
      await press('?');
      let s = await snapshot(page);
      assert(s.help === true, 'help is open');
      await screenshot(page, 'timeline-help.png');
      await press('?');
      s = await snapshot(page);
      assert(s.help === false, 'help closed');
    }],
    ['frame build work does not depend on the trace size', async () => {
      const s = await snapshot(page);
      assert(s.lastFrameMs < 50, `frame build ${s.lastFrameMs} ms`);
      assert(s.memoryBytes > 0 && s.memoryBytes / (s.counts.events + s.counts.packets) < 80,
             `memory per event ${s.memoryBytes / (s.counts.events + s.counts.packets)}`);
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
}
