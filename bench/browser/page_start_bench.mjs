// The in-browser mode's whole start, as a user meets it (issue 15): from
// `lurk view --in-browser PROFILE` started with an empty cache (a profile
// never viewed: the lane store is made) to the URL printed and to the page's
// first frame drawn (a fresh headless Chromium page opened at the URL at once,
// as the user's browser would be), for two lurk binaries, interleaved.
// Medians, with the load average before and after.
//
//   node bench/browser/page_start_bench.mjs --pairs 5 --base build/bin/lurk-prev PROFILE
// --base: the lurk binary to compare with (it must sit in a build's bin/, next
// to share/lurk/web, as build/bin/lurk does).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, waitForSnapshot } from '../../tests/browser/harness.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const base = option('--base', 'build/bin/lurk-prev');
const lurk = option('--lurk', 'build/bin/lurk');
const pairs = Number(option('--pairs', '5'));
const profile = process.argv[process.argv.length - 1];
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

async function run(browser, bin) {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'lurk-page-start-'));
  const began = performance.now();
  const child = spawn(bin, ['view', '--port', '0', '--in-browser', profile], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LURK_CACHE_DIR: cache },
  });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => { out += c; if (out.includes('\n')) resolve(out.split('\n')[0].trim()); });
    child.on('exit', (code) => reject(new Error(`lurk view exited ${code}: ${stderr}`)));
  });
  const urlMs = performance.now() - began;
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  await page.goto(url);
  await waitForSnapshot(page, (s) => s.ready && s.counts && s.counts.events > 0, 'the profile is drawn', 300000);
  const frameMs = performance.now() - began;
  const usedStore = await page.evaluate(() => window.lurkSnapshot().laneStore ?? null);
  await page.close();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
  rmSync(cache, { recursive: true, force: true });
  return { urlMs, frameMs, usedStore };
}

const browser = await launchBrowser();
const results = { base: [], lurk: [] };
const load0 = os.loadavg()[0];
for (let i = 0; i < pairs; i++) {
  const order = i % 2 ? ['lurk', 'base'] : ['base', 'lurk'];
  for (const which of order) {
    const r = await run(browser, which === 'base' ? base : lurk);
    results[which].push(r);
    console.log(`${which}: URL ${(r.urlMs / 1000).toFixed(2)} s, first frame ${(r.frameMs / 1000).toFixed(2)} s`);
  }
}
await browser.close();
for (const which of ['base', 'lurk']) {
  const rs = results[which];
  console.log(`${which} (${which === 'base' ? base : lurk}): median URL ${(median(rs.map((r) => r.urlMs)) / 1000).toFixed(2)} s, ` +
              `first frame ${(median(rs.map((r) => r.frameMs)) / 1000).toFixed(2)} s over ${rs.length} runs`);
}
console.log(`load average ${load0.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after; ${os.cpus().length} cores`);
