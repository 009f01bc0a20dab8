// End-to-end smoke test against the REAL backend (`storepos serve`), not the dev fake.
// Scaffolding: run once the backend lands:  npm run build && node e2e/smoke.mjs
// Env: STOREPOS_BIN, STOREPOS_SERVE_ARGS (see serve.mjs), E2E_USER, E2E_PIN.
import assert from 'node:assert/strict';
import { launch, newPage } from './browser.mjs';
import { startStorepos } from './serve.mjs';

const server = await startStorepos();
const browser = await launch();
try {
  const { page, problems } = await newPage(browser);
  await page.goto(server.url);
  await page.getByTestId('login').waitFor();
  const user = process.env.E2E_USER;
  const tile = page.locator(`[data-username="${user ?? 'cashier'}"]`);
  await tile.click();
  for (const d of process.env.E2E_PIN ?? '1111') await page.keyboard.press(d);
  await page.keyboard.press('Enter');
  await page.getByTestId('statusbar').getByTestId('logout').waitFor();
  // a cash sale: first product, pay the exact amount
  if (await page.getByTestId('cashier').count()) {
    await page.locator('.product').first().click();
    await page.getByTestId('pay-cash').click();
    await page.getByTestId('cash-modal').waitFor();
    await page.locator('.quick').first().click();
    await page.getByTestId('cash-submit').click();
    // Money is taken only in an open shift: the first sale offers to open one.
    await page.getByTestId('shift-open-dialog').or(page.getByTestId('paid-modal')).first().waitFor();
    if (await page.getByTestId('shift-open-dialog').count()) await page.getByTestId('shift-open-submit').click();
    await page.getByTestId('paid-modal').waitFor();
  }
  assert.deepEqual(problems, [], 'no console errors / CSP violations');
  console.log('e2e smoke: ok');
} finally {
  await browser.close();
  await server.stop();
}
