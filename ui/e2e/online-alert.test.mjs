// Paid online orders are noticed at once (issue 24): the waiting count in the top bar and a
// sound on the cashier's screen too; the board's cards list what to pick; toasts never lie
// over 接单 / 拒单; dialogs and toasts name the local W- number, never the platform's 16 digits.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loginUi, openBrowser, shot, startStack, waitFor } from './stack.mjs';
import { newPage } from './browser.mjs';

let stack;
let cashier; // the counter's screen (a cashier: no board in the nav)
let clerk; // the clerk's iPad
before(async () => {
  stack = await startStack();
  cashier = await openBrowser(stack, { width: 820, height: 1180 });
  clerk = await newPage(stack.browser, { width: 820, height: 1180 });
  clerk.page.setDefaultTimeout(15000);
  // count the beeps: sound.ts makes two oscillators per beep
  for (const p of [cashier.page, clerk.page]) {
    await p.addInitScript(() => {
      window.__oscillators = 0;
      const make = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function (...a) {
        window.__oscillators++;
        return make.apply(this, a);
      };
    });
  }
  await loginUi(cashier.page, stack.url, 'cashier', '1111');
  await loginUi(clerk.page, stack.url, 'clerk', '2222');
}, { timeout: 90000 });
after(async () => {
  if (cashier) await shot(cashier.page, 'online-alert-final').catch(() => {});
  await stack?.stop();
}, { timeout: 30000 });

async function onlineOrder(delivery_type = 'FLASH') {
  const created = await stack.sim('/sim/online-order', { delivery_type });
  const number = created.data.order_number;
  const local = await waitFor(async () => {
    const { orders } = await stack.api('order_list', { text: number, limit: 5 }, 'clerk');
    return orders.find((o) => o.order_number === number);
  }, { timeout: 30000, interval: 500, what: `order ${number} pulled by sync` });
  return { number, local };
}

const badgeCount = async (page) => {
  const b = page.getByTestId('online-badge');
  if (!(await b.isVisible().catch(() => false))) return 0;
  return Number(await b.getAttribute('data-count'));
};

/** Visible toasts that overlap a visible part of an accept / reject button. */
async function toastsOverButtons(page) {
  return page.evaluate(() => {
    const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const clip = (r, c) => ({ left: Math.max(r.left, c.left), right: Math.min(r.right, c.right), top: Math.max(r.top, c.top), bottom: Math.min(r.bottom, c.bottom) });
    const out = [];
    const toasts = [...document.querySelectorAll('.toast')].map((t) => ({ text: t.innerText, r: t.getBoundingClientRect() }));
    for (const b of document.querySelectorAll('[data-action="accept"], [data-action="reject"]')) {
      const scroller = b.closest('.board-cards');
      const r = scroller ? clip(b.getBoundingClientRect(), scroller.getBoundingClientRect()) : b.getBoundingClientRect();
      if (r.right <= r.left || r.bottom <= r.top) continue; // scrolled out of sight
      for (const t of toasts) if (hit(t.r, r)) out.push(`toast "${t.text}" over ${b.dataset.action} of ${b.closest('[data-client-ref]')?.dataset.clientRef}`);
    }
    return out;
  });
}

test('a paid online order shows on the cashier screen: waiting count, sound, local number', { timeout: 90000 }, async () => {
  const { page, problems } = cashier;
  await page.getByTestId('cashier').waitFor();
  assert.equal(await badgeCount(page), 0, 'nothing waits yet');
  const before = await page.evaluate(() => window.__oscillators);

  const { number, local } = await onlineOrder();
  await waitFor(async () => (await badgeCount(page)) === 1, { timeout: 20000, what: 'the waiting-orders badge on the cashier screen' });
  const badge = await page.getByTestId('online-badge').boundingBox();
  assert.ok(badge.x >= 0 && badge.x + badge.width <= 820 && badge.y >= 0 && badge.y + badge.height <= 1180, 'the badge is in view');
  await waitFor(async () => (await page.evaluate(() => window.__oscillators)) > before, { timeout: 10000, what: 'a beep on the cashier screen' });
  const toast = page.locator('.toast').filter({ hasText: local.local_number });
  await toast.waitFor();
  assert.ok(!(await toast.innerText()).includes(number), 'the toast does not name the platform number');
  await shot(page, 'online-alert-cashier');

  // accepted on the clerk's iPad: the count drops everywhere
  await stack.api('order_action_apply', { client_ref: local.client_ref, action: 'accept' }, 'clerk');
  await waitFor(async () => (await badgeCount(page)) === 0, { timeout: 20000, what: 'the badge to go' });
  assert.deepEqual(problems, [], 'no console errors');
});

test('the clerk board: item lines on cards, toasts clear of 接单 / 拒单, local numbers in dialogs and toasts', { timeout: 150000 }, async () => {
  const { page, problems } = clerk;
  await page.locator('[data-nav="clerk"]').click();
  await page.getByTestId('clerk').waitFor();
  // enough new orders to fill the 新订单 column to the bottom of the screen
  const orders = [];
  for (let i = 0; i < 6; i++) orders.push(await onlineOrder(i % 2 ? 'SELF_PICK' : 'FLASH'));
  const card = (o) => page.locator(`[data-column="new"] [data-client-ref="${o.local.client_ref}"]`);
  for (const o of orders) await card(o).waitFor({ timeout: 20000 });
  assert.equal(await badgeCount(page), 6);

  // what to pick, on the card: name × qty per line, as order_get has them
  for (const o of orders.slice(0, 2)) {
    const full = await stack.api('order_get', { client_ref: o.local.client_ref }, 'clerk');
    const lines = card(o).getByTestId('card-lines');
    await lines.waitFor();
    const text = await lines.innerText();
    for (const l of full.lines) assert.ok(text.includes(l.name) && text.includes(`× ${l.quantity}`), `card shows ${l.name} × ${l.quantity}: ${text}`);
  }

  for (const [width, height] of [[820, 1180], [1024, 768], [1280, 800]]) {
    await page.setViewportSize({ width, height });
    // a new arrival's toast
    const arrival = await onlineOrder('FLASH');
    orders.push(arrival);
    const arrivalToast = page.locator('.toast').filter({ hasText: arrival.local.local_number });
    await arrivalToast.waitFor({ timeout: 20000 });
    assert.ok(!(await arrivalToast.innerText()).includes(arrival.number), 'arrival toast: local number only');
    assert.deepEqual(await toastsOverButtons(page), [], `arrival toast at ${width}×${height}`);
    await shot(page, `online-alert-board-${width}x${height}`);

    // accepting one: its success toast, while the other cards' buttons are still there
    const o = orders.shift();
    await card(o).locator('[data-action="accept"]').click();
    const done = page.locator('.toast-success').filter({ hasText: o.local.local_number });
    await done.waitFor();
    assert.ok(!(await done.innerText()).includes(o.number), 'accept toast: local number only');
    assert.deepEqual(await toastsOverButtons(page), [], `accept toast at ${width}×${height}`);
  }

  // the reject confirmation names the local number (a FLASH order: a SELF_PICK one has no 拒单)
  const o = orders.find((x) => x.local.channel === 'FLASH');
  await card(o).locator('[data-action="reject"]').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  const said = await dialog.innerText();
  assert.ok(said.includes(o.local.local_number) && !said.includes(o.number), `reject dialog: ${said}`);
  await dialog.getByRole('button', { name: '返回' }).click();

  // the details are where the platform number lives
  await card(o).locator('.card-top').click();
  const detail = page.getByTestId('order-detail');
  await detail.getByTestId('od-platform-no').waitFor();
  assert.equal((await detail.getByTestId('od-platform-no').innerText()).trim(), o.number);
  assert.ok(!(await detail.locator('.modal-head h2').innerText()).includes(o.number), 'the dialog title is the local number');
  await page.keyboard.press('Escape');
  assert.deepEqual(problems, [], 'no console errors');
});
