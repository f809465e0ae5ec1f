// One clock in the browser (docs/clocks.md, docs/ui.md "Clocks"): a
// capture and the stack trace of the same run moved to a boot clock open
// joined on one axis (lurk aligned the trace by its segments), and a
// MirageOS trace next to an unrelated capture opens with both drawn, the
// trace moved to start with the capture instead of decades away.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assert, launchBrowser, openPage, runChecks, screenshot, sourceDir, sqliteCount, startView,
  waitForSnapshot,
} from './harness.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'lurk-clocks-'));
const capture = path.resolve(sourceDir, 'samples', 'loopback-http.pcap');
const ctf = path.resolve(sourceDir, '..', 'shared', 'samples', 'net.ctf');
const SHIFT = 1795000000123456789n;

// The loopback run's trace on a boot clock (every ts minus SHIFT; BigInt keeps ns exact).
const lines = readFileSync(path.resolve(sourceDir, 'tests', 'data', 'jsonl', 'loopback-http.jsonl'), 'utf8')
  .split('\n').filter((l) => l.length > 0);
const shifted = lines.map((line, i) => {
  if (i === 0) return line.replace('"clock":"unix-ns"', '"clock":"boot-ns"');
  return line.replace(/"ts":(\d+)/, (_, ts) => `"ts":${BigInt(ts) - SHIFT}`);
});
const bootTrace = path.join(work, 'boot-clock.jsonl');
writeFileSync(bootTrace, shifted.join('\n') + '\n');

const browser = await launchBrowser();
const views = [];
async function open(name, inputs) {
  const profile = path.join(work, `${name}.lurk`);
  const view = await startView(['-o', profile, ...inputs]);
  views.push(view);
  const page = await openPage(browser, view.url, { width: 1500, height: 900 });
  const s = await waitForSnapshot(page, (s) => s.ready || s.error, `${name} to load`);
  assert(s.error === null, `${name}: error ${s.error}`);
  return { page, profile, s };
}

try {
  await runChecks([
    ['a boot-clock trace and its capture open joined on one axis', async () => {
      const { page, profile, s } = await open('joined', [capture, bootTrace]);
      const trace = s.clocks.find((c) => c.format === 'lurk-jsonl');
      assert(trace && trace.how === 'tcp-segments' && !trace.ownAxis,
             `the trace is aligned by its segments: ${JSON.stringify(trace)}`);
      assert(Math.abs(trace.offsetNs - Number(SHIFT)) < 1e6, `offset ${trace.offsetNs}`);
      const span = sqliteCount(profile, 'SELECT max(last_ns) - min(first_ns) FROM connections');
      assert(s.durationNs < span + 2e9, `one axis: ${s.durationNs} ns for a ${span} ns capture`);
      const linked = sqliteCount(profile, 'SELECT count(*) FROM threads WHERE connection_id IS NOT NULL');
      const inGroups = s.groups.filter((g) => g.connection !== null).reduce((n, g) => n + g.threads, 0);
      assert(linked >= 7 && inGroups === linked, `${inGroups} threads in connection groups, ${linked} linked`);
      await screenshot(page, 'clocks-joined.png');
    }],
    ['a MirageOS trace and an unrelated capture: both drawn, the trace moved', async () => {
      const { page, profile, s } = await open('apart', [ctf, capture]);
      const trace = s.clocks.find((c) => c.format === 'ctf');
      const pcap = s.clocks.find((c) => c.format === 'pcap');
      assert(trace.how === 'not-aligned' && trace.ownAxis && trace.displayShiftNs > 1e18,
             `the CTF trace keeps its own clock, drawn moved: ${JSON.stringify(trace)}`);
      assert(pcap.how === 'reference' && !pcap.ownAxis, `the capture is the reference: ${JSON.stringify(pcap)}`);
      assert(s.durationNs < 60e9, `no axis spanning decades: ${s.durationNs} ns`);
      assert(s.counts.threads === sqliteCount(profile, 'SELECT count(*) FROM threads') &&
             s.counts.packets === sqliteCount(profile, 'SELECT count(*) FROM packets'),
             `both sources loaded: ${JSON.stringify(s.counts)}`);
      // Both are on screen at the whole-trace zoom: the capture's connections
      // and the trace's threads start within the first tenth of the axis.
      const captureStart = sqliteCount(profile, "SELECT min(first_ns) FROM connections WHERE " +
                                       "source_id = (SELECT id FROM sources WHERE format = 'pcap')");
      assert(Math.abs(s.originNs - captureStart) < 1e9,
             `the axis starts with the capture (origin ${s.originNs})`);
      await screenshot(page, 'clocks-apart.png');
    }],
  ]);
} finally {
  await browser.close();
  for (const v of views) v.process.kill();
}
