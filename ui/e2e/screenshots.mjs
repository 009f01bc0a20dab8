// DEV ONLY: screenshots of the main screens against the fake backend (dev/fake-backend.mjs).
//   npm run build && node e2e/screenshots.mjs [outDir]
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch, newPage } from './browser.mjs';
import { freePort, waitForHttp } from './serve.mjs';

const OUT = resolve(process.argv[2] ?? '/tmp/ui-shots');
mkdirSync(OUT, { recursive: true });
const UI = resolve(new URL('..', import.meta.url).pathname);
const port = await freePort();
const fake = spawn(process.execPath, [join(UI, 'dev', 'fake-backend.mjs'), '--port', String(port)], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, FAKE_ARRIVAL_MS: '4000' },
});
const url = `http://127.0.0.1:${port}`;
const W = Number(process.env.SHOT_W ?? 1280);
const H = Number(process.env.SHOT_H ?? 800);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

try {
  await waitForHttp(`${url}/api/user_list`);
  const browser = await launch();
  const { page, problems } = await newPage(browser, { width: W, height: H });
  const shot = async (name) => {
    await sleep(250);
    await page.screenshot({ path: join(OUT, `${name}.png`) });
    console.log('shot', name);
  };
  const login = async (username, pin) => {
    await page.locator(`[data-username="${username}"]`).click();
    for (const d of pin) await page.locator(`[data-digit="${d}"]`).click();
    await page.getByTestId('pin-submit').click();
  };

  await page.goto(url);
  await page.getByTestId('login').waitFor();
  await page.locator('.user-tile').first().waitFor();
  await shot('01-login');
  await page.locator('[data-username="wang"]').click();
  for (const d of '12') await page.keyboard.press(d);
  await shot('02-login-pin');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  for (const d of '0000') await page.keyboard.press(d);
  await page.keyboard.press('Enter');
  await page.getByTestId('login-error').filter({ hasText: /\S/ }).waitFor();
  await shot('03-login-wrong-pin');
  problems.length = 0; // the 401 of the deliberate wrong PIN is expected
  for (const d of '1234') await page.keyboard.press(d);
  await page.keyboard.press('Enter');

  // cashier with items
  await page.getByTestId('cashier').waitFor();
  await page.locator('.product').first().waitFor();
  await page.locator('[data-product-id="1"]').click();
  await page.locator('[data-product-id="1"]').click();
  await page.locator('[data-product-id="8"]').click();
  await page.locator('[data-product-id="5"]').click();
  await page.locator('.spec').nth(1).click();
  // barcode scan: fast burst + Enter while the search box has focus
  await page.getByTestId('search').click();
  await page.keyboard.type('6928804011142', { delay: 5 });
  await page.keyboard.press('Enter');
  await sleep(400);
  const searchValue = await page.getByTestId('search').inputValue();
  if (searchValue !== '') problems.push(`scanner leaked into the search box: "${searchValue}"`);
  // human typing in the search box
  await page.getByTestId('search').pressSequentially('nfsq', { delay: 120 });
  await sleep(400);
  const typed = await page.getByTestId('search').inputValue();
  if (typed !== 'nfsq') problems.push(`human typing was altered: "${typed}"`);
  await shot('04-cashier-search');
  await page.getByText(/^清除$/).first().click();
  // memo on the tea line
  await page.locator('.cart-line').nth(2).getByText('备注').click();
  await page.getByTestId('memo-input').fill('少冰 不要珍珠');
  await page.getByTestId('memo-input').press('Enter');
  await shot('05-cashier-cart');

  // cash modal
  await page.getByTestId('pay-cash').click();
  await page.getByTestId('cash-modal').waitFor();
  await page.locator('.quick').nth(1).waitFor();
  await page.locator('.quick').nth(1).click();
  await shot('06-cash-modal');
  await page.getByTestId('cash-submit').click();
  await page.getByTestId('paid-modal').waitFor();
  await sleep(2200);
  await shot('07-paid');
  await page.getByTestId('next-sale').click();

  // wechat modal
  await page.locator('[data-product-id="6"]').click();
  await page.locator('.spec').first().click();
  await page.getByTestId('pay-wechat').click();
  await page.getByTestId('wechat-qr').waitFor();
  await shot('08-wechat-modal');
  await page.getByText('取消支付').click();
  await shot('09-cashier-pending');

  // orders
  await page.locator('[data-nav="orders"]').click();
  await page.getByTestId('orders').locator('tbody tr').first().waitFor();
  await shot('10-orders');
  await page.getByTestId('logout').click();

  // clerk
  await page.getByTestId('login').waitFor();
  await login('li', '1234');
  await page.getByTestId('clerk').waitFor();
  await page.locator('.card').first().waitFor();
  await sleep(4500); // a new order arrives (fake) → highlight
  await shot('11-clerk-board');
  await page.locator('[data-nav="aftersales"]').click();
  await page.locator('.as-order').first().waitFor();
  await page.locator('.as-order').first().click();
  await page.getByText('换货', { exact: true }).click();
  await page.locator('.as-wizard input[type="text"]').fill('口味不喜欢');
  await page.locator('.as-wizard .qty-btn[aria-label="增加"]').first().click();
  await page.locator('.as-wizard input[type="search"]').fill('kkkl');
  await page.locator('.as-products .btn').first().click();
  await page.getByTestId('as-quote').click();
  await page.getByTestId('as-quote-view').waitFor();
  await shot('12-aftersales');
  await page.getByTestId('logout').click();

  // manager
  await page.getByTestId('login').waitFor();
  await login('zhang', '9999');
  await page.getByTestId('manager-day').waitFor();
  await page.locator('.kpi').first().waitFor();
  await shot('13-manager-day');
  await page.getByRole('tab', { name: '交班' }).click();
  await page.locator('.count-input').nth(0).fill('5');
  await page.locator('.count-input').nth(2).fill('3');
  await page.locator('.count-input').nth(7).fill('7');
  await shot('14-manager-shift');
  await page.getByRole('tab', { name: '打印' }).click();
  await page.getByTestId('manager-printers').locator('tbody tr').first().waitFor();
  await shot('15-manager-printers');
  await page.getByRole('tab', { name: '同步' }).click();
  await page.locator('.conflict').first().waitFor();
  await shot('16-manager-sync');
  // English
  await page.getByTestId('lang-switch').click();
  await page.getByRole('tab', { name: 'Today' }).click();
  await page.locator('.kpi').first().waitFor();
  await shot('17-manager-day-en');

  console.log(problems.length ? `PROBLEMS:\n${problems.join('\n')}` : 'no console errors');
  await browser.close();
  if (problems.length) process.exitCode = 1;
} finally {
  fake.kill('SIGTERM');
}
