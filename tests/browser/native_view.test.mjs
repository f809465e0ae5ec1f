// Server-backed viewing (`lurk view --native`, docs/server.md) draws what the
// in-browser mode draws: the demo profile opened both ways, side by side in
// the same viewport, gives the same timeline frame records (every rectangle,
// line and text, to 1/100 px, with the item each shows) at five zoom levels,
// in dark and light themes; an item clicked in a remote frame is described by
// the server as the page describes it in-browser (GET /item) and drawn
// selected by it; a range measured on the ruler is counted by the server as
// the page counts it in-browser (GET /measure), and `]` / `[` step to the
// marks they step to in-browser (GET /mark); the native
// page says its mode and never fetched the whole profile. Screenshots of both
// modes: build/screenshots/native-view-*.png.
import path from 'node:path';
import {
  assert, buildDir, launchBrowser, openPage, runChecks, screenshot, snapshot, sqliteCount, startView, waitForSnapshot,
} from './harness.mjs';

const profile = path.join(buildDir, 'share', 'lurk', 'samples', 'demo.lurk');
const inBrowser = await startView(['--in-browser', profile]);
const native = await startView(['--native', profile]);
const browser = await launchBrowser();
const pages = {};
const requested = { local: [], native: [] };

// The drawn frame's records once they are for the window asked for: in-browser
// at the next frame; native when the answer to this view arrived
// (snapshot.frameCurrent) and the page drew it.
async function recordsAt(page, t0, t1) {
  const before = (await snapshot(page)).frames;
  await page.evaluate(([a, b]) => window.lurkSetWindow(a, b), [t0, t1]);
  // Two frames drawn since (the first asks a native page's server for this
  // view), the window shown (absolute ns in doubles: to a microsecond), and
  // the frame drawn for it.
  const s = await waitForSnapshot(page, (s) => s.frames >= before + 2 && s.frameCurrent && s.visibleRange &&
    Math.abs(s.visibleRange[0] - s.originNs - t0) < 1000 && Math.abs(s.visibleRange[1] - s.originNs - t1) < 1000,
    `the frame for [${t0}, ${t1}]`, 20000);
  const records = await page.evaluate(() => window.lurkFrameRecords());
  return { records, snapshot: s, digest: s.frameDigest };
}

function firstDifference(a, b) {
  const la = a.split('\n'), lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); ++i)
    if (la[i] !== lb[i]) return `line ${i + 1}: in-browser "${la[i]}" / native "${lb[i]}" ` +
      `(${la.length} / ${lb.length} lines)`;
  return 'none';
}

// A record's centre by item kind (core/item_ref.h: 2 packet, 5 span, 8 instant).
function itemRect(records, kinds) {
  for (const line of records.split('\n')) {
    const f = line.split(' ');
    if (f[0] !== 'rect' || f[7] === '-') continue;
    const kind = Number(f[7].split('.')[0]);
    const [x0, y0, x1, y1] = f.slice(1, 5).map(Number);
    if (kinds.includes(kind) && x1 - x0 >= 1 && y1 - y0 >= 3) return { x: (x0 + x1) / 2, y: (y0 + y1) / 2, item: f[7] };
  }
  return null;
}

// The query typed in both pages: the same count (native: once lurk view
// says every args text is searched), the same outlined records at two
// windows, and Enter steps to the same items in the same order, wrapping.
async function searchAlike(query) {
  for (const page of [pages.local, pages.native]) {
    await page.keyboard.press('Escape');
    await page.waitForTimeout(150);
    await page.keyboard.press('/');
    await waitForSnapshot(page, (s) => s.search.focused, 'the search box to take the keyboard', 5000);
    await page.keyboard.press('Control+A');  // the last query's text, replaced
    await page.keyboard.type(query);
    await waitForSnapshot(page, (s) => s.search.query === query && s.search.focused, 'the query in the box', 5000);
    await page.keyboard.press('Escape');
    await waitForSnapshot(page, (s) => !s.search.focused, 'the box to let go', 5000);
  }
  const local = await waitForSnapshot(pages.local, (s) => s.search.matches > 0, 'in-browser matches', 5000);
  assert(local.search.argsSearched === 1, `in-browser, args are searched with the names: ${JSON.stringify(local.search)}`);
  const remote = await waitForSnapshot(pages.native, (s) => s.search.matches >= 0 && s.search.argsSearched === 1,
                                       "lurk view's count, args searched", 20000);
  assert(remote.search.matches === local.search.matches,
         `${query}: matches: native ${remote.search.matches}, in-browser ${local.search.matches}`);
  const d = local.durationNs;
  let outlined = 0;
  for (const [t0, t1] of [[0, d], [d * 0.25, d * 0.6]]) {
    const l = await recordsAt(pages.local, t0, t1);
    const r = await recordsAt(pages.native, t0, t1);
    assert(l.records === r.records, `${query}: records differ (scroll ${l.snapshot.scrollY} / ${r.snapshot.scrollY}, selection ${JSON.stringify(l.snapshot.selection)} / ${JSON.stringify(r.snapshot.selection)}): ${firstDifference(l.records, r.records)}`);
    assert(l.snapshot.search.onScreen === r.snapshot.search.onScreen,
           `${query}: outlined ${l.snapshot.search.onScreen} / ${r.snapshot.search.onScreen}`);
    outlined += r.snapshot.search.onScreen;
  }
  assert(outlined > 0, `${query}: no match outlined on screen`);
  // Enter steps through the matches (native: GET /mark?q=) to the same
  // items, from the same window, wrapping past the last.
  const steps = { local: [], native: [] };
  for (const key of ['local', 'native']) {
    const page = pages[key];
    await page.keyboard.press('/');
    await waitForSnapshot(page, (s) => s.search.focused, 'the search box to take the keyboard', 5000);
    // The item selected (not whether its row is on screen yet: that follows).
    const selected = (s) => s.selection && JSON.stringify([s.selection.kind, s.selection.thread, s.selection.title,
                                                           s.selection.fields]);
    let last = selected(await snapshot(page));
    for (let i = 0; i < local.search.matches + 2; i++) {
      await page.keyboard.press('Enter');
      const s = await waitForSnapshot(page, (s) => s.selection && selected(s) !== last &&
                                      !s.selection.title.includes('asking lurk view'), `${query}: Enter ${i + 1}`, 10000);
      last = selected(s);
      // The native selection has no time (the outline holds no instant):
      // the window centred on it says where it is; its row is scrolled to
      // when the timeline is next drawn.
      // (native: once the frame drawn for its window says where its row lies,
      // and the frame at the new scroll is in).
      const drawn = await waitForSnapshot(page, (n) => n.frames >= s.frames + 2 && n.frameCurrent, 'its frame', 10000);
      const after = await waitForSnapshot(page, (n) => n.frames >= drawn.frames + 2 && n.frameCurrent,
                                          'the row scrolled to', 10000);
      const centre = Math.round((s.visibleRange[0] + s.visibleRange[1]) / 2 / 1000);
      // Its details with its args (native: read by lurk view for this item, GET /item).
      const args = (s.selection.fields || {}).args || '-';
      steps[key].push(`${s.selection.kind} ${s.selection.thread} ${s.selection.title} @${centre} us, ` +
                      `scroll ${after.scrollY.toFixed(2)}, args ${args}`);
    }
    await page.keyboard.press('Escape');
  }
  assert(JSON.stringify(steps.native) === JSON.stringify(steps.local),
         `${query}: Enter steps:\n  in-browser ${steps.local.join(' | ')}\n  native     ${steps.native.join(' | ')}`);
  const items = new Set(steps.local.map((step) => step.split(', scroll')[0]));
  assert(items.size === local.search.matches, `${query}: ${items.size} distinct of ${local.search.matches}`);
  await screenshot(pages.native, `native-view-native-search-${query}.png`);
}

try {
  await runChecks([
    ['both modes open the demo; the native page says so and holds only the outline', async () => {
      pages.local = await openPage(browser, inBrowser.url);
      pages.native = await openPage(browser, native.url);
      const local = await waitForSnapshot(pages.local, (s) => s.ready || s.error, 'the in-browser page');
      const remote = await waitForSnapshot(pages.native, (s) => (s.ready && s.frameCurrent) || s.error,
        'the native page and its first frame');
      assert(!local.error && !remote.error, `errors: ${local.error} / ${remote.error}`);
      assert(local.mode === 'in-browser' && remote.mode === 'native', `modes ${local.mode} / ${remote.mode}`);
      assert(JSON.stringify(local.counts) === JSON.stringify(remote.counts),
             `counts ${JSON.stringify(local.counts)} / ${JSON.stringify(remote.counts)}`);
      assert(local.originNs === remote.originNs && local.durationNs === remote.durationNs,
             `axis ${local.originNs}+${local.durationNs} / ${remote.originNs}+${remote.durationNs}`);
      assert(remote.remote.framesReceived >= 1 && !remote.remote.error, `remote ${JSON.stringify(remote.remote)}`);
      // The outline has no packets or spans: its model is a small part of the profile's.
      assert(remote.memoryBytes * 4 < local.memoryBytes,
             `page model ${remote.memoryBytes} B native, ${local.memoryBytes} B in-browser`);
      assert(remote.table.rows === local.table.rows && remote.groupCount === local.groupCount,
             `table ${remote.table.rows}/${local.table.rows}, groups ${remote.groupCount}/${local.groupCount}`);
    }],
    ['the note of a cold open\'s lane store goes once the store is in', async () => {
      // /native says [events stored, of how many] while the store is made
      // (lurk-native.js shows it at the bottom); the page asks every second.
      let info;
      for (let i = 0; i < 100; ++i) {
        info = await pages.native.evaluate(async () => (await fetch('native', { cache: 'no-store' })).json());
        if (info.backgroundPending !== true) break;
        assert(Array.isArray(info.backgroundEvents) && info.backgroundEvents.length === 2,
               `backgroundEvents ${JSON.stringify(info.backgroundEvents)} while pending`);
        await new Promise((r) => setTimeout(r, 200));
      }
      assert(info.backgroundPending !== true && info.backgroundProblem === '', `background ${JSON.stringify(info)}`);
      const note = await pages.native.waitForFunction(() => {
        const n = document.getElementById('background-note');
        return n && n.className === 'hidden' ? n.textContent || 'hidden' : null;
      }, null, { timeout: 5000 }).then((h) => h.jsonValue());
      assert(note === 'hidden' || /^Making the lane store/.test(note), `note "${note}"`);
    }],
    ['the same frame records at five zoom levels', async () => {
      const s = await snapshot(pages.local);
      const d = s.durationNs;
      const center = d * 0.37;
      const digests = new Set();
      for (const span of [d, d / 6, d / 40, d / 400, d / 5000]) {
        const t0 = Math.max(0, center - span / 2), t1 = t0 + span;
        const local = await recordsAt(pages.local, t0, t1);
        const remote = await recordsAt(pages.native, t0, t1);
        const lines = local.records.split('\n').length;
        console.log(`  [${(t0 / 1e6).toFixed(3)} ms, ${(t1 / 1e6).toFixed(3)} ms]: ${lines} records, ` +
                    `digest ${local.digest} / ${remote.digest}`);
        assert(lines > 20, `only ${lines} records at span ${span}`);
        assert(local.records === remote.records, `records differ: ${firstDifference(local.records, remote.records)}`);
        assert(local.snapshot.contentHeight === remote.snapshot.contentHeight &&
               local.snapshot.visibleRows === remote.snapshot.visibleRows,
               `rows ${local.snapshot.contentHeight}/${local.snapshot.visibleRows} vs ` +
               `${remote.snapshot.contentHeight}/${remote.snapshot.visibleRows}`);
        digests.add(local.digest);
      }
      assert(digests.size === 5, `the five zoom levels drew ${digests.size} different frames`);
      await screenshot(pages.local, 'native-view-in-browser.png');
      await screenshot(pages.native, 'native-view-native.png');
    }],
    ['a packet clicked in a remote frame: the same selection and details as in-browser', async () => {
      const s = await snapshot(pages.local);
      const d = s.durationNs;
      // The first of these windows that shows a packet (or a block of them).
      let target = null;
      for (const [a, b] of [[0.3, 0.32], [0.1, 0.2], [0.2, 0.6], [0, 1]]) {
        const local = await recordsAt(pages.local, d * a, d * b);
        target = itemRect(local.records, [2, 3]);
        if (target) {
          await recordsAt(pages.native, d * a, d * b);
          break;
        }
      }
      assert(target, 'no packet rectangle to click in any window');
      for (const page of [pages.local, pages.native]) await page.mouse.click(target.x, target.y);
      const a = await waitForSnapshot(pages.local, (s) => s.selection, 'the in-browser selection', 5000);
      const b = await waitForSnapshot(pages.native, (s) => s.selection && !/asking/.test(s.selection.title) &&
        s.frameCurrent, 'the native selection described by lurk view', 10000);
      console.log(`  clicked ${target.item}: ${a.selection.title}`);
      assert(a.selection.title === b.selection.title, `titles "${a.selection.title}" / "${b.selection.title}"`);
      // The in-browser snapshot describes from the lanes alone; the server also
      // reads the packet's header from the profile, as the details panel does.
      const localFields = Object.entries(a.selection.fields);
      assert(localFields.length > 3 && localFields.every(([k, v]) => b.selection.fields[k] === v),
             `fields ${JSON.stringify(a.selection.fields)} / ${JSON.stringify(b.selection.fields)}`);
      assert(a.selection.connection === b.selection.connection, 'selected connection differs');
      assert(b.remote.itemsAsked >= 1, `items asked ${b.remote.itemsAsked}`);
      // The connection's graphs open under the timeline on both pages: the
      // native page's from the packets lurk view sends (GET /samples).
      const ga = await waitForSnapshot(pages.local, (s) => s.graphs, 'the in-browser graphs', 5000);
      const gb = await waitForSnapshot(pages.native, (s) => s.graphs && s.graphs.connection === ga.graphs.connection,
                                       "the graphs of lurk view's packets", 10000);
      assert(JSON.stringify(ga.graphs) === JSON.stringify(gb.graphs),
             `graphs ${JSON.stringify(ga.graphs)} / ${JSON.stringify(gb.graphs)}`);
      assert(ga.graphs.segments > 0 && ga.graphs.acks > 0, JSON.stringify(ga.graphs));
      // The selection is drawn by the server: the clicked item outlined, and
      // the timeline above the graphs is the in-browser one.
      await waitForSnapshot(pages.native, (s) => s.frameCurrent, 'the frame with the selection', 10000);
      await waitForSnapshot(pages.local, (s) => s.frameCurrent, 'the in-browser frame with the selection', 10000);
      const lb = await pages.native.evaluate(() => window.lurkFrameRecords());
      const la = await pages.local.evaluate(() => window.lurkFrameRecords());
      assert(la === lb, `records with the graphs open differ: ${firstDifference(la, lb)}`);
      const outlined = lb.split('\n').filter((l) => l.startsWith('rect ') && l.split(' ')[6] !== '00000000');
      assert(outlined.some((l) => l.split(' ')[7] === target.item),
             `no outlined rectangle for ${target.item}: ${outlined.slice(0, 5).join(' | ')}`);
      await screenshot(pages.native, 'native-view-native-selected.png');
      // f fits the selection: the packet's time comes from lurk view (GET /item's t0, t1).
      for (const page of [pages.local, pages.native]) await page.keyboard.press('f');
      const fa = await waitForSnapshot(pages.local, (s) => s.visibleRange[1] - s.visibleRange[0] < 1e6, 'f in-browser', 5000);
      const fb = await waitForSnapshot(pages.native, (s) => s.visibleRange[1] - s.visibleRange[0] < 1e6, 'f native', 5000);
      assert(Math.abs(fa.visibleRange[0] - fb.visibleRange[0]) < 1000 && Math.abs(fa.visibleRange[1] - fb.visibleRange[1]) < 1000,
             `f: in-browser ${fa.visibleRange} / native ${fb.visibleRange}`);
    }],
    ['a range measured on the ruler: lurk view counts what the page counts in-browser', async () => {
      const d = (await snapshot(pages.local)).durationNs;
      for (const page of [pages.local, pages.native]) await recordsAt(page, d * 0.05, d * 0.95);
      const s0 = await snapshot(pages.local);
      const x0 = s0.timelineAxis.left + 120, x1 = s0.timelineAxis.left + s0.timelineAxis.width * 0.6;
      const measured = {};
      for (const key of ['local', 'native']) {
        const page = pages[key];
        // The ruler is the strip above the rows.
        for (const dy of [8, 14, 4, 20]) {
          const y = s0.timelineLayout.rowsTop - dy;
          await page.mouse.move(x0, y);
          await page.mouse.down();
          await page.mouse.move(x1, y, { steps: 6 });
          await page.mouse.up();
          if ((await snapshot(page)).measure) break;
        }
        measured[key] = await waitForSnapshot(page, (s) => s.measure && s.measure.counts &&
          s.measure.counts.packets !== undefined, `the ${key} page's measured counts`, 10000);
      }
      const [a, b] = [measured.local.measure, measured.native.measure];
      console.log(`  measured ${JSON.stringify(a.counts)}`);
      assert(a.t0 === b.t0 && a.t1 === b.t1, `ranges ${a.t0}-${a.t1} / ${b.t0}-${b.t1}`);
      assert(a.counts.packets > 0 && a.counts.spans > 0, `counts ${JSON.stringify(a.counts)}`);
      assert(JSON.stringify(a.counts) === JSON.stringify(b.counts),
             `in-browser ${JSON.stringify(a.counts)} / native ${JSON.stringify(b.counts)}`);
      assert(measured.native.remote.measuresAsked >= 1, `remote ${JSON.stringify(measured.native.remote)}`);
      await screenshot(pages.native, 'native-view-native-measure.png');
      for (const page of [pages.local, pages.native]) await page.keyboard.press('Escape');
    }],
    ["']' and '[' step to the marks the page steps to in-browser (GET /mark)", async () => {
      const d = (await snapshot(pages.local)).durationNs;
      for (const page of [pages.local, pages.native]) {
        await page.keyboard.press('Escape');
        await recordsAt(page, d * 0.02, d * 0.12);
      }
      const seen = [];
      // A mark: its item's description and time (two exceptions may share a
      // title; the time is the details' field: a native page's outline has none).
      const markOf = (s) => s.selection && `${s.selection.title} @ ${s.selection.fields && s.selection.fields.time} ` +
        `(${s.selection.kind} thread ${s.selection.thread} connection ${s.selection.connection})`;
      // The selection once it stops changing (a native page: the step's answer
      // taken, the item described by lurk view); a step may land on the same
      // mark (the only one of the selected connection's group).
      async function settled(page, name) {
        let last = null, same = 0;
        for (let i = 0; i < 100 && same < 4; ++i) {
          await new Promise((r) => setTimeout(r, 100));
          const s = await snapshot(page);
          const m = s.selection && !/asking/.test(s.selection.title) && s.frameCurrent ? markOf(s) : null;
          same = m && m === last ? same + 1 : 0;
          last = m;
        }
        assert(same >= 4, `the ${name} page's selection did not settle`);
        return last;
      }
      // ']' and '[' within the selected connection's group, then from the
      // window's centre over every group (Escape clears the selection).
      let asked = (await snapshot(pages.native)).remote.marksAsked;
      for (const key of [']', ']', ']', '[', 'Escape', '[', '[', 'Escape', ']', ']']) {
        const marks = [];
        for (const name of ['local', 'native']) {
          await pages[name].keyboard.press(key);
          if (key !== 'Escape') marks.push(await settled(pages[name], name));
        }
        if (key === 'Escape') continue;
        ++asked;
        console.log(`  ${key}: ${marks[0]}`);
        assert(marks[0] === marks[1], `${key}: in-browser "${marks[0]}" / native "${marks[1]}"`);
        seen.push(marks[0]);
      }
      assert(new Set(seen).size >= 3, `steps to at least three marks: ${seen.join(' | ')}`);
      assert(seen.some((m) => /packet/.test(m)) && seen.some((m) => /instant|thread/.test(m)),
             `flagged packets and exceptions among them: ${seen.join(' | ')}`);
      const n = await snapshot(pages.native);
      assert(n.remote.marksAsked === asked && n.remote.markNote === '', `remote ${JSON.stringify(n.remote)}`);
      await screenshot(pages.native, 'native-view-native-mark.png');
      for (const page of [pages.local, pages.native]) await page.keyboard.press('Escape');
    }],
    ['a / search: lurk view outlines and counts what the page does in-browser, names and args', async () => {
      // "sent" is in instant names of the demo; "warn" only in args (log
      // lines' levels), which lurk view searches in a pass after the names
      // (docs/server.md): its count says how much of the args it covers.
      for (const query of ['sent', 'warn']) await searchAlike(query);
    }],
    ['n steps through the ranked findings to the same items and windows (native: GET /finding)', async () => {
      const steps = { local: [], native: [] };
      for (const key of ['local', 'native']) {
        const page = pages[key];
        await page.keyboard.press('Escape');
        await waitForSnapshot(page, (s) => !s.search.focused, 'the timeline to have the keys', 5000);
        for (let i = 0; i < 5; i++) {
          await page.keyboard.press('n');
          // Settled: the same selection and window twice in a row, described.
          let last = '', s;
          for (let tries = 0; tries < 50; tries++) {
            await page.waitForTimeout(200);
            s = await snapshot(page);
            const now = JSON.stringify([s.selection, s.visibleRange, s.findingsPanel.currentRank]);
            if (now === last && s.frameCurrent && s.selection && !/asking/.test(s.selection.title) &&
                !(s.remote && s.remote.findingPending)) break;
            last = now;
          }
          assert(s.selection, `${key}: n ${i + 1} selected nothing: search ${JSON.stringify(s.search)}, ` +
                 `findings ${JSON.stringify({ ...s.findingsPanel, rows: undefined })}`);
          const centre = Math.round((s.visibleRange[0] + s.visibleRange[1]) / 2 / 1000);
          const width = Math.round((s.visibleRange[1] - s.visibleRange[0]) / 1000);
          steps[key].push(`#${s.findingsPanel.currentRank} ${s.selection.kind} ${s.selection.connection} ` +
                          `${s.selection.title} @${centre}/${width} us`);
        }
      }
      assert(JSON.stringify(steps.native) === JSON.stringify(steps.local),
             `n steps:\n  in-browser ${steps.local.join(' | ')}\n  native     ${steps.native.join(' | ')}`);
      assert(steps.local.some((l) => / packet /.test(l)) && steps.local.some((l) => / instant /.test(l)),
             `packets and exception instants among ${steps.local.join(' | ')}`);
      await screenshot(pages.native, 'native-view-native-finding.png');
    }],
    ['Download window .lurk: lurk view cuts the window shown (lurk export --window)', async () => {
      const page = pages.native;
      const d = (await snapshot(pages.local)).durationNs;
      await recordsAt(page, d * 0.3, d * 0.6);
      // The address follows the view (lurk-share.js polls it).
      const deadline = Date.now() + 10000;
      let t = null;
      while (!t && Date.now() < deadline) {
        t = await page.evaluate(() => new URLSearchParams(location.hash.slice(1)).get('t'));
        if (!t) await page.waitForTimeout(100);
      }
      assert(t, 'the address has the window');
      const [lo, hi] = t.split(',').map(Number);
      assert(await page.textContent('#download-profile') === 'Download window .lurk', 'the button says what it saves');
      const [event] = await Promise.all([page.waitForEvent('download'), page.click('#download-profile')]);
      assert(/-window\.lurk$/.test(event.suggestedFilename()), event.suggestedFilename());
      const cut = path.join(buildDir, 'screenshots', 'native-window.lurk');
      await event.saveAs(cut);
      // The profile's own rows in the window, counted by the sqlite3 shell.
      const origin = '(SELECT min(x) FROM (SELECT min(ts_ns) AS x FROM packets UNION ALL SELECT min(first_ns) ' +
                     'FROM connections UNION ALL SELECT min(start_ns) FROM threads UNION ALL SELECT ' +
                     'min(min(start_ns, end_ns)) FROM spans UNION ALL SELECT min(ts_ns) FROM instants))';
      const inWindow = (table, time) => sqliteCount(profile, `SELECT count(*) FROM ${table} WHERE ${time} BETWEEN ` +
                                                    `${origin} + ${Math.floor(lo)} AND ${origin} + ${Math.ceil(hi)}`);
      for (const [table, time] of [['packets', 'ts_ns'], ['instants', 'ts_ns']]) {
        const want = inWindow(table, time);
        const got = sqliteCount(cut, `SELECT count(*) FROM ${table}`);
        assert(want > 0 && got === want, `${table} in the window: ${got} in the download, ${want} in the profile`);
      }
      const spans = sqliteCount(profile, `SELECT count(*) FROM spans WHERE start_ns <= ${origin} + ${Math.ceil(hi)} ` +
                                         `AND end_ns >= ${origin} + ${Math.floor(lo)}`);
      assert(sqliteCount(cut, 'SELECT count(*) FROM spans') === spans, `spans reaching into the window: ${spans}`);
      assert(sqliteCount(cut, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") === 1,
             'the download reads back');
      const [html] = await Promise.all([page.waitForEvent('download'), page.click('#export-html')]);
      assert(/-window\.html$/.test(html.suggestedFilename()), html.suggestedFilename());
      await screenshot(page, 'native-view-native-window-download.png');
    }],
    ['light theme: the same records', async () => {
      for (const key of ['local', 'native']) {
        pages[`${key}Dark`] = pages[key];
        const url = (key === 'local' ? inBrowser : native).url;
        pages[key] = await openPage(browser, url + (url.includes('?') ? '&' : '?') + 'theme=light');
        await waitForSnapshot(pages[key], (s) => s.ready && s.frameCurrent, `the ${key} page, light`);
      }
      const d = (await snapshot(pages.local)).durationNs;
      const local = await recordsAt(pages.local, d * 0.1, d * 0.2);
      const remote = await recordsAt(pages.native, d * 0.1, d * 0.2);
      assert(local.records === remote.records, `records differ: ${firstDifference(local.records, remote.records)}`);
      await screenshot(pages.native, 'native-view-native-light.png');
    }],
    ['the native page never fetched the profile: outline and frames only', async () => {
      // Every fetch the first two pages made (the resource timing entries).
      for (const key of ['local', 'native'])
        requested[key] = await pages[`${key}Dark`].evaluate(() =>
          performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
      assert(!requested.native.includes('/trace.lurk'), `requests: ${[...new Set(requested.native)].join(' ')}`);
      assert(requested.native.includes('/frame'), `requests: ${[...new Set(requested.native)].join(' ')}`);
      assert(requested.local.includes('/trace.lurk') && !requested.local.includes('/frame'),
             `in-browser requests: ${[...new Set(requested.local)].join(' ')}`);
    }],
  ]);
} finally {
  await browser.close();
  inBrowser.process.kill('SIGINT');
  native.process.kill('SIGINT');
}
