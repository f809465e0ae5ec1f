// The standalone HTML benchmark (issue 12, docs/sharing.md "One HTML file"):
// a generated profile (bench/make_profile.cpp, 1M events by default) is
// exported with `lurk export --html`, and the file is opened from file:// in
// headless Chromium with the network off (the context offline, and any
// request that is not file:// refused and counted). Measured:
//  - the export: CPU seconds of `lurk export --html`, the .lurk and HTML sizes;
//  - time to first frame: from the navigation's start to the first frame the
//    module draws with the profile loaded (unpacking included);
//  - memory once the first frame is drawn: the renderer process's peak and
//    current resident size (/proc VmHWM, VmRSS), the JS heap and the wasm heap.
// Not a CI test: a 1M-event export takes minutes of CPU on a loaded machine.
//
//   node bench/browser/share_bench.mjs --build build [--sizes 1000000] [--append bench/RESULTS.md] [--reuse]
// --reuse opens an HTML file a previous run exported (the export's CPU is then not measured).
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser } from '../../tests/browser/harness.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const build = path.resolve(option('--build', 'build'));
const sizes = option('--sizes', '1000000').split(',').map(Number);
const appendTo = option('--append', null);
const reuse = process.argv.includes('--reuse');
const lurk = path.join(build, 'bin/lurk');
const data = path.join(build, 'bench-data');

function makeProfile(events) {
  mkdirSync(data, { recursive: true });
  const file = path.join(data, `ui-${events}.lurk`);  // shared with bench/browser/ui_bench.mjs
  if (!existsSync(file)) {
    execFileSync(path.join(build, 'bin/lurk-make-profile'), ['--events', String(events), '-o', file],
                 { stdio: 'inherit' });
  }
  return file;
}

// `lurk export --html`, timed by /usr/bin/time (user + system CPU seconds, peak RSS).
function exportHtml(profile, out) {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', lurk, 'export', profile, '--html', out],
                      { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lurk export --html failed: ${r.stderr}`);
  const [user, sys, maxKb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { cpuSeconds: user + sys, maxRssMB: maxKb / 1024 };
}

// The parent of each process, and the descendants of `root` whose command line has `needle`.
function descendants(root, needle) {
  const parent = new Map(), cmdline = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      cmdline.set(Number(pid), readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch { /* gone meanwhile */ }
  }
  const isUnder = (pid) => { for (let p = pid; p > 1; p = parent.get(p) ?? 0) if (p === root) return true; return false; };
  return [...cmdline.keys()].filter((pid) => pid !== root && isUnder(pid) && cmdline.get(pid).includes(needle));
}

function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number((status.match(new RegExp(`${key}:\\s+(\\d+)`)) || [0, 0])[1]);
  return { peakMB: kb('VmHWM') / 1024, rssMB: kb('VmRSS') / 1024 };
}

async function openOffline(browser, html) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.setOffline(true);
  let refused = 0;
  await context.route((url) => url.protocol !== 'file:', (route) => { refused++; return route.abort(); });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto('file://' + html, { timeout: 600000 });
    const handle = await page.waitForFunction(() => {
      const s = window.lurkSnapshot?.();
      if (s && s.error) return { error: s.error };
      if (!s || !s.ready || s.frames < 1) return null;
      return { firstFrameMs: performance.now(), counts: s.counts, frames: s.frames, wasmHeap: HEAPU8.length };
    }, null, { polling: 'raf', timeout: 600000 });
    const r = await handle.jsonValue();
    if (r.error) throw new Error(r.error);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = (await cdp.send('Performance.getMetrics')).metrics;
    const jsHeapMB = metrics.find((m) => m.name === 'JSHeapUsedSize').value / 1e6;
    // The renderer of this page: the only one open (Chromium's own pid is our child's child).
    const renderers = descendants(process.pid, '--type=renderer').map(memoryOf);
    const renderer = renderers.reduce((a, b) => (b.peakMB > a.peakMB ? b : a), { peakMB: 0, rssMB: 0 });
    return { ...r, jsHeapMB, renderer, refused, errors };
  } finally {
    await context.close();
  }
}

const browser = await launchBrowser();
const rows = [];
try {
  for (const size of sizes) {
    const profile = makeProfile(size);
    const html = path.join(data, `share-${size}.html`);
    const exported = reuse && existsSync(html) ? { cpuSeconds: NaN, maxRssMB: NaN } : exportHtml(profile, html);
    const opened = await openOffline(browser, html);
    const row = { size, lurkMB: statSync(profile).size / 1e6, htmlMB: statSync(html).size / 1e6, exported, ...opened };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  await browser.close();
}

const fmt = (x, d = 1) => Number(x).toFixed(d);
const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
const lines = [
  '', `## Standalone HTML opened — ${new Date().toISOString().slice(0, 16).replace('T', ' ')}, ${os.cpus()[0].model} x${os.cpus().length}, ` +
  `${Math.round(os.totalmem() / 2 ** 30)} GB, headless Chromium (SwiftShader) from file:// offline, load average ${load}, commit ` +
  execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
  '',
  '| events asked | events loaded (packets + trace events) | .lurk MB | HTML MB | `lurk export --html` CPU s (peak RSS MB) | first frame s after navigation | renderer peak / now RSS MB | JS heap MB | wasm heap MB | requests refused |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.size} | ${r.counts.packets + r.counts.events} | ${fmt(r.lurkMB)} | ${fmt(r.htmlMB)} | ` +
    `${fmt(r.exported.cpuSeconds)} (${fmt(r.exported.maxRssMB, 0)}) | ${fmt(r.firstFrameMs / 1000, 1)} | ` +
    `${fmt(r.renderer.peakMB, 0)} / ${fmt(r.renderer.rssMB, 0)} | ${fmt(r.jsHeapMB, 0)} | ${fmt(r.wasmHeap / 1e6, 0)} | ${r.refused} |`),
  '',
  'First frame: from the navigation\'s start to the first frame drawn with the profile loaded',
  '(unpacking the viewer and the profile with DecompressionStream, then opening it as any profile).',
  'Wall-clock under the load average above: compare runs only at similar load.',
];
console.log(lines.join('\n'));
if (appendTo) appendFileSync(appendTo, lines.join('\n') + '\n');
let failed = 0;
for (const r of rows) {
  if (r.refused || r.errors.length) {
    console.log(`${r.size}: ${r.refused} requests refused, errors: ${r.errors.join('; ')}`);
    failed++;
  }
}
console.log(`${rows.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
