// Links (docs/sharing.md) on a profile of real data: a view set as a person
// sets it (a folded group, a kind filter, a finding clicked, a search, a
// zoom step, the light theme) is in the address; the same address opened in
// a fresh browser context shows the same view (snapshot compared field by
// field); views the user chose are history entries that back / forward go
// between, while wheel zooming replaces the entry; a stale link opens what
// still applies and names the rest; "Copy link" puts the address on the
// clipboard. The connections table's sort (a header clicked), the
// timeline's vertical scroll (the wheel over the rows' labels) and a clock offset set by hand
// are in the address too and come back in a fresh page.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert, launchBrowser, openPage, runChecks, screenshot, snapshot, sqliteCount, startView,
  waitForSnapshot } from './harness.mjs';
import { assertSameView, clickSlowly, makeMixedProfile, press, setView, viewOf, waitForAddress } from './share_helpers.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-share-links-'));
const profile = makeMixedProfile(path.join(work, 'mixed.lurk'));
const view = await startView([profile]);
const browser = await launchBrowser();
const viewport = { width: 1500, height: 900 };
let page, link, original;

const historyLength = () => page.evaluate(() => history.length);
const ready = (p) => waitForSnapshot(p, (s) => (s.ready && s.frames > 2) || s.error, 'the trace to load');

// A page in a browser context of its own: no history, storage or clipboard shared.
async function freshPage(url) {
  const context = await browser.newContext({ viewport });
  const fresh = await context.newPage();
  fresh.consoleLines = [];
  fresh.on('console', (m) => fresh.consoleLines.push(`${m.type()}: ${m.text()}`));
  await fresh.goto(url);
  const s = await ready(fresh);
  assert(s.error === null, `error: ${s.error}`);
  return fresh;
}

try {
  await runChecks([
    ['the address starts with no view and the page opens on the whole trace', async () => {
      page = await openPage(browser, view.url, viewport);
      const s = await ready(page);
      assert(s.error === null, `error: ${s.error}`);
      assert(s.view.hash === 'v=1', `the opening view's hash is ${s.view.hash}`);
      assert(s.view.notice === '', `notice ${s.view.notice}`);
      assert(await page.evaluate(() => location.hash) === '', 'the address has a hash already');
    }],
    ['a view set by hand is in the address', async () => {
      const before = await historyLength();
      await setView(page, { findingKind: 'rst-established', search: 'request' });
      original = await waitForAddress(page, 'the view set by hand');
      const h = original.view.hash;
      for (const key of ['t=', 'sel=p.', 'finding=', 'fkind=rst-established', 'q=request', 'fold=', 'theme=light'])
        assert(h.includes(key), `the hash ${h} has no ${key}`);
      assert(original.search.matches > 0, 'the search matched nothing');
      assert(original.selection?.kind === 'packet', `selection ${JSON.stringify(original.selection)}`);
      // Chosen views are entries (fold, filter, finding, zoom step, theme); typing is not one per key.
      const entries = (await historyLength()) - before;
      assert(entries >= 4 && entries <= 7, `${entries} history entries for 6 chosen views`);
      link = page.url();
      await screenshot(page, 'share-view-set.png');
    }],
    ['the link opened in a fresh browser shows the same view', async () => {
      const fresh = await freshPage(link);
      const s = await waitForAddress(fresh, 'the restored view');
      assertSameView(s, original, 'restored');
      assert(s.view.notice === '', `notice: ${s.view.notice}`);
      assert(s.selection.rowOnScreen, 'the selected packet\'s lane is not scrolled into view');
      await screenshot(fresh, 'share-view-restored.png');
      await fresh.context().close();
    }],
    ['back and forward move between the views the user chose', async () => {
      const s0 = await snapshot(page);
      const rows = s0.findingsPanel.drawnRows;
      // Every kind again, then two findings one after the other.
      const all = s0.findingsPanel.drawnKinds.find((k) => k.kind === '');
      assert(all, `no "all" kind button: ${JSON.stringify(s0.findingsPanel.drawnKinds)}`);
      await clickSlowly(page, all.x, all.y);
      let s = await waitForSnapshot(page, (s) => s.findingsPanel.filter === '', 'all kinds', 3000);
      const [first, second] = s.findingsPanel.drawnRows;
      assert(first && second && rows, 'fewer than two findings drawn');
      await clickSlowly(page, first.x, first.y);
      const a = await waitForAddress(page, 'finding 1');
      await clickSlowly(page, second.x, second.y);
      const b = await waitForAddress(page, 'finding 2');
      assert(a.findingsPanel.currentRank === first.rank && b.findingsPanel.currentRank === second.rank,
             'the clicks did not make the findings current');
      // The wheel zooms without a new entry: it replaces the current one.
      const entries = await historyLength();
      const row = b.groups.find((g) => g.y !== null);  // over the timeline's rows
      await page.mouse.move(b.timelineAxis.left + b.timelineAxis.width / 2, row.y);
      for (let i = 0; i < 4; i++) {
        await page.mouse.wheel(0, -100);
        await page.waitForTimeout(60);
      }
      const zoomed = await waitForAddress(page, 'the wheel zoom');
      assert(zoomed.view.hash !== b.view.hash, 'the wheel zoom did not change the hash');
      assert(await historyLength() === entries, 'the wheel zoom made history entries');
      await page.goBack();
      s = await waitForSnapshot(page, (s) => s.findingsPanel.currentRank === first.rank, 'back to finding 1', 3000);
      assertSameView(s, a, 'back');
      await page.goForward();
      s = await waitForSnapshot(page, (s) => s.findingsPanel.currentRank === second.rank, 'forward to finding 2', 3000);
      assertSameView(s, zoomed, 'forward');
    }],
    ['the table\'s sort, the timeline\'s scroll and a clock offset set by hand are in the link', async () => {
      let s = await snapshot(page);
      // A clock offset set by hand, as the clocks panel's "apply" sets it, arriving by a link.
      const moved = s.clocks.find((c) => c.how !== 'reference');
      assert(moved, `no source to move: ${JSON.stringify(s.clocks)}`);
      const shift = 1500000;
      await page.evaluate((h) => { location.hash = h; }, `${s.view.hash}&clock=${moved.source}:${shift}`);
      s = await waitForSnapshot(page, (s) => s.clocks.find((c) => c.source === moved.source).byHand,
                                'the clock offset to apply', 5000);
      const clock = s.clocks.find((c) => c.source === moved.source);
      assert(clock.displayShiftNs === shift, `shift ${clock.displayShiftNs}`);
      assert(s.view.notice === '', `notice: ${s.view.notice}`);
      // Sort by bytes: a click on the header (its first click sorts descending).
      const header = s.table.headers.find((h) => h.column === 'bytes');
      assert(header, `no bytes header: ${JSON.stringify(s.table.headers)}`);
      await clickSlowly(page, header.x, header.y);
      s = await waitForSnapshot(page, (s) => s.table.sort === 'bytes', 'the sort by bytes', 3000);
      const order = s.table.order;
      // Every thread on a row of its own and idle rows shown: more rows than the screen holds.
      await press(page, 'p');
      await press(page, 'i');
      s = await waitForSnapshot(page, (s) => !s.timelineLayout.packed && !s.timelineLayout.hideIdle, 'the rows unpacked', 3000);
      const row = s.groups.find((g) => g.y !== null);
      await page.mouse.move(s.timelineAxis.left - 40, row.y);
      await page.mouse.wheel(0, 150);
      await page.waitForTimeout(150);
      s = await waitForSnapshot(page, (s) => s.scrollY > 0, 'the rows to scroll', 3000);
      assert(s.contentHeight > s.scrollY, `scrolled ${s.scrollY} of ${s.contentHeight}`);
      const set = await waitForAddress(page, 'sort, scroll and clock');
      const h = set.view.hash;
      for (const key of [`csort=${set.table.descending ? '-' : ''}bytes`, `y=${set.scrollY}`,
                         `clock=${moved.source}:${shift}`])
        assert(h.includes(key), `the hash ${h} has no ${key}`);
      assert(JSON.stringify(set.table.order) === JSON.stringify(order), 'the sort changed while scrolling');
      const fresh = await freshPage(page.url());
      const r = await waitForAddress(fresh, 'the restored sort, scroll and clock');
      assertSameView(r, set, 'restored');
      assert(r.view.notice === '', `notice: ${r.view.notice}`);
      await screenshot(fresh, 'share-sort-scroll-clock-restored.png');
      await fresh.context().close();
    }],
    ['a stale link opens what still applies and says what not', async () => {
      const thread = sqliteCount(profile, 'SELECT min(id) FROM threads');
      const spans = sqliteCount(profile, `SELECT count(*) FROM spans WHERE thread_id = ${thread}`);
      const findings = sqliteCount(profile, 'SELECT count(*) FROM findings');
      const stale = `${view.url}#v=1&t=1000,2000000&sel=sp.${thread}.${spans + 50}&finding=${findings + 3}` +
                    '&fold=987654&fkind=zero-window-stall&q=request&zoom=9';
      const fresh = await freshPage(stale);
      const r = await snapshot(fresh);
      const notice = r.view.notice;
      for (const part of [`past the end of thread ${thread}`, `finding ${findings + 3} is past the end`,
                          'folded group 987654 is not in this profile', "unknown key 'zoom'"])
        assert(notice.includes(part), `the notice does not say "${part}": ${notice}`);
      // What applies, applies.
      assert(r.findingsPanel.filter === 'zero-window-stall', `filter ${r.findingsPanel.filter}`);
      assert(r.search.query === 'request' && r.search.matches > 0, 'the search was not restored');
      assert(Math.abs(r.visibleRange[0] - r.originNs - 1000) < 512 &&
             Math.abs(r.visibleRange[1] - r.originNs - 2000000) < 512, `range ${r.visibleRange}`);
      assert(r.selection === null, `a selection was made up: ${JSON.stringify(r.selection)}`);
      await screenshot(fresh, 'share-stale-link.png');
      await fresh.context().close();
    }],
    ['a link to a trace that is gone says so', async () => {
      const fresh = await (await browser.newContext({ viewport })).newPage();
      await fresh.goto(`${view.url}?trace=gone.lurk#${original.view.hash}`);
      const s = await waitForSnapshot(fresh, (s) => s.error, 'the error');
      assert(/gone\.lurk.*404/.test(s.error), `error: ${s.error}`);
      await fresh.context().close();
    }],
    ['Copy link puts the address on the clipboard', async () => {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(view.url).origin });
      await page.click('#copy-link');
      await page.waitForFunction(() => window.lurkLastCopiedLink);
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert(copied === page.url(), `copied ${copied}, the address is ${page.url()}`);
      assert(copied.includes('#v=1&'), `the copied link holds no view: ${copied}`);
      assert(await page.isVisible('#share-note'), 'no word that the link was copied');
      await screenshot(page, 'share-copy-link.png');
      const s = await snapshot(page);
      assert(viewOf(s).hash === copied.split('#')[1], 'the copied link is not the view shown');
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill();
}
