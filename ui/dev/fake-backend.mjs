#!/usr/bin/env node
// DEV-ONLY fake backend for developing and screenshotting the UI before the Rust backend
// lands. In-memory data shaped like the contract in src/backend/types.ts.
//
//   node dev/fake-backend.mjs [--port 8787] [--static dist]
//
// It must NOT be used by the real end-to-end tests (e2e/ runs against `storepos serve`).
// It also serves the built UI (dist/) so the page and /api share one origin.

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const PORT = Number(opt('port', process.env.FAKE_PORT ?? 8787));
const STATIC = resolve(opt('static', new URL('../dist', import.meta.url).pathname));

// ---- money in fen ----------------------------------------------------------------------
const fen = (s) => {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(String(s).trim());
  if (!m) throw bad('invalid_amount', '金额格式错误', 'Invalid amount');
  const v = Number(m[2]) * 100 + Number(((m[3] ?? '') + '00').slice(0, 2));
  return m[1] ? -v : v;
};
const str = (f) => `${f < 0 ? '-' : ''}${Math.floor(Math.abs(f) / 100)}.${String(Math.abs(f) % 100).padStart(2, '0')}`;

function bad(code, zh, en, status = 400) {
  const e = new Error(en);
  e.body = { code, message_zh: zh, message_en: en };
  e.status = status;
  return e;
}

// ---- data ------------------------------------------------------------------------------
const users = [
  { id: 1, username: 'wang', display_name: '王小明', role: 'cashier', pin: '1234' },
  { id: 2, username: 'li', display_name: '李娜', role: 'clerk', pin: '1234' },
  { id: 3, username: 'zhang', display_name: '张店长', role: 'manager', pin: '9999' },
];
const categories = [
  { id: 1, name: '饮料' },
  { id: 2, name: '茶饮' },
  { id: 3, name: '零食' },
  { id: 4, name: '熟食' },
];
const P = (id, name, category_id, price, barcode, pinyin, specs = [], station = null) => ({
  id, name, category_id, category_name: categories.find((c) => c.id === category_id).name, price, barcode,
  pinyin_initials: pinyin, specifications: specs, station,
});
const products = [
  P(1, '农夫山泉 550ml', 1, '2.00', '6921168509256', 'nfsq'),
  P(2, '可口可乐 330ml', 1, '3.50', '6928804011142', 'kkkl'),
  P(3, '元气森林 白桃味', 1, '5.50', '6970399920415', 'yqsl'),
  P(4, '东方树叶 茉莉花茶', 1, '5.00', '6921168558049', 'dfsy'),
  P(5, '珍珠奶茶', 2, '12.00', null, 'zznc', [{ id: 51, name: '中杯', price: '12.00' }, { id: 52, name: '大杯', price: '15.00' }], 'bar'),
  P(6, '杨枝甘露', 2, '18.00', null, 'yzgl', [{ id: 61, name: '中杯', price: '18.00' }, { id: 62, name: '大杯', price: '22.00' }], 'bar'),
  P(7, '柠檬茶', 2, '9.90', null, 'nmc', [], 'bar'),
  P(8, '乐事薯片 原味 75g', 3, '7.50', '6924743915763', 'lssp'),
  P(9, '旺旺雪饼 84g', 3, '6.80', '6920658211417', 'wwxb'),
  P(10, '德芙巧克力 43g', 3, '9.90', '6914973600089', 'dfqkl'),
  P(11, '卤鸡腿', 4, '8.00', null, 'ljt', [], 'kitchen'),
  P(12, '香辣鸭脖 200g', 4, '16.80', null, 'xlyb', [], 'kitchen'),
  P(13, '茶叶蛋', 4, '1.50', null, 'cyd', [], 'kitchen'),
  P(14, '关东煮套餐', 4, '15.00', null, 'gdzt', [], 'kitchen'),
];

const sessions = new Map();
const tillSeq = { n: 6 };
const orders = new Map();
const printJobs = [];
const printers = [
  { id: 'front', name: '前台小票机', paper: '80', state: 'ok', queued: 0 },
  { id: 'kitchen', name: '后厨出品', paper: '58', state: 'offline', queued: 2 },
];
let conflicts = [
  { client_ref: 'c-conf-1', local_number: 'T1-0003', message: '平台拒绝了取消操作', platform_message: 'order.status.transfer.error', created_at: new Date(Date.now() - 3600e3).toISOString() },
];
const afterSales = [];
const settings = { store_name: '示范店（人民路）', receipt_footer: '谢谢惠顾，欢迎再来', auto_accept_online: false, wechat_timeout_s: 120 };
const wechat = new Map();

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

function allowed(o) {
  if (o.channel === 'COUNTER') {
    if (o.status === 'CREATED_PAY_PENDING') return ['pay', 'cancel'];
    return [];
  }
  switch (o.status) {
    case 'PAID_CONFIRM_PENDING':
      return o.channel === 'FLASH' ? ['accept', 'reject'] : ['accept'];
    case 'CONFIRMED_PICK_PENDING':
      return o.checked_in ? ['complete'] : ['checkin', 'complete'];
    case 'CONFIRMED_DELIVER_PENDING':
      return ['delivering'];
    case 'DELIVERING':
    case 'DELIVERED_CONFIRM_PENDING':
      return ['complete'];
    default:
      return [];
  }
}
const view = (o, withLines = true) => {
  const { checked_in, lines, ...rest } = o;
  return { ...rest, allowed_actions: allowed(o), ...(withLines ? { lines } : {}) };
};

function makeLines(items) {
  return items.map((it, i) => {
    const p = products.find((x) => x.id === it.product_id);
    if (!p) throw bad('unknown_product', '商品不存在', 'Unknown product', 404);
    const spec = it.specification_id ? p.specifications.find((s) => s.id === it.specification_id) : null;
    const unit = spec ? spec.price : p.price;
    return {
      line_no: i + 1, product_id: p.id, specification_id: spec?.id ?? null,
      name: spec ? `${p.name}(${spec.name})` : p.name, category: p.category_name,
      unit_price: unit, quantity: it.quantity, line_total: str(fen(unit) * it.quantity), memo: it.memo ?? null,
    };
  });
}

function newOrder({ channel, items, status, contact_user = null, phone = null, remark = null, minutesAgo = 0, cashier = null, payment_method = null, order_number = null, sync_state = 'pending' }) {
  const lines = makeLines(items);
  const total = lines.reduce((a, l) => a + fen(l.line_total), 0);
  const client_ref = randomUUID();
  const o = {
    client_ref, local_number: `T1-${String(++tillSeq.n).padStart(4, '0')}`, business_day: today(),
    order_number, channel, order_type: channel === 'COUNTER' ? 'STORE_ORDER' : 'ORDER', status,
    payment_method, total: str(total), paid: null, change: null, remark, contact_user, phone, cashier,
    created_at: new Date(Date.now() - minutesAgo * 60e3).toISOString(), sync_state, conflict: null, lines,
  };
  orders.set(client_ref, o);
  return o;
}

// seed: a few counter sales and online orders
const onum = (n) => `2506${String(10000000 + n).padStart(8, '0')}${String(1000 + n)}`;
for (const [i, it] of [[1, [{ product_id: 1, quantity: 2 }, { product_id: 8, quantity: 1 }]], [2, [{ product_id: 5, specification_id: 52, quantity: 1 }]], [3, [{ product_id: 12, quantity: 1 }, { product_id: 13, quantity: 4 }]]]) {
  const o = newOrder({ channel: 'COUNTER', items: it, status: 'CLOSED_CONFIRMED', minutesAgo: 200 - i * 40, cashier: '王小明', payment_method: i === 2 ? 'WECHAT' : 'CASH', order_number: onum(i), sync_state: 'synced' });
  o.paid = o.total;
  o.change = '0.00';
}
newOrder({ channel: 'SELF_PICK', items: [{ product_id: 6, specification_id: 62, quantity: 2 }], status: 'PAID_CONFIRM_PENDING', contact_user: '陈女士', phone: '138****5678', minutesAgo: 3, payment_method: 'ONLINE', order_number: onum(11), sync_state: 'synced' });
newOrder({ channel: 'FLASH', items: [{ product_id: 14, quantity: 1, memo: '不要加辣椒' }, { product_id: 2, quantity: 2 }], status: 'PAID_CONFIRM_PENDING', contact_user: '刘先生', phone: '139****1122', remark: '放门口', minutesAgo: 1, payment_method: 'ONLINE', order_number: onum(12), sync_state: 'synced' });
newOrder({ channel: 'SELF_PICK', items: [{ product_id: 7, quantity: 3 }], status: 'CONFIRMED_PICK_PENDING', contact_user: '赵女士', phone: '137****0001', minutesAgo: 25, payment_method: 'ONLINE', order_number: onum(13), sync_state: 'synced' });
newOrder({ channel: 'FLASH', items: [{ product_id: 11, quantity: 2 }], status: 'CONFIRMED_DELIVER_PENDING', contact_user: '孙先生', phone: '136****8888', minutesAgo: 18, payment_method: 'ONLINE', order_number: onum(14), sync_state: 'pending' });
newOrder({ channel: 'FLASH', items: [{ product_id: 3, quantity: 6 }], status: 'DELIVERING', contact_user: '周女士', phone: '135****2468', minutesAgo: 40, payment_method: 'ONLINE', order_number: onum(15), sync_state: 'synced' });
newOrder({ channel: 'SELF_PICK', items: [{ product_id: 9, quantity: 1 }], status: 'CLOSED_CONFIRMED', contact_user: '吴先生', phone: '133****7777', minutesAgo: 90, payment_method: 'ONLINE', order_number: onum(16), sync_state: 'synced' });

function queuePrint(o, kind, printer_id = 'front') {
  const job = { id: printJobs.length + 1, printer_id, kind, client_ref: o.client_ref, state: 'queued', attempts: 0, last_error: null, created_at: new Date().toISOString() };
  printJobs.push(job);
  if (printer_id === 'front') {
    setTimeout(() => { job.state = 'printing'; job.attempts = 1; emit({ type: 'print_job', id: job.id }); }, 600);
    setTimeout(() => { job.state = 'printed'; emit({ type: 'print_job', id: job.id }); }, 1800);
  } else {
    job.state = 'failed';
    job.attempts = 3;
    job.last_error = '打印机离线 / printer offline';
  }
  return job;
}
queuePrint([...orders.values()][4], 'kitchen', 'kitchen');
queuePrint([...orders.values()][5], 'kitchen', 'kitchen');

// ---- SSE -------------------------------------------------------------------------------
const streams = new Set();
function emit(ev) {
  for (const res of streams) res.write(`data: ${JSON.stringify(ev)}\n\n`);
}

// ---- commands --------------------------------------------------------------------------
const publicCommands = new Set(['user_list', 'session_login']);
const cmds = {
  list_users: () => users.map(({ pin, ...u }) => u),
  login: ({ username, pin }) => {
    const u = users.find((x) => x.username === username);
    if (!u || u.pin !== pin) throw bad('wrong_pin', 'PIN 不正确', 'Wrong PIN', 401);
    const token = randomUUID();
    const { pin: _p, ...user } = u;
    sessions.set(token, user);
    return { token, user, till_code: 'T1' };
  },
  logout: (_, s) => { sessions.delete(s.token); return {}; },
  whoami: (_, s) => ({ user: s.user, till_code: 'T1' }),
  catalog_categories: () => categories,
  catalog_products: ({ category_id }) => products.filter((p) => category_id == null || p.category_id === category_id),
  catalog_search: ({ query, limit = 50 }) => {
    const q = String(query ?? '').trim().toLowerCase();
    if (!q) return [];
    return products.filter((p) => p.barcode === q || p.name.toLowerCase().includes(q) || p.pinyin_initials.startsWith(q)).slice(0, limit);
  },
  catalog_page: ({ q, category_id, offset = 0, limit = 60 }) => {
    const s = String(q ?? '').trim().toLowerCase();
    const hits = products.filter((p) => (category_id == null || p.category_id === category_id) && (!s || p.barcode === s || p.name.toLowerCase().includes(s) || p.pinyin_initials.startsWith(s)));
    return { items: hits.slice(offset, offset + limit), total: hits.length, has_more: offset + limit < hits.length };
  },
  catalog_by_barcode: ({ barcode }) => {
    const p = products.find((x) => x.barcode === String(barcode ?? '').trim());
    if (!p) throw bad('not_found', `未找到条码 ${barcode} 对应的商品`, `no product with barcode ${barcode}`, 404);
    return { product: p, specification_id: null };
  },
  sale_create: ({ lines, remark }, s) => {
    if (!Array.isArray(lines) || !lines.length) throw bad('empty_sale', '购物车为空', 'Empty sale');
    return view(newOrder({ channel: 'COUNTER', items: lines, status: 'CREATED_PAY_PENDING', remark: remark ?? null, cashier: s.user.display_name }));
  },
  cash_quick_tenders: ({ due }) => {
    const d = fen(due);
    const out = [d];
    for (const n of [1000, 2000, 5000, 10000]) if (n > d && out.length < 4 && !out.includes(n)) out.push(n);
    if (!out.includes(Math.ceil(d / 1000) * 1000) && out.length < 5) out.splice(1, 0, Math.ceil(d / 1000) * 1000);
    return [...new Set(out)].sort((a, b) => a - b).map(str);
  },
  sale_pay_cash: ({ client_ref, tendered }) => {
    const o = getOrder(client_ref);
    if (o.status !== 'CREATED_PAY_PENDING') throw bad('not_payable', '订单不可支付', 'Order cannot be paid', 409);
    const t = fen(tendered);
    const due = fen(o.total);
    if (t < due) throw bad('insufficient', '实收金额不足', 'Not enough tendered');
    Object.assign(o, { status: 'CLOSED_CONFIRMED', payment_method: 'CASH', paid: str(t), change: str(t - due) });
    queuePrint(o, 'receipt');
    emit({ type: 'order_changed', client_ref });
    return { order: view(o), change: o.change };
  },
  wechat_start: ({ client_ref }) => {
    const o = getOrder(client_ref);
    const expires = Date.now() + 90e3;
    wechat.set(client_ref, { expires, polls: 0 });
    return { code_url: `weixin://wxpay/bizpayurl?pr=${client_ref.slice(0, 8)}`, qr_svg: fakeQr(client_ref), expires_at: new Date(expires).toISOString(), total: o.total };
  },
  wechat_status: ({ client_ref }) => {
    const w = wechat.get(client_ref);
    if (!w) return { state: 'failed', message: 'no QR' };
    if (Date.now() > w.expires) return { state: 'expired' };
    w.polls++;
    if (process.env.FAKE_WECHAT_PAY_AFTER && w.polls >= Number(process.env.FAKE_WECHAT_PAY_AFTER)) {
      const o = getOrder(client_ref);
      Object.assign(o, { status: 'CLOSED_CONFIRMED', payment_method: 'WECHAT', paid: o.total, change: '0.00' });
      queuePrint(o, 'receipt');
      return { state: 'paid', order: view(o) };
    }
    return { state: 'waiting' };
  },
  wechat_cancel: ({ client_ref }) => { wechat.delete(client_ref); return {}; },
  order_cancel: ({ client_ref }) => {
    const o = getOrder(client_ref);
    if (!allowed(o).includes('cancel')) throw bad('not_allowed', '当前状态不能取消', 'Cannot cancel in this state', 409);
    o.status = 'CLOSED_CANCELED';
    return view(o);
  },
  order_reprint: ({ client_ref, kind }) => { queuePrint(getOrder(client_ref), kind); return {}; },
  orders_list: ({ day, statuses, channel, text, limit = 50, offset = 0 }) => {
    let list = [...orders.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
    if (day) list = list.filter((o) => o.business_day === day);
    if (statuses?.length) list = list.filter((o) => statuses.includes(o.status));
    if (channel) list = list.filter((o) => o.channel === channel);
    if (text) list = list.filter((o) => [o.local_number, o.order_number, o.phone, o.contact_user].some((v) => v && v.includes(text)));
    return { orders: list.slice(offset, offset + limit).map((o) => view(o, false)), total: list.length };
  },
  order_get: ({ client_ref }) => view(getOrder(client_ref)),
  order_action: ({ client_ref, action }) => {
    const o = getOrder(client_ref);
    if (!allowed(o).includes(action)) throw bad('not_allowed', '当前状态不允许此操作', 'Action not allowed in this state', 409);
    const next = {
      accept: o.channel === 'FLASH' ? 'CONFIRMED_DELIVER_PENDING' : 'CONFIRMED_PICK_PENDING',
      reject: 'CLOSED_CANCELED', delivering: 'DELIVERING', complete: 'CLOSED_CONFIRMED',
    }[action];
    o.status = next;
    o.sync_state = 'pending';
    if (action === 'accept' && o.channel === 'FLASH') queuePrint(o, 'kitchen', 'kitchen');
    return view(o);
  },
  order_checkin: ({ client_ref }) => {
    const o = getOrder(client_ref);
    if (!allowed(o).includes('checkin')) throw bad('not_allowed', '当前状态不能签到', 'Cannot check in now', 409);
    o.checked_in = true;
    queuePrint(o, 'kitchen');
    return view(o);
  },
  after_sales_quote: (req) => quote(req),
  after_sales_create: (req) => {
    const q = quote(req);
    const service = { client_ref: randomUUID(), service_number: null, status: 'CREATED' };
    afterSales.push({ ...service, service_type: req.service_type, order_client_ref: req.client_ref, order_local_number: getOrder(req.client_ref).local_number, reason: req.reason, refund_fee: q.refund_fee, supplementary_fee: q.supplementary_fee, created_at: new Date().toISOString() });
    return { ...q, service };
  },
  after_sales_list: () => afterSales,
  counts: () => {
    const all = [...orders.values()].filter((o) => o.channel !== 'COUNTER' || o.status !== 'CREATED_PAY_PENDING');
    const c = (st) => all.filter((o) => st.includes(o.status)).length;
    const documented = {
      totalPrice: str(all.reduce((a, o) => a + fen(o.total), 0)), total: all.length,
      handlePending: c(['PAID_CONFIRM_PENDING']), pickPending: c(['CONFIRMED_PICK_PENDING']), deliverPending: c(['CONFIRMED_DELIVER_PENDING']),
      delivering: c(['DELIVERING']), closed: c(['CLOSED_CONFIRMED']), cancled: c(['CLOSED_CANCELED']),
    };
    return { documented, field: { ...documented, delivering: c(['DELIVERING', 'DELIVERED_CONFIRM_PENDING']), total: documented.total - 1 } };
  },
  sync_status: () => ({ online: process.env.FAKE_OFFLINE ? false : true, last_success_at: new Date(Date.now() - 12e3).toISOString(), outbox_depth: [...orders.values()].filter((o) => o.sync_state === 'pending').length, oldest_pending_age_s: 42, conflicts: conflicts.length, last_error: null }),
  conflicts_list: () => conflicts,
  conflict_resolve: ({ client_ref }) => { conflicts = conflicts.filter((c) => c.client_ref !== client_ref); return {}; },
  print_jobs: ({ state }) => printJobs.filter((j) => !state || j.state === state).slice().reverse(),
  printers_list: () => printers.map((p) => ({ ...p, queued: printJobs.filter((j) => j.printer_id === p.id && j.state !== 'printed').length })),
  print_job_retry: ({ id }) => { const j = printJobs.find((x) => x.id === id); if (j) { j.state = 'queued'; } return {}; },
  print_job_move: ({ id, printer_id }) => { const j = printJobs.find((x) => x.id === id); if (j) { j.printer_id = printer_id; j.state = 'printed'; } return {}; },
  stats_day: ({ day }) => statsDay(day),
  shift_open: () => ({}),
  shift_cash_move: () => ({}),
  shift_close: ({ counted, manager_pin }) => {
    if (manager_pin !== '9999') throw bad('wrong_pin', '店长 PIN 不正确', 'Wrong manager PIN', 403);
    const c = Object.entries(counted).reduce((a, [d, n]) => a + fen(d) * n, 0);
    return { shift_id: 12, opened_at: new Date(Date.now() - 8 * 3600e3).toISOString(), closed_at: new Date().toISOString(), float: '200.00', cash_sales: '468.50', cash_refunds: '12.00', cash_moves: '-50.00', expected: '606.50', counted: str(c), difference: str(c - 60650), orders: 37 };
  },
  users_create: (u) => { users.push({ id: users.length + 1, ...u }); return {}; },
  users_set_pin: ({ user_id, pin }) => { const u = users.find((x) => x.id === user_id); if (u) u.pin = pin; return {}; },
  settings_get: () => settings,
  settings_set: ({ key, value }) => { settings[key] = value; return {}; },
  lan_status: () => ({ enabled: true, token: 'K7Q2-M9XD-4HPA', url: 'http://192.168.1.20:8787/?lan_token=K7Q2-M9XD-4HPA' }),
};

function getOrder(ref) {
  const o = orders.get(ref);
  if (!o) throw bad('order_not_found', '订单不存在', 'Order not found', 404);
  return o;
}

function quote({ client_ref, service_type, returns = [], exchanges = [] }) {
  const o = getOrder(client_ref);
  const r = returns.map(({ line_no, quantity }) => {
    const l = o.lines.find((x) => x.line_no === line_no);
    if (!l) throw bad('bad_line', '明细不存在', 'No such line');
    const q = Math.min(quantity, l.quantity);
    return { line_no, name: l.name, quantity: q, amount: str(fen(l.unit_price) * q) };
  });
  const x = service_type === 'EXCHANGE' ? exchanges.map(({ product_id, specification_id, quantity }) => {
    const [line] = makeLines([{ product_id, specification_id, quantity }]);
    return { product_id, name: line.name, quantity, amount: line.line_total };
  }) : [];
  const rv = r.reduce((a, l) => a + fen(l.amount), 0);
  const xv = x.reduce((a, l) => a + fen(l.amount), 0);
  return { refund_fee: rv > xv ? str(rv - xv) : null, supplementary_fee: xv > rv ? str(xv - rv) : null, returns: r, exchanges: x };
}

function statsDay(day = today()) {
  const hourly = [0, 0, 0, 0, 0, 0, 0, 12, 86, 145, 98, 120, 260, 198, 76, 64, 88, 132, 240, 175, 96, 40, 0, 0];
  const byHour = hourly.map((yuan, hour) => ({ hour, count: Math.round(yuan / 18), amount: str(yuan * 100 + (hour % 3) * 50) }));
  const gross = byHour.reduce((a, h) => a + fen(h.amount), 0);
  return {
    day, gross: str(gross), refunds: '36.00', supplements: '8.00', net: str(gross - 3600 + 800), order_count: 103,
    average_ticket: str(Math.round(gross / 103)),
    by_status: { CLOSED_CONFIRMED: 96, CLOSED_CANCELED: 4, PAID_CONFIRM_PENDING: 2, DELIVERING: 1 },
    by_channel: { COUNTER: { count: 81, amount: '1820.50' }, SELF_PICK: { count: 13, amount: '402.00' }, FLASH: { count: 9, amount: '288.00' } },
    payment_mix: [
      { method: 'CASH', count: 38, amount: str(Math.round(gross * 0.3)) },
      { method: 'WECHAT', count: 43, amount: str(Math.round(gross * 0.48)) },
      { method: 'ONLINE', count: 22, amount: str(gross - Math.round(gross * 0.3) - Math.round(gross * 0.48)) },
    ],
    by_hour: byHour,
    top_products_qty: [
      { product_id: 1, name: '农夫山泉 550ml', quantity: 64, amount: '128.00' },
      { product_id: 13, name: '茶叶蛋', quantity: 41, amount: '61.50' },
      { product_id: 5, name: '珍珠奶茶', quantity: 33, amount: '429.00' },
      { product_id: 2, name: '可口可乐 330ml', quantity: 29, amount: '101.50' },
      { product_id: 8, name: '乐事薯片 原味 75g', quantity: 17, amount: '127.50' },
    ],
    top_products_amount: [
      { product_id: 5, name: '珍珠奶茶', quantity: 33, amount: '429.00' },
      { product_id: 6, name: '杨枝甘露', quantity: 15, amount: '306.00' },
      { product_id: 14, name: '关东煮套餐', quantity: 12, amount: '180.00' },
      { product_id: 1, name: '农夫山泉 550ml', quantity: 64, amount: '128.00' },
    ],
    by_category: [
      { name: '茶饮', quantity: 61, amount: '882.00' },
      { name: '饮料', quantity: 120, amount: '402.50' },
      { name: '熟食', quantity: 70, amount: '405.80' },
      { name: '零食', quantity: 33, amount: '268.10' },
    ],
    by_cashier: [{ name: '王小明', count: 58, amount: '1102.40' }, { name: '李娜', count: 23, amount: '402.00' }],
    cancelled: { count: 4, amount: '38.00' }, rejected: { count: 1, amount: '12.00' },
  };
}

/** A QR-looking SVG (not a real QR code). */
function fakeQr(seed) {
  const n = 29;
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const rnd = () => ((h = (h * 1103515245 + 12345) >>> 0) >>> 16) & 1;
  let rects = '';
  const finder = (x, y) => { rects += `<rect x="${x}" y="${y}" width="7" height="7"/><rect x="${x + 1}" y="${y + 1}" width="5" height="5" fill="#fff"/><rect x="${x + 2}" y="${y + 2}" width="3" height="3"/>`; };
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    const inFinder = (x < 8 && y < 8) || (x > n - 9 && y < 8) || (x < 8 && y > n - 9);
    if (!inFinder && rnd()) rects += `<rect x="${x}" y="${y}" width="1" height="1"/>`;
  }
  finder(0, 0); finder(n - 7, 0); finder(0, n - 7);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 ${n + 4} ${n + 4}" shape-rendering="crispEdges"><rect x="-2" y="-2" width="${n + 4}" height="${n + 4}" fill="#fff"/>${rects}</svg>`;
}

// ---- server ----------------------------------------------------------------------------
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json' };

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/api/events') {
    const token = url.searchParams.get('session');
    if (!sessions.has(token)) return send(res, 401, { ok: false, error: { code: 'unauthenticated', message_zh: '请先登录', message_en: 'Log in first' } });
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(': hello\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
    return;
  }
  if (url.pathname.startsWith('/api/')) {
    const command = decodeURIComponent(url.pathname.slice(5));
    if (req.method !== 'POST') return send(res, 405, { ok: false, error: { code: 'method', message_zh: '仅支持 POST', message_en: 'POST only' } });
    let body = '';
    for await (const chunk of req) body += chunk;
    try {
      const fn = cmds[command];
      if (!fn) throw bad('unknown_command', `未知命令 ${command}`, `Unknown command ${command}`, 404);
      const token = req.headers['x-storepos-session'];
      const user = sessions.get(token);
      if (!publicCommands.has(command) && !user) throw bad('unauthenticated', '登录已失效', 'Not logged in', 401);
      const data = await fn(body ? JSON.parse(body) : {}, { token, user });
      return send(res, 200, { ok: true, data: data ?? {} });
    } catch (e) {
      if (e.body) return send(res, e.status ?? 400, { ok: false, error: e.body });
      console.error(e);
      return send(res, 500, { ok: false, error: { code: 'internal', message_zh: '内部错误', message_en: 'Internal error' } });
    }
  }
  // static files from dist/
  let path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
  if (path === '/' || path === '') path = '/index.html';
  const file = join(STATIC, path);
  if (!file.startsWith(STATIC)) return send(res, 403, {});
  try {
    const data = await readFile(file);
    res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(data);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  }
});

// Every 45 s a new online order arrives (so the clerk board's sound/highlight can be seen).
if (!process.env.FAKE_NO_ARRIVALS) {
  setInterval(() => {
    const o = newOrder({ channel: Math.random() < 0.5 ? 'SELF_PICK' : 'FLASH', items: [{ product_id: 1 + Math.floor(Math.random() * 14), quantity: 1 }], status: 'PAID_CONFIRM_PENDING', contact_user: '新顾客', phone: '130****0000', payment_method: 'ONLINE', order_number: onum(100 + tillSeq.n) });
    emit({ type: 'online_order', client_ref: o.client_ref });
  }, Number(process.env.FAKE_ARRIVAL_MS ?? 45000)).unref();
}

server.listen(PORT, '127.0.0.1', () => console.log(`fake backend (dev only) on http://127.0.0.1:${PORT}  static=${STATIC}`));
export { server, cmds, emit, orders };
