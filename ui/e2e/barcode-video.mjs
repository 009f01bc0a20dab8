// Barcodes as a fake camera's video: Chromium's `--use-file-for-fake-video-capture=FILE.y4m`
// plays a YUV4MPEG2 file in a loop as the camera picture (camera-scan.test.mjs).
//
// EAN-13 is drawn here from the symbology's own rules (GS1: L/G/R digit patterns, the first
// digit coded by the parity of the left half, guards, check digit), independently of the
// decoder the app uses. Code 128 (a pickup code) comes from ZXing's writer.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const L = ['0001101', '0011001', '0010011', '0111101', '0100011', '0110001', '0101111', '0111011', '0110111', '0001011'];
const R = L.map((p) => [...p].map((b) => (b === '1' ? '0' : '1')).join(''));
const G = R.map((p) => [...p].reverse().join(''));
const PARITY = ['LLLLLL', 'LLGLGG', 'LLGGLG', 'LLGGGL', 'LGLLGG', 'LGGLLG', 'LGGGLL', 'LGLGLG', 'LGLGGL', 'LGGLGL'];

/** The check digit of the first 12 digits of an EAN-13. */
export function ean13Check(first12) {
  const sum = [...first12].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return String((10 - (sum % 10)) % 10);
}

/** The 95 modules of an EAN-13 (true = bar), quiet zones not included. */
export function ean13Modules(code) {
  if (!/^\d{13}$/.test(code) || ean13Check(code.slice(0, 12)) !== code[12]) throw new Error(`not an EAN-13: ${code}`);
  const parity = PARITY[Number(code[0])];
  let bits = '101';
  for (let i = 1; i <= 6; i++) bits += (parity[i - 1] === 'L' ? L : G)[Number(code[i])];
  bits += '01010';
  for (let i = 7; i <= 12; i++) bits += R[Number(code[i])];
  bits += '101';
  if (bits.length !== 95) throw new Error('EAN-13 is 95 modules');
  return [...bits].map((b) => b === '1');
}

/** The modules of a Code 128 symbol (ZXing's writer), quiet zones not included. */
export async function code128Modules(text) {
  const { prepareZXingModule, writeBarcode } = await import('zxing-wasm/writer');
  const wasm = fileURLToPath(new URL('../node_modules/zxing-wasm/dist/writer/zxing_writer.wasm', import.meta.url));
  prepareZXingModule({ overrides: { wasmBinary: readFileSync(wasm) } });
  const r = await writeBarcode(text, { format: 'Code128', scale: 1, addQuietZones: false });
  if (r.error || !r.symbol) throw new Error(`Code 128 of ${text}: ${r.error}`);
  const { width, data } = r.symbol;
  return Array.from({ length: width }, (_, x) => data[x] < 128);
}

/**
 * Write a Y4M video (a few identical 4:2:0 frames, grey background, a white card with the
 * barcode in black, `module` pixels per module, 10 modules of quiet zone each side).
 */
export function writeBarcodeY4m(file, modules, { width = 640, height = 480, module = 4, frames = 3 } = {}) {
  const quiet = 10;
  const codeW = (modules.length + 2 * quiet) * module;
  if (codeW > width) throw new Error(`barcode ${codeW}px wider than the ${width}px picture`);
  const y = Buffer.alloc(width * height, 110); // a grey counter top
  const left = Math.floor((width - codeW) / 2);
  const top = Math.floor(height * 0.25);
  const bottom = Math.floor(height * 0.75);
  for (let row = top; row < bottom; row++) {
    for (let col = left; col < left + codeW; col++) {
      const m = Math.floor((col - left) / module) - quiet;
      const bar = m >= 0 && m < modules.length && modules[m];
      y[row * width + col] = bar ? 16 : 235;
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128); // U and V: no colour
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, ...Array(frames).fill(frame)]));
}
