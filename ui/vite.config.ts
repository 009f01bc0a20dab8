/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';

// The built index.html carries a strict Content-Security-Policy (no inline scripts or
// styles, no eval, no remote anything). `data:` images are needed for the WeChat QR code;
// `ipc:` / `http://ipc.localhost` are Tauri 2's IPC endpoints.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
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

// Node's environment, without pulling in @types/node for one variable.
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

export default defineConfig({
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  plugins: [cspMeta()],
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
