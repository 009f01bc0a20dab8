// storepos service worker: keeps the app shell (the page, its scripts, styles, icons) so
// an installed iPad opens even while the till is unreachable, and then says so. It never
// stores or answers anything under /api/ (sales, orders, sessions) nor /lan/: those always
// go to the till, so nothing is ever sold from a stale copy.
// The build's hashed scripts, styles and the barcode reader's .wasm (camera scanning): the
// build writes the list and its tag here (ui/vite.config.ts, swPrecache), so the iPad has
// all of them the first time it installs, not only those it happened to load.
const BUILD_ASSETS = [];
const BUILD = 'dev';
const CACHE = `storepos-shell-v2-${BUILD}`;
const SHELL = ['/', '/manifest.webmanifest', '/favicon.svg', '/icon-192.png', '/icon-512.png', '/icon-180.png', ...BUILD_ASSETS];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function isShell(url) {
  return url.origin === self.location.origin && !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/lan/');
}

// Network first (a new build is picked up at once); the cached copy only when the till
// does not answer. Navigations fall back to the cached page.
self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (!isShell(url)) return; // the browser goes to the till itself
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok && res.type === 'basic') {
          const copy = res.clone();
          void caches.open(CACHE).then((c) => c.put(req.mode === 'navigate' ? '/' : req, copy));
        }
        return res;
      })
      .catch(async () => {
        const hit = await caches.match(req.mode === 'navigate' ? '/' : req);
        return hit ?? Response.error();
      }),
  );
});
