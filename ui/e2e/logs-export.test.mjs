// Manager → 设置 → 日志: the log export downloads the till's log (today's lines of this very
// run: the manager's login under its request id) and says where the copy on the till is;
// an impossible number of days is refused on the panel, before any request.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loginUi, openBrowser, shot, startStack } from './stack.mjs';

let stack;
let ui;
before(async () => {
  stack = await startStack();
  ui = await openBrowser(stack);
}, { timeout: 60000 });
after(async () => {
  if (ui) await shot(ui.page, 'logs-export-final').catch(() => {});
  await stack?.stop();
}, { timeout: 30000 });

test('the manager exports the logs from the settings tab', { timeout: 60000 }, async () => {
  const { page, problems } = ui;
  await loginUi(page, stack.url, 'manager', '9999');
  await page.getByTestId('manager').waitFor();
  await page.getByRole('tab', { name: '设置' }).click();
  const panel = page.getByTestId('manager-logs');
  await panel.waitFor();
  await panel.scrollIntoViewIfNeeded();
  assert.equal(await page.getByTestId('logs-days').inputValue(), '3', 'three days unless the manager says otherwise');

  // Out of range: a clear message on the panel, no request.
  await page.getByTestId('logs-days').fill('30');
  await page.getByTestId('logs-export').click();
  const error = page.getByTestId('logs-error');
  await error.waitFor();
  assert.match(await error.innerText(), /天数须为 1 到 14/);
  await error.scrollIntoViewIfNeeded();
  await shot(page, 'logs-export-error');

  await page.getByTestId('logs-days').fill('2');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('logs-export').click()]);
  assert.match(download.suggestedFilename(), /^storepos-logs-\d{8}-\d{6}\.txt$/);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /storepos starting .*mode="serve"/, 'the server start is in the log');
  assert.match(text, /http\{req=[0-9a-f]{12}\}:cmd\{name="session_login"\}: .*logged in user=manager/, 'the login under its request id');

  const done = page.getByTestId('logs-done');
  await done.waitFor();
  assert.match(await done.innerText(), /已导出 1 个日志文件/);
  assert.equal(await error.count(), 0, 'the earlier error is gone');
  // The copy on the till is the file named on the panel.
  assert.ok(existsSync(join(stack.data, 'exports', download.suggestedFilename())), 'the export is kept in DATA/exports');
  // The toast said 日志已导出; out of the way for the picture of the panel.
  await page.locator('.toast-success .toast-x').click();
  await done.scrollIntoViewIfNeeded();
  await shot(page, 'logs-export-done');
  assert.deepEqual(problems, []);
});
