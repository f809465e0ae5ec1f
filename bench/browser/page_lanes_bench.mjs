// Issue 15's in-browser open with the page's lanes taken from the lane store
// (/trace.lanes, docs/server.md "The page's lanes") against a page that
// reads them from the profile's rows (a copy of main's web directory),
// interleaved: for each profile, PAIRS pairs of fresh pages, the order
// alternating within pairs, each timed as bench/browser/ui_bench.mjs times
// it: from the bytes being in the page (the profile, and for the store page
// its lane store in the module's heap, as lurk-page.js fetches both) to the
// first frame drawn, wall clock and the page main thread's CPU (CDP
// ThreadTime). Medians, with the load average before and after.
//
//   LURK_CACHE_DIR=/tmp/my-cache node bench/browser/page_lanes_bench.mjs \
//     --base /work/packed11-base --pairs 5 PROFILE...
// --base: a share directory (with web/) of the page to compare with, or
// `same`: this build's page reading its lanes from the rows; both pages are
// served by build/bin/lurk view --in-browser (the base one with
// --page-lanes-over -1, so it is offered no store). The store is made (or checked) when the server starts.
import os from 'node:os';
import { launchBrowser, startView, waitForSnapshot } from '../../tests/browser/harness.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const base = option('--base', '/work/packed11-base');
const pairs = Number(option('--pairs', '5'));
const profiles = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function startServer(profile, withStore) {
  const saved = process.env.LURK_SHARE_DIR;
  if (!withStore && base !== 'same') process.env.LURK_SHARE_DIR = base;
  const started = Date.now();
  try {
    const view = await startView([profile, '--in-browser', '--page-lanes-over', withStore ? '0' : '-1']);
    view.startMs = Date.now() - started;
    return view;
  } finally {
    if (saved === undefined) delete process.env.LURK_SHARE_DIR;
    else process.env.LURK_SHARE_DIR = saved;
  }
}

// One fresh page: the bytes fetched first (not timed), then the open timed.
async function openOnce(browser, view, withStore) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(view.url + '?trace=none.lurk');
    await waitForSnapshot(page, (s) => s.error, 'the page to start');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics
      .find((m) => m.name === 'ThreadTime').value;
    await page.evaluate(async ({ url, withStore }) => {
      window.benchBytes = new Uint8Array(await (await fetch(url + 'trace.lurk')).arrayBuffer());
      if (withStore) {
        const lanes = new Uint8Array(await (await fetch(url + 'trace.lanes')).arrayBuffer());
        const ptr = Module._malloc(lanes.length);
        Module.HEAPU8.set(lanes, ptr);
        window.benchLanes = { ptr, size: lanes.length };
      }
    }, { url: view.url, withStore });
    const cpu0 = await threadTime();
    const r = await page.evaluate(async () => {
      const bytes = window.benchBytes, lanes = window.benchLanes;
      delete window.benchBytes;
      const start = performance.now();
      const f0 = window.lurkSnapshot().frames;
      Module.FS.writeFile('/bench.lurk', bytes, { canOwn: true });
      const error = lanes
        ? Module.ccall('lurk_open_file_with_lanes', 'string', ['string', 'string', 'number', 'number'],
                       ['/bench.lurk', 'bench.lurk', lanes.ptr, lanes.size])
        : Module.ccall('lurk_open_file', 'string', ['string', 'string'], ['/bench.lurk', 'bench.lurk']);
      if (error) return { error };
      const openMs = performance.now() - start;
      return new Promise((resolve) => {
        (function tick() {
          const s = window.lurkSnapshot();
          if (s.ready && s.frames > f0)
            resolve({ firstFrameMs: performance.now() - start, openMs, events: s.counts.packets + s.counts.events,
                      lanesFrom: s.lanesFrom ?? 'profile', lanesNote: s.lanesNote ?? '' });
          else requestAnimationFrame(tick);
        })();
      });
    });
    if (r.error) throw new Error(r.error);
    r.cpuMs = (await threadTime() - cpu0) * 1000;
    return r;
  } finally {
    await page.close();
  }
}

const browser = await launchBrowser();
try {
  for (const profile of profiles) {
    const rowsView = await startServer(profile, false);
    const storeView = await startServer(profile, true);
    console.log(`${profile}: base server up in ${rowsView.startMs} ms, store server in ${storeView.startMs} ms` +
                `\n  ${storeView.stderr().trim().split('\n').filter((l) => /lane store/.test(l)).join('\n  ')}`);
    const loads = [os.loadavg()[0]];
    const runs = { rows: [], store: [] };
    try {
      for (let i = 0; i < pairs; i++) {
        const order = i % 2 ? ['store', 'rows'] : ['rows', 'store'];
        for (const kind of order) {
          const r = await openOnce(browser, kind === 'store' ? storeView : rowsView, kind === 'store');
          if (kind === 'store' && r.lanesFrom !== 'store') throw new Error(`the store page read its lanes from the profile: ${r.lanesNote}`);
          runs[kind].push(r);
          console.log(`  pair ${i + 1} ${kind.padEnd(5)}: first frame ${r.firstFrameMs.toFixed(0)} ms (open ${r.openMs.toFixed(0)}), ` +
                      `CPU ${r.cpuMs.toFixed(0)} ms, ${r.events} events, load ${os.loadavg()[0].toFixed(2)}`);
        }
      }
    } finally {
      rowsView.process.kill('SIGINT');
      storeView.process.kill('SIGINT');
    }
    loads.push(os.loadavg()[0]);
    for (const kind of ['rows', 'store'])
      console.log(`  median ${kind.padEnd(5)}: first frame ${median(runs[kind].map((r) => r.firstFrameMs)).toFixed(0)} ms, ` +
                  `CPU ${median(runs[kind].map((r) => r.cpuMs)).toFixed(0)} ms (${pairs} runs)`);
    console.log(`  load average (1 min) before ${loads[0].toFixed(2)}, after ${loads[1].toFixed(2)}`);
  }
} finally {
  await browser.close();
}
