#!/usr/bin/env python3
"""Desktop smoke test: drives the real Tauri window (storepos-desktop) through
tauri-driver's W3C WebDriver endpoint with nothing but the standard library.

Log in as the cashier (tile `cashier`, PIN 1111), ring up and pay cash for a few sales,
find them in today's orders, take screenshots, and print two figures:
  * first paint: process start (session request) → login screen with user tiles present;
  * resident memory: RSS summed over the app and its WebKit child processes.

With SMOKE_MEM_AT (e.g. "100,1000", scripts/desktop-mem.sh) the same window goes on
selling after those first sales, each sale still through the real UI (tap a product
tile, 现金, type the exact amount, 确认收款, 下一单) but scripted inside the page, a batch
of sales per WebDriver round trip; at each listed sale count it waits SMOKE_MEM_SETTLE s
and prints one `desktop memory at N sales:` line (PSS of the shell and of each WebKit
process, and what the page holds: DOM nodes, toasts, IPC callbacks, listeners).

Run it through tests/desktop/smoke.sh (Xvfb, tauri-driver, timeouts).
"""
import base64
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

DRIVER = os.environ.get("WEBDRIVER_URL", "http://127.0.0.1:4444")
APP = os.environ["STOREPOS_DESKTOP_BIN"]
DRIVER_PID = int(os.environ["TAURI_DRIVER_PID"])
SALES = int(os.environ.get("SMOKE_SALES", "3"))
MEM_AT = sorted({int(x) for x in os.environ.get("SMOKE_MEM_AT", "").replace(" ", "").split(",") if x})
MEM_SETTLE = float(os.environ.get("SMOKE_MEM_SETTLE", "5"))
# page figures every PROBE_EVERY sales while selling for SMOKE_MEM_AT (0: only at the marks)
PROBE_EVERY = int(os.environ.get("SMOKE_MEM_PROBE_EVERY", "100"))
SHOT_DIR = os.environ.get("SMOKE_SHOT_DIR", "/tmp")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class WebDriverError(Exception):
    pass


# Checks that passed, one line each ("  check ok: ..."); the last line is always the
# summary "desktop smoke: N passed, M failed", which scripts/test.sh counts.
PASSED = []


def check_ok(what):
    PASSED.append(what)
    print(f"  check ok: {what}")


def req(method, path, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    # tauri-driver forwards over pooled connections that WebKitWebDriver may have closed;
    # it then drops ours without an answer (its log: "client error (SendRequest)") and
    # the command never reached the browser, so sending it again is safe.
    for attempt in range(4):
        r = urllib.request.Request(DRIVER + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(r, timeout=timeout) as resp:
                return json.loads(resp.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise WebDriverError(f"{method} {path}: HTTP {e.code} {e.read()[:500]!r}") from None
        except (http.client.RemoteDisconnected, ConnectionResetError) as e:
            if attempt == 3:
                raise WebDriverError(f"{method} {path}: {e!r}") from None
            time.sleep(0.2)


class Session:
    def __init__(self, sid):
        self.sid = sid

    def _p(self, path):
        return f"/session/{self.sid}{path}"

    def find_all(self, css):
        return [e[ELEMENT] for e in req("POST", self._p("/elements"), {"using": "css selector", "value": css})]

    def wait(self, css, timeout=20.0, what=None):
        deadline = time.monotonic() + timeout
        while True:
            found = self.find_all(css)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                self.screenshot("smoke-failure")
                raise WebDriverError(f"timed out waiting for {what or css}")
            time.sleep(0.05)

    def click(self, css, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            el = self.wait(css, timeout)
            try:
                req("POST", self._p(f"/element/{el}/click"), {})
                return
            except WebDriverError as e:
                # re-rendered under us or still disabled: retry until the deadline
                if time.monotonic() > deadline:
                    raise e
                time.sleep(0.1)

    def text(self, css):
        return req("GET", self._p(f"/element/{self.wait(css)}/text"))

    def js(self, script, *args):
        return req("POST", self._p("/execute/sync"), {"script": script, "args": list(args)})

    def js_async(self, script, *args, timeout=30):
        return req("POST", self._p("/execute/async"), {"script": script, "args": list(args)}, timeout=timeout)

    def screenshot(self, name):
        try:
            png = base64.b64decode(req("GET", self._p("/screenshot")))
            path = os.path.join(SHOT_DIR, f"{name}.png")
            with open(path, "wb") as f:
                f.write(png)
            return path
        except Exception as e:  # a screenshot must not hide the real failure
            print(f"  (webdriver screenshot failed: {e})")

    def close(self):
        try:
            req("DELETE", f"/session/{self.sid}", timeout=20)
        except Exception as e:
            print(f"  (closing the session: {e})")


def process_tree(root):
    """pid → (ppid, rss KiB, comm) for root and all its descendants."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss=,comm="], capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4:
            rows[int(parts[0])] = (int(parts[1]), int(parts[2]), parts[3])
    keep, frontier = {}, [root]
    while frontier:
        p = frontier.pop()
        for pid, (ppid, rss, comm) in rows.items():
            if ppid == p and pid not in keep:
                keep[pid] = (ppid, rss, comm)
                frontier.append(pid)
    return keep


def app_rss():
    """RSS of storepos-desktop and the WebKit processes it started (not the drivers)."""
    tree = process_tree(DRIVER_PID)
    app = [pid for pid, (_, _, comm) in tree.items() if comm.startswith("storepos-deskto")]
    if not app:
        return None, 0, []
    mine = {app[0]: tree[app[0]]}
    frontier = [app[0]]
    while frontier:
        p = frontier.pop()
        for pid, row in tree.items():
            if row[0] == p and pid not in mine:
                mine[pid] = row
                frontier.append(pid)
    pss = 0
    for pid in mine:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                pss += next(int(l.split()[1]) for l in f if l.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            pass
    parts = sorted(f"{r[2]}={r[1] // 1024}MB" for r in mine.values())
    return sum(r[1] for r in mine.values()), pss, parts


IPC_CHECK = r"""
const done = arguments[arguments.length - 1];
const I = window.__TAURI_INTERNALS__;
const out = {};
const timer = setTimeout(() => done(Object.assign(out, { timeout: true })), 15000);
(async () => {
  try {
    let resolveEvent;
    const got = new Promise((r) => (resolveEvent = r));
    const cb = I.transformCallback((e) => resolveEvent(e && e.payload));
    await I.invoke('plugin:event|listen', { event: 'storepos://event', target: { kind: 'Any' }, handler: cb });
    const login = await I.invoke('call', { command: 'session_login', session: null, request: { username: 'cashier', pin: '1111' } });
    const products = await I.invoke('call', { command: 'catalog_product_list', session: login.token, request: {} });
    const order = await I.invoke('call', { command: 'sale_create', session: login.token, request: { lines: [{ product_id: products[0].id, quantity: 1 }] } });
    const ev = await got;
    out.event = ev && ev.type;
    out.same_order = !!ev && ev.client_ref === order.client_ref;
    try { await I.invoke('call', { command: 'no_such_command', session: login.token, request: {} }); } catch (e) { out.typed_error = e && e.code; }
    try { await I.invoke('plugin:fs|read_text_file', { path: '/etc/hostname' }); out.fs_denied = false; } catch (e) { out.fs_denied = true; }
  } catch (e) {
    out.error = String(e && (e.message || JSON.stringify(e)));
  }
  clearTimeout(timer);
  done(out);
})();
"""


# Ends the window's session the way a store would: the manager, from elsewhere, changes the
# cashier's PIN (the backend signs that user out everywhere). Real IPC, real ledger.
END_CASHIER_SESSION = r"""
const done = arguments[arguments.length - 1];
const I = window.__TAURI_INTERNALS__;
(async () => {
  try {
    const m = await I.invoke('call', { command: 'session_login', session: null, request: { username: 'manager', pin: '9999' } });
    const users = await I.invoke('call', { command: 'user_list', session: null, request: {} });
    const cashier = users.find((u) => u.username === 'cashier');
    await I.invoke('call', { command: 'user_pin_set', session: m.token, request: { user_id: cashier.id, pin: '1111' } });
    await I.invoke('call', { command: 'session_logout', session: m.token, request: {} });
    done('ended');
  } catch (e) {
    done('error: ' + String(e && (e.message || JSON.stringify(e))));
  }
})();
"""


# `count` sales through the real UI, inside the page (one WebDriver round trip for the
# batch): the same clicks and typing as one_sale, as DOM events. Answers the dues, or
# {error, at, dues} where it stopped.
SALES_IN_PAGE = r"""
const [count] = arguments;
const done = arguments[arguments.length - 1];
const q = (css) => document.querySelector(css);
const until = (pred, what, ms = 20000) => new Promise((resolve, reject) => {
  const t0 = Date.now();
  const tick = () => {
    let v = null;
    try { v = pred(); } catch (e) { /* re-rendering */ }
    if (v) return resolve(v);
    if (Date.now() - t0 > ms) return reject(new Error('timed out waiting for ' + what));
    setTimeout(tick, 4);
  };
  tick();
});
const setValue = (el, text) => {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, text);
  el.dispatchEvent(new Event('input', { bubbles: true }));
};
const dues = [];
(async () => {
  for (let i = 0; i < count; i++) {
    // one of the first few tiles in turn (no product sells out over a day)
    const tiles = await until(() => {
      // tiles without specifications (one tap, one line)
      const all = [...document.querySelectorAll('.product-grid button.product:not([disabled])')].filter((b) => !b.querySelector('.product-specs'));
      return all.length ? all : null;
    }, 'a product tile');
    tiles[i % Math.min(tiles.length, 6)].click();
    (await until(() => q('[data-testid="pay-cash"]:not([disabled])'), 'the cash button')).click();
    const due = (await until(() => q('[data-testid="cash-modal"] [data-testid="cash-due"]'), 'the cash dialog')).textContent;
    dues.push(due);
    setValue(await until(() => q('[data-testid="cash-tendered"]'), 'the tendered field'), due.replace(/[^0-9.]/g, ''));
    (await until(() => q('[data-testid="cash-submit"]:not([disabled])'), 'the enabled submit button')).click();
    await until(() => {
      const open = q('[data-testid="shift-open-submit"]:not([disabled])');
      if (open) open.click(); // money only in an open shift: the first sale opens one
      return q('[data-testid="paid-modal"]');
    }, 'the paid dialog');
    (await until(() => q('[data-testid="next-sale"]'), 'the next-sale button')).click();
    await until(() => !q('[data-testid="paid-modal"]') && !q('[data-testid="cash-modal"]'), 'the cart again');
  }
})().then(() => done({ dues }), (e) => done({ error: String(e && e.message || e), at: dues.length, dues }));
"""

# What the page holds (WebKit has no performance.memory; counted instead).
PAGE_PROBE = r"""
const I = window.__TAURI_INTERNALS__ || {};
const out = {
  dom: document.getElementsByTagName('*').length,
  toasts: document.querySelectorAll('.toast').length,
  modals: document.querySelectorAll('.modal, [role="dialog"]').length,
  ipc_callbacks: I.callbacks ? I.callbacks.size : null,
  storage: (() => { try { return JSON.stringify(localStorage).length + JSON.stringify(sessionStorage).length; } catch (e) { return null; } })(),
  imgs: document.images.length,
};
if (performance.memory) out.js_heap_mb = Math.round(performance.memory.usedJSHeapSize / 1048576);
if (window.__storeposProbe) Object.assign(out, window.__storeposProbe());
return out;
"""


def tree_pss():
    """(total PSS KiB, "comm N MB; ..." per process) of the app and its WebKit children."""
    tree = process_tree(DRIVER_PID)
    app = [pid for pid, (_, _, comm) in tree.items() if comm.startswith("storepos-deskto")]
    if not app:
        return 0, "app process not found"
    mine, frontier = [app[0]], [app[0]]
    while frontier:
        p = frontier.pop()
        for pid, row in tree.items():
            if row[0] == p and pid not in mine:
                mine.append(pid)
                frontier.append(pid)
    total, parts = 0, []
    for pid in mine:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                pss = next(int(l.split()[1]) for l in f if l.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            continue
        total += pss
        parts.append(f"{tree[pid][2]} {pss / 1024:.0f} MB")
    return total, "; ".join(parts)


def sell_in_page(s, count):
    done = []
    while len(done) < count:
        batch = min(25, count - len(done))
        r = s.js_async(SALES_IN_PAGE, batch, timeout=batch * 20 + 30)
        if not isinstance(r, dict) or "error" in (r or {}):
            s.screenshot("smoke-failure")
            raise WebDriverError(f"in-page sales stopped after {len(done) + (r or {}).get('at', 0)} more: {r}")
        done.extend(r["dues"])
    return done


def sell_with_memory_marks(s, sold):
    """Goes on selling until the last SMOKE_MEM_AT mark; measures at each."""
    t0 = time.monotonic()
    for mark in MEM_AT:
        while sold < mark:
            step = mark - sold
            if PROBE_EVERY:
                step = min(step, PROBE_EVERY - sold % PROBE_EVERY)
            sell_in_page(s, step)
            sold += step
            if PROBE_EVERY and sold % PROBE_EVERY == 0 and sold != mark:
                pss, _ = tree_pss()
                print(f"  at {sold} sales ({time.monotonic() - t0:.0f} s): PSS {pss / 1024:.0f} MB, page {s.js(PAGE_PROBE)}", flush=True)
        time.sleep(MEM_SETTLE)
        pss, parts = tree_pss()
        print(f"desktop memory at {sold} sales: PSS {pss / 1024:.0f} MB ({parts}); page {s.js(PAGE_PROBE)}", flush=True)
    print(f"  {sold} sales in all, the in-page ones at {(time.monotonic() - t0) / max(1, sold - SALES) * 1000:.0f} ms each (with the pauses to measure)")
    return sold


def one_sale(s, n):
    s.click(".product-grid .product:not([disabled])")
    s.click('[data-testid="pay-cash"]:not([disabled])')
    s.wait('[data-testid="cash-modal"]')
    due = s.text('[data-testid="cash-due"]')
    # exact tender: type the due amount (digits and the dot only, as the field keeps)
    amount = "".join(c for c in due if c.isdigit() or c == ".")
    el = s.wait('[data-testid="cash-tendered"]')
    req("POST", s._p(f"/element/{el}/clear"), {})
    req("POST", s._p(f"/element/{el}/value"), {"text": amount})
    s.click('[data-testid="cash-submit"]:not([disabled])')
    # Money is taken only in an open shift: the first sale offers to open one (float 0).
    deadline = time.monotonic() + 20
    while not s.find_all('[data-testid="paid-modal"]'):
        if s.find_all('[data-testid="shift-open-dialog"]'):
            s.click('[data-testid="shift-open-submit"]:not([disabled])')
            time.sleep(0.2)
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    s.wait('[data-testid="paid-modal"]', what=f"paid dialog after sale {n}")
    s.click('[data-testid="next-sale"]')
    deadline = time.monotonic() + 10
    while s.find_all('[data-testid="paid-modal"]'):
        if time.monotonic() > deadline:
            raise WebDriverError("paid dialog did not close")
        time.sleep(0.05)
    return due


def main():
    caps = {"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": APP}}}}
    # tauri-driver may accept before its WebKitWebDriver listens: retry briefly.
    deadline = time.monotonic() + 20
    while True:
        t0 = time.monotonic()
        try:
            sid = req("POST", "/session", caps, timeout=90)["sessionId"]
            break
        except (WebDriverError, OSError) as e:
            if time.monotonic() > deadline:
                raise WebDriverError(f"no WebDriver session: {e}")
            time.sleep(0.3)
    t_session = time.monotonic() - t0
    s = Session(sid)
    # in-page batches of sales run longer than WebDriver's default 30 s script timeout
    req("POST", s._p("/timeouts"), {"script": 600_000})
    try:
        s.wait('[data-testid="login"] .user-tile', timeout=60, what="login screen with user tiles")
        first_paint = time.monotonic() - t0
        print(f"desktop first paint: {first_paint * 1000:.0f} ms (process start → login screen with user tiles; session up after {t_session * 1000:.0f} ms)")
        title = req("GET", s._p("/title"))
        print(f"  window title: {title!r}")
        s.screenshot("desktop-login")
        check_ok("window shows the login screen with user tiles")

        s.click('.user-tile[data-username="cashier"]')
        for d in "1111":
            s.click(f'[data-digit="{d}"]')
        s.click('[data-testid="pin-submit"]:not([disabled])')
        s.wait('[data-testid="cashier"]', what="cashier screen after login")
        s.wait(".product-grid .product", what="product tiles")
        check_ok("logged in as cashier")

        dues = [one_sale(s, i + 1) for i in range(SALES)]
        check_ok(f"sold {SALES} item(s) for cash: {', '.join(dues)}")
        sold = SALES
        if MEM_AT:
            sold = sell_with_memory_marks(s, sold)
            check_ok(f"sold {sold} sales in all in one window")

        s.click('[data-nav="orders"]')
        s.wait('[data-testid="orders"]')
        deadline = time.monotonic() + 20
        while True:
            rows = s.find_all(".orders-table tbody tr")
            if len(rows) >= min(sold, 200):  # the list shows the newest 200
                break
            if time.monotonic() > deadline:
                raise WebDriverError(f"today's orders show {len(rows)} rows, expected {min(sold, 200)}")
            time.sleep(0.1)
        check_ok(f"today's orders list {len(rows)} order(s)")
        time.sleep(0.5)
        s.screenshot("desktop-orders")
        display = os.environ.get("DISPLAY")
        if display:
            subprocess.run(["/usr/bin/import", "-window", "root", os.path.join(SHOT_DIR, "desktop-shot.png")], check=False, timeout=30)
            print(f"  screenshot: {os.path.join(SHOT_DIR, 'desktop-shot.png')} (X root window on {display})")

        # The IPC surface itself: events arrive as storepos://event, and nothing beyond
        # the app's `call` and event listening is allowed (capabilities/default.json).
        ipc = s.js_async(IPC_CHECK)
        print(f"  IPC: {ipc}")
        if not (isinstance(ipc, dict) and ipc.get("event") == "order_changed" and ipc.get("typed_error") == "unknown_command" and ipc.get("fs_denied")):
            raise WebDriverError(f"IPC check failed: {ipc}")
        check_ok("IPC: events arrive, unknown commands are typed errors, fs is denied")

        # A session that ends while the till is open must bring the window back to the
        # login screen: the Tauri transport has no HTTP 401, the error code says it.
        s.click('[data-nav="cashier"]')
        s.wait(".product-grid .product", what="product tiles before the session ends")
        ended = s.js_async(END_CASHIER_SESSION)
        if ended != "ended":
            raise WebDriverError(f"could not end the cashier's session: {ended}")
        s.click('[data-nav="orders"]')  # the next call the window makes is refused
        s.wait('[data-testid="login"] .user-tile', timeout=20, what="login screen after the session ended")
        s.screenshot("desktop-session-ended")
        check_ok("a session ended elsewhere returns the window to the login screen")

        rss, pss, parts = app_rss()
        if rss is not None:
            print(f"desktop RSS after {sold} sales: {rss / 1024:.0f} MB, PSS {pss / 1024:.0f} MB ({'; '.join(parts)})")
        else:
            print("desktop RSS: app process not found under tauri-driver")
        print("desktop smoke: ok")
    finally:
        s.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # any failure is one failed check, counted below
        print(f"desktop smoke: FAILED: {e}", file=sys.stderr)
        print(f"desktop smoke: {len(PASSED)} passed, 1 failed")
        sys.exit(1)
    print(f"desktop smoke: {len(PASSED)} passed, 0 failed")
