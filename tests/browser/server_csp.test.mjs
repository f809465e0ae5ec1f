// The UI runs under the server's strict Content-Security-Policy (docs/server.md):
// the page loads its scripts, compiles its WebAssembly ('wasm-unsafe-eval') and
// opens the demo with no policy violation reported, and the policy does stop
// what it is there to stop (an inline script, a fetch to another origin, being
// framed by another page). A token bind works from the printed URL (cookie after ?token=).
import {
  assert, launchBrowser, openPage, runChecks, screenshot, startView, waitForSnapshot,
} from './harness.mjs';

const view = await startView();
const open = await startView(['--bind', '0.0.0.0']);  // a non-loopback bind: token required
const browser = await launchBrowser();

// Records every CSP violation the page reports, from before its first script.
async function watchViolations(page) {
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

try {
  await runChecks([
    ['the demo loads under the policy with no violation', async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
      await watchViolations(page);
      const response = await page.goto(view.url);
      const csp = response.headers()['content-security-policy'] || '';
      assert(csp.includes("'wasm-unsafe-eval'") && !csp.includes('unsafe-inline'), `CSP: ${csp}`);
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the demo to load');
      assert(s.error === null && s.counts.packets > 0, `error ${s.error}, counts ${JSON.stringify(s.counts)}`);
      const violations = await page.evaluate(() => window.cspViolations);
      assert(violations.length === 0, `violations: ${violations.join('; ')}`);
      await screenshot(page, 'server-csp-demo.png');
      await page.close();
    }],
    ['the policy blocks inline script, foreign fetches and framing', async () => {
      const page = await openPage(browser, view.url);
      await watchViolations(page);
      await page.reload();
      await waitForSnapshot(page, (s) => s.ready || s.error, 'the demo to load');
      const outcome = await page.evaluate(async () => {
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true;';
        document.body.appendChild(script);
        let fetched = 'blocked';
        try { await fetch('http://example.invalid/x'); fetched = 'fetched'; } catch (e) { /* refused */ }
        await new Promise((r) => setTimeout(r, 200));
        return { inlineRan: window.inlineRan === true, fetched, violations: window.cspViolations };
      });
      assert(!outcome.inlineRan, 'an inline script ran');
      assert(outcome.fetched === 'blocked', 'a fetch to another origin was made');
      const text = outcome.violations.join('; ');
      assert(/script-src/.test(text) && /connect-src/.test(text), `violations reported: ${text}`);
      await page.close();
      // Another page framing the UI gets nothing (frame-ancestors 'none', X-Frame-Options).
      const framer = await browser.newPage();
      await framer.setContent(`<iframe src="${view.url}" width="800" height="400"></iframe>`);
      await framer.waitForTimeout(2000);
      const child = framer.frames().find((f) => f !== framer.mainFrame());
      const inside = child ? await child.evaluate(() => typeof window.lurkSnapshot).catch(() => 'error') : 'no frame';
      assert(inside !== 'function', `the framed UI ran (frame ${child && child.url()})`);
      await framer.close();
    }],
    ['a token bind opens from its printed URL, and not without the token', async () => {
      assert(/\?token=[0-9a-f]{64}$/.test(open.url), `URL ${open.url}`);
      const page = await openPage(browser, open.url);
      const s = await waitForSnapshot(page, (s) => s.ready || s.error, 'the demo to load');
      assert(s.error === null, `error: ${s.error}`);
      assert(!page.url().includes('token='), `the token stayed in the address bar: ${page.url()}`);
      const bare = await fetch(open.url.replace(/\?token=.*$/, ''));
      assert(bare.status === 401, `without the token: ${bare.status}`);
      await screenshot(page, 'server-token-demo.png');
    }],
  ]);
} finally {
  await browser.close();
  view.process.kill('SIGINT');
  open.process.kill('SIGINT');
}
