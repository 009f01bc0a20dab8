/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';

// The built index.html carries a strict Content-Security-Policy (no inline scripts or
// styles, no eval, no remote anything). `data:` images are needed for the WeChat QR code;
// `ipc:` / `http://ipc.localhost` are Tauri 2's IPC endpoints. `'wasm-unsafe-eval'` lets the
// page compile WebAssembly (the bundled barcode reader, src/camera-scan.ts) and nothing else:
// no eval, no inline script. The same policy is in tauri.conf.json and the server's guard.rs.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ipc: http://ipc.localhost",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function cspMeta(): Plugin {
  return {
    name: 'storepos-csp-meta',
    apply: 'build',
    transformIndexHtml(html) {
      return html.replace(
        '<meta charset="UTF-8" />',
        `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`,
      );
    },
  };
}

// The service worker (public/sw.js) precaches the whole build: the page's scripts and styles
// and the barcode reader's .wasm have hashed names, so the list is written into the copy of
// sw.js in dist/ (and names the cache after the build, so an old shell is dropped).
function swPrecache(): Plugin {
  let assets: string[] = [];
  let outDir = 'dist';
  return {
    name: 'storepos-sw-precache',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir;
    },
    generateBundle(_opts, bundle) {
      assets = Object.keys(bundle)
        .filter((f) => /\.(js|css|wasm)$/.test(f) && f.startsWith('assets/'))
        .sort()
        .map((f) => `/${f}`);
    },
    async writeBundle() {
      const { readFileSync, writeFileSync } = await import('node:fs' as string);
      const { join, resolve } = await import('node:path' as string);
      const file = join(resolve(outDir), 'sw.js');
      const src: string = readFileSync(file, 'utf8');
      const marker = 'const BUILD_ASSETS = [];';
      if (!src.includes(marker)) throw new Error(`sw.js: ${marker} not found`);
      const tag = assets.map((a) => a.replace(/^.*-([^-.]+)\.[a-z]+$/, '$1')).join('').slice(0, 64);
      writeFileSync(
        file,
        src.replace(marker, `const BUILD_ASSETS = ${JSON.stringify(assets)};`).replace("const BUILD = 'dev';", `const BUILD = ${JSON.stringify(tag || 'dev')};`),
      );
    },
  };
}

// Node's environment, without pulling in @types/node for one variable.
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

export default defineConfig({
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  plugins: [cspMeta(), swPrecache()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // Keep the CSS in a file (never inlined) and don't inline assets as data: URLs.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` talks to a real `storepos serve` (default 127.0.0.1:8730; STOREPOS_API
    // to point elsewhere) beside `storepos sim`: there is no fake backend (ui/README.md).
    proxy: { '/api': { target: env.STOREPOS_API ?? 'http://127.0.0.1:8730', changeOrigin: false } },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
  },
});
