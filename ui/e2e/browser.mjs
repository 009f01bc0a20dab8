// Launch Debian's Chromium through playwright-core (no browser download).
//   apt-get install -y chromium
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `extraArgs`: more switches, e.g. Chromium's fake camera for camera-scan.test.mjs. */
export async function launch(extraArgs = []) {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
}

/** A page that records console errors and CSP violations (tests assert there are none). */
export async function newPage(browser, { width = 1280, height = 800, locale = 'zh-CN', timezoneId = 'Asia/Shanghai' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale, timezoneId, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // which request failed (the console line does not say)
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`http ${r.status()}: ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return { context, page, problems };
}
