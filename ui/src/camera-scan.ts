// Camera scanning (issue 24): the rules that do not need a camera, and the decoder.
//
// The decoder is the Barcode Detection API: the browser's own `BarcodeDetector` where it
// has one that reads what we need, else the `barcode-detector` ponyfill (ZXing-C++ built to
// WebAssembly). The .wasm is bundled into ui/dist (the till is offline: never a CDN), so the
// CSP allows `'wasm-unsafe-eval'` (vite.config.ts, tauri.conf.json, server guard.rs) and
// the service worker precaches it with the rest of the build (see vite.config.ts).
//
// A code read by the camera goes to the same handler as a code typed by the keyboard-wedge
// scanner (scanner-dom.ts → Cashier's onScan), so the same rules apply to both.

import { BarcodeDetector as ZxingDetector, prepareZXingModule } from 'barcode-detector/ponyfill';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import type { MessageKey } from './i18n/zh';

/** What a product's barcode can be (EAN-13 includes UPC-A read with a leading 0). */
export const PRODUCT_FORMATS = ['ean_13', 'ean_8', 'upc_a', 'code_128'] as const;
/** A pickup code: the order number as a 1D code or a QR code on the customer's phone. */
export const PICKUP_FORMATS = ['code_128', 'qr_code', 'ean_13'] as const;

export type ScanFormat = (typeof PRODUCT_FORMATS)[number] | (typeof PICKUP_FORMATS)[number];

/** The camera button is shown only where a camera can be asked for at all (a secure
 *  context with getUserMedia: the HTTPS LAN on the iPad, localhost / the desktop window). */
export function cameraSupported(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

/** Whether this device has a camera at all (a desktop till usually has none): counts
 *  `videoinput` devices, which browsers list (without names) before any permission. */
export async function hasCamera(): Promise<boolean> {
  if (!cameraSupported()) return false;
  const md = navigator.mediaDevices;
  if (typeof md.enumerateDevices !== 'function') return true; // cannot tell: offer it
  try {
    return (await md.enumerateDevices()).some((d) => d.kind === 'videoinput');
  } catch {
    return true;
  }
}

/** The same code seen again within `windowMs` is one scan (a camera sees a code ~10×/s);
 *  a different code, or the same code after a pause, is a new scan. */
export function createRepeatFilter(windowMs = 1500): (code: string, now: number) => boolean {
  let last = '';
  let lastAt = -Infinity;
  return (code, now) => {
    const repeat = code === last && now - lastAt < windowMs;
    // the window runs from the last sighting: a code held in front of the camera stays one scan
    last = code;
    lastAt = now;
    return !repeat;
  };
}

/** The message (zh/en key) for a failed getUserMedia or decoder start. */
export function cameraErrorKey(e: unknown): MessageKey {
  const name = (e as { name?: string } | null)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'camera.denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'camera.none';
  if (name === 'NotReadableError' || name === 'AbortError' || name === 'TrackStartError') return 'camera.busy';
  if (name === 'DecoderError') return 'camera.decoder';
  return 'camera.failed';
}

/** A code read from a frame, trimmed; nothing for empty reads. */
export function cleanCode(raw: string): string | null {
  // eslint-disable-next-line no-control-regex
  const s = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return s === '' ? null : s;
}

export interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string; format: string }[]>;
}

type NativeDetectorClass = {
  new (opts: { formats: string[] }): Detector;
  getSupportedFormats(): Promise<string[]>;
};

let prepared = false;

/** The browser's BarcodeDetector when it reads every wanted format, else ZXing (wasm). */
export async function createDetector(formats: readonly ScanFormat[]): Promise<Detector> {
  const Native = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
  if (Native) {
    try {
      const have = await Native.getSupportedFormats();
      if (formats.every((f) => have.includes(f))) return new Native({ formats: [...formats] });
    } catch {
      /* fall back to ZXing */
    }
  }
  if (!prepared) {
    // the bundled .wasm, never the CDN the library defaults to
    prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) } });
    prepared = true;
  }
  try {
    const d = new ZxingDetector({ formats: [...formats] });
    // load and compile the wasm now, so a failure is a message rather than a silent camera
    const probe = document.createElement('canvas');
    probe.width = probe.height = 8;
    await d.detect(probe);
    return d as unknown as Detector;
  } catch (e) {
    const err = new Error(String(e));
    err.name = 'DecoderError';
    throw err;
  }
}

/** Open the rear camera (the front one where there is no other). */
export async function openCamera(): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
  });
}

/** Stop every track of a stream (the camera light goes off). */
export function stopStream(stream: MediaStream | null | undefined): void {
  for (const tr of stream?.getTracks() ?? []) tr.stop();
}
