// Shared by the sharing tests (share_links, standalone_html): a profile of
// real data with findings, groups, threads and spans; setting a view as a
// person does (a folded group, a finding clicked, a kind filter, a search, a
// zoom step, the light theme); and the view's part of a snapshot, to compare
// a restored page with the page the link came from.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { assert, lurkBin, snapshot, sourceDir, waitForSnapshot } from './harness.mjs';

export const mixedInputs = ['tests/data/netlab-reset-v4.pcap', 'tests/data/netlab-zerowin-v4.pcap',
                            'samples/loopback-http.pcap', 'tests/data/jsonl/loopback-http.jsonl']
  .map((f) => path.join(sourceDir, f));

// Two lab captures, the loopback capture and its JSONL trace, as one profile.
export function makeMixedProfile(file) {
  execFileSync(lurkBin, ['ingest', '-o', file, ...mixedInputs], { stdio: ['ignore', 'ignore', 'inherit'] });
  return file;
}

// A click ImGui sees whole (it samples the mouse once per frame).
export async function clickSlowly(page, x, y) {
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.waitForTimeout(80);
  await page.mouse.up();
  await page.waitForTimeout(150);
}

export async function press(page, key) {
  await page.keyboard.press(key);
  await page.waitForTimeout(100);
}

// Waits until the address holds the module's view (the page follows it every 150 ms).
export async function waitForAddress(page, what) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const [s, hash] = await Promise.all([snapshot(page), page.evaluate(() => location.hash)]);
    if (hash === '#' + s.view.hash) return s;
    if (Date.now() > deadline) throw new Error(`${what}: the address ${hash} is not the view ${s.view.hash}`);
    await page.waitForTimeout(100);
  }
}

// Folds a group (a click on its header), clicks the first finding of
// `findingKind`'s rows after filtering to that kind, searches for
// `search`, zooms in a step (w) and switches to the light theme (t).
export async function setView(page, { findingKind, search }) {
  let s = await snapshot(page);
  const group = s.groups.find((g) => g.y !== null && g.connection !== null && !g.collapsed);
  assert(group, `no unfolded group header on screen: ${JSON.stringify(s.groups)}`);
  await clickSlowly(page, 120, group.y);
  s = await waitForSnapshot(page, (s) => s.groups.find((g) => g.connection === group.connection)?.collapsed,
                            `group ${group.connection} to fold`, 3000);
  const kindButton = s.findingsPanel.drawnKinds.find((k) => k.kind === findingKind);
  assert(kindButton, `no kind button for ${findingKind}`);
  await clickSlowly(page, kindButton.x, kindButton.y);
  s = await waitForSnapshot(page, (s) => s.findingsPanel.filter === findingKind, 'the kind filter', 3000);
  const row = s.findingsPanel.drawnRows[0];
  await clickSlowly(page, row.x, row.y);
  await waitForSnapshot(page, (s) => s.findingsPanel.currentRank === Number(row.rank), 'the finding', 3000);
  await press(page, '/');
  await page.keyboard.type(search);
  // Typed before the box had the keyboard, the letters wait for it (core/type_ahead.h).
  await waitForSnapshot(page, (s) => s.search.query === search && s.search.focused, 'the query in the box', 3000);
  await press(page, 'Escape');  // leaves the box: the timeline has the keys again
  await waitForSnapshot(page, (s) => s.search.query === search && !s.search.focused, 'the search', 3000);
  await press(page, 'w');
  await press(page, 't');
  return waitForSnapshot(page, (s) => s.theme === 'light', 'the light theme', 3000);
}

// The part of a snapshot a link restores.
export function viewOf(s) {
  const sel = s.selection;
  return {
    selection: sel && { kind: sel.kind, connection: sel.connection, thread: sel.thread, frame: sel.frame ?? null,
                        t: sel.t, title: sel.title },
    findings: { shown: s.findingsPanel.shown, filter: s.findingsPanel.filter, currentRank: s.findingsPanel.currentRank },
    collapsed: s.groups.map((g) => `${g.connection}:${g.collapsed}`),
    search: { query: s.search.query, matches: s.search.matches },
    table: { shown: s.table.shown, filter: s.table.filter, sort: s.table.sort, descending: s.table.descending,
             order: s.table.order },
    scrollY: s.scrollY,
    clocksByHand: s.clocks.filter((c) => c.byHand).map((c) => `${c.source}:${c.displayShiftNs}`),
    layout: { packed: s.timelineLayout.packed, hideIdle: s.timelineLayout.hideIdle },
    theme: s.theme,
    help: s.help,
    hash: s.view.hash,
  };
}

// The restored page shows the same view: everything above, and the same
// time range (to a nanosecond: the link carries it exactly, relative to the origin).
export function assertSameView(restored, original, what) {
  const a = viewOf(restored), b = viewOf(original);
  assert(JSON.stringify(a) === JSON.stringify(b),
         `${what}: the view differs\n  restored ${JSON.stringify(a)}\n  original ${JSON.stringify(b)}`);
  const [r0, r1] = restored.visibleRange, [o0, o1] = original.visibleRange;
  assert(Math.abs(r0 - o0) <= 1 && Math.abs(r1 - o1) <= 1,
         `${what}: visible range ${r0}..${r1}, the original ${o0}..${o1}`);
}
