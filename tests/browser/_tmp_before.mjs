import { launchBrowser, openPage, snapshot, waitForSnapshot, startView } from './harness.mjs';
const out = process.argv[2];
const view = await startView(['-o', out + '.lurk', '/work/shared/samples/net.ctf']);
const browser = await launchBrowser();
try {
  const page = await openPage(browser, view.url, { width: 1500, height: 900 });
  let s = await waitForSnapshot(page, (s) => s.ready || s.error, 'load');
  await page.mouse.click(960, 47); await page.waitForTimeout(150);
  await page.keyboard.type('TCP connect', { delay: 20 }); await page.waitForTimeout(200);
  await page.keyboard.press('Escape'); await page.waitForTimeout(100);
  await page.mouse.move(900, 90); await page.mouse.down(); await page.waitForTimeout(80); await page.mouse.up();
  await page.waitForTimeout(400);
  s = await snapshot(page);
  await page.screenshot({ path: `${out}-1.png` });
  console.log(JSON.stringify({table: s.table, hl: s.highlightedGroup, range: s.visibleRange, layout: s.timelineLayout, scroll: s.scrollY, ch: s.contentHeight, vis: s.visibleRows}));
} finally { await browser.close(); view.process.kill('SIGINT'); }
