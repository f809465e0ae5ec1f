// Where the page's time goes while it opens a profile: a CPU profile (CDP
// Profiler, 0.5 ms sampling) of lurk_open_file on PROFILE, from the bytes
// being in the page to the model loaded, written to OUT (.cpuprofile: open it
// in Chromium's DevTools) and summarised as self time per function, with the
// callers of the functions named by --callers.
//
// Function names need a wasm linked with --profiling-funcs: configure a
// WebAssembly tree with
//   emcmake cmake -S . -B build-prof-wasm -DCMAKE_BUILD_TYPE=Release \
//     -DLURK_SHARE_OUT=$PWD/build-prof-wasm/share -DCMAKE_EXE_LINKER_FLAGS=--profiling-funcs
// build it, put its lurk-ui.{js,wasm} in a copy of share/lurk/web, and run
//   LURK_SHARE_DIR=that/share/lurk LURK_BIN=build/bin/lurk \
//     node bench/browser/page_open_profile.mjs PROFILE OUT [--callers f1,f2]
// Profiles from bench/make_profile.cpp (lurk-make-profile --events N).
import { launchBrowser, startView, waitForSnapshot } from '../../tests/browser/harness.mjs';
import { writeFileSync } from 'node:fs';
const profile = process.argv[2];
const out = process.argv[3];
const browser = await launchBrowser();
const view = await startView([profile, '--in-browser']);
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
try {
  await page.goto(view.url + '?trace=none.lurk');
  await waitForSnapshot(page, (s) => s.error, 'the page to start');
  const cdp = await page.context().newCDPSession(page);
  await page.evaluate(async (url) => {
    window.benchBytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  }, view.url + 'trace.lurk');
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Performance.enable');
  const tt = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime').value;
  const c0 = await tt();
  await cdp.send('Profiler.start');
  const r = await page.evaluate(async () => {
    const bytes = window.benchBytes; delete window.benchBytes;
    const start = performance.now();
    Module.FS.writeFile('/bench.lurk', bytes, { canOwn: true });
    const error = Module.ccall('lurk_open_file', 'string', ['string', 'string'], ['/bench.lurk', 'bench.lurk']);
    return { error, openMs: performance.now() - start };
  });
  const { profile: p } = await cdp.send('Profiler.stop');
  const c1 = await tt();
  console.log(JSON.stringify(r), 'cpu ms', ((c1 - c0) * 1000).toFixed(0));
  writeFileSync(out, JSON.stringify(p));
  // self time by function
  const self = new Map();
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const dt = p.timeDeltas; let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]); const k = n.callFrame.functionName || '(anon)';
    self.set(k, (self.get(k) || 0) + (dt[i] || 0)); total += dt[i] || 0;
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  for (const [k, v] of top) console.log((v / 1000).toFixed(0).padStart(7), 'ms', (100 * v / total).toFixed(1).padStart(5), '%', k);
  // Who calls each function asked about (three frames up), by self time.
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const asked = (process.argv.includes('--callers') ? process.argv[process.argv.indexOf('--callers') + 1] : '')
    .split(',').filter(Boolean);
  for (const name of asked) {
    const by = new Map();
    for (let i = 0; i < p.samples.length; i++) {
      const n = byId.get(p.samples[i]);
      if (n.callFrame.functionName !== name) continue;
      const chain = [];
      for (let id = parent.get(n.id); id && chain.length < 3; id = parent.get(id))
        chain.push(byId.get(id).callFrame.functionName.slice(0, 60));
      by.set(chain.join(' < '), (by.get(chain.join(' < ')) || 0) + (dt[i] || 0));
    }
    console.log(`callers of ${name}:`);
    for (const [k, v] of [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8))
      console.log((v / 1000).toFixed(0).padStart(7), 'ms', k);
  }
} finally {
  await page.close(); view.process.kill('SIGINT'); await browser.close();
}
