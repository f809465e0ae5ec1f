// Server-backed viewing with the browser in the loop (issue 15: first frame
// <= 1 s and pan/zoom answered in <= 100 ms on a 100M-event profile): starts
// `lurk view --native PROFILE`, opens the page in headless Chromium and times
//  - the first frame: from the navigation's start to the first remote frame
//    drawn (snapshot.frameCurrent with a frame received), and its parts
//    (the page's start, the outline's fetch and open, the frame's request);
//  - pan/zoom: 12 zoom-ins, 10 pans, 12 zoom-outs by the user's keys (w, d,
//    s), each from the key press to the frame for the new view drawn
//    (frameCurrent again), and the request-to-last-byte time the page saw
//    (snapshot.remote.lastAnswerMs).
// Appends a section to bench/RESULTS.md with the load average seen.
//
//   node bench/browser/native_page_bench.mjs --build build --profile FILE.lurk [--append bench/RESULTS.md]
import { execFileSync, spawn } from 'node:child_process';
import readline from 'node:readline';
import { appendFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, lurkBin, waitForSnapshot } from '../../tests/browser/harness.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const build = path.resolve(option('--build', 'build'));
const profile = option('--profile', null);
const appendTo = option('--append', null);
process.env.LURK_BIN ||= path.join(build, 'bin/lurk');
if (!profile) throw new Error('--profile FILE.lurk is needed (bench/make_profile.cpp: lurk-make-profile)');

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))];
}
const load = () => os.loadavg().map((v) => v.toFixed(1)).join(' ');

// `lurk view` loads a large profile before it prints its URL: minutes at 100M
// events (the harness's startView gives up after 30 s).
function startView(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(lurkBin, ['view', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    readline.createInterface({ input: child.stdout }).once('line', (line) => resolve({ url: line.trim(), process: child }));
    child.once('exit', (code) => reject(new Error(`lurk view exited with ${code}:\n${stderr}`)));
  });
}

const loadBefore = load();
const started = performance.now();
const view = await startView(['--native', profile]);
const urlSeconds = (performance.now() - started) / 1000;
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  const navStart = performance.now();
  await page.goto(view.url);
  const first = await waitForSnapshot(page, (s) => s.ready && s.mode === 'native' && s.frameCurrent &&
    s.remote.framesReceived >= 1, 'the first remote frame', 120000);
  const firstMs = performance.now() - navStart;
  const firstAnswerMs = first.remote.lastAnswerMs;
  // The timeline has the keyboard after a click on its label column's empty top.
  await page.mouse.click(700, 790);
  await page.keyboard.press('Escape');
  const steps = [...Array(12).fill('w'), ...Array(10).fill('d'), ...Array(12).fill('s')];
  const answered = [], network = [];
  for (const key of steps) {
    const before = await page.evaluate(() => window.lurkSnapshot());
    const t = performance.now();
    await page.keyboard.press(key);
    const s = await waitForSnapshot(page, (s) => s.frameCurrent && s.remote.framesReceived > before.remote.framesReceived &&
      JSON.stringify(s.visibleRange) !== JSON.stringify(before.visibleRange), `the frame after ${key}`, 30000);
    answered.push(performance.now() - t);
    network.push(s.remote.lastAnswerMs);
  }
  const info = await (await page.request.get(new URL('native', view.url).toString())).json();
  await page.screenshot({ path: path.join(build, 'screenshots', 'native-bench.png') });
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const events = info.counts.events + info.counts.packets;
  const lines = [
    '',
    `## Server-backed viewing with the browser in the loop, ${events.toLocaleString('en')} events ` +
      `(${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit})`,
    '',
    `Machine: ${os.cpus().length} cores, headless Chromium (SwiftShader); load average ${loadBefore} before, ` +
      `${load()} after (shared: wall times are noisy). Profile: ${path.basename(profile)}, ` +
      `${(statSync(profile).size / 1e6).toFixed(0)} MB; page 1400x800. \`node bench/browser/native_page_bench.mjs\`.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| \`lurk view --native\` start to URL printed (native load) | ${urlSeconds.toFixed(1)} s (model load ${info.loadSeconds.toFixed(1)} s) |`,
    `| first frame: navigation to the first remote frame drawn | ${firstMs.toFixed(0)} ms |`,
    `| of which that frame's request to last byte | ${firstAnswerMs.toFixed(0)} ms |`,
    `| outline fetched by the page | ${(info.outlineBytes / 1024).toFixed(0)} KB |`,
    `| pan/zoom (34 keys: 12 w, 10 d, 12 s), key to new frame drawn, p50 / p95 / max | ` +
      `${percentile(answered, 50).toFixed(0)} / ${percentile(answered, 95).toFixed(0)} / ${Math.max(...answered).toFixed(0)} ms |`,
    `| of which request to last byte, p50 / p95 / max | ${percentile(network, 50).toFixed(0)} / ` +
      `${percentile(network, 95).toFixed(0)} / ${Math.max(...network).toFixed(0)} ms |`,
    `| native process RSS / peak | ${(info.rssBytes / 2 ** 20).toFixed(0)} / ${(info.peakRssBytes / 2 ** 20).toFixed(0)} MB |`,
    `| page's model (the outline) | ${(first.memoryBytes / 1024).toFixed(0)} KB |`,
    '',
  ];
  console.log(lines.join('\n'));
  if (appendTo) appendFileSync(appendTo, lines.join('\n'));
} finally {
  await browser.close();
  view.process.kill('SIGINT');
}
