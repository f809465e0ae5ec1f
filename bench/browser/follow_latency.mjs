// Send-to-visible latency of `lurk view --follow` (docs/live.md, "Following a
// profile as it grows"): a `lurk collect`, one probe sender, the page
// following the profile in headless Chromium. Each sample sends one event and
// times until the page's snapshot counts it (its own poll, every 5 ms);
// idle, then while a second sender streams `--load-rate` events/s. Prints
// one JSON line: {"idle": [ms...], "load": [ms...]}.
//
//   node bench/browser/follow_latency.mjs --build build [--samples 20] [--load-rate 20000]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, openPage, snapshot, startView, waitForSnapshot } from '../../tests/browser/harness.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const build = path.resolve(option('--build', 'build'));
const samples = Number(option('--samples', '20'));
const loadRate = Number(option('--load-rate', '20000'));
process.env.LURK_BIN ||= path.join(build, 'bin/lurk');
const { connectSender, eventLines, startCollector } = await import('../../tests/browser/live_helpers.mjs');

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-follow-bench-'));
const profile = path.join(work, 'live.lurk');
const collector = await startCollector(profile);
const probe = await connectSender(collector.port, 'probe');
let sent = 0;
probe.send(eventLines(0, 10, { tag: 'p' }));
sent = 10;
await probe.committed(20);
const view = await startView(['--follow', profile]);
const browser = await launchBrowser();
const page = await openPage(browser, view.url);
await waitForSnapshot(page, (s) => s.ready && s.follow?.available, 'the page following');

async function measure(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const before = (await snapshot(page)).counts.packets;
    const t0 = performance.now();
    probe.send(eventLines(sent, sent + 1, { tag: 'p' }));
    sent += 1;
    for (;;) {
      const packets = await page.evaluate(() => window.lurkSnapshot().counts.packets);
      if (packets > before) break;
      if (performance.now() - t0 > 10000) throw new Error('not visible within 10 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    out.push(Math.round(performance.now() - t0));
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 100));
  }
  return out;
}

const result = {};
try {
  result.idle = await measure(samples);
  // A second sender streams in 50 ms slices while the probe measures.
  const loader = await connectSender(collector.port, 'load');
  let next = 0;
  const perSlice = Math.max(1, Math.round(loadRate / 2 / 20));  // 2 events per number
  const timer = setInterval(() => {
    loader.send(eventLines(next, next + perSlice, { conn: 41000, tag: 'l' }));
    next += perSlice;
  }, 50);
  result.load = await measure(samples);
  clearInterval(timer);
  loader.close();
  result.loadEventsPerSecond = loadRate;
} finally {
  await browser.close();
  view.process.kill('SIGINT');
  probe.close();
  await collector.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
