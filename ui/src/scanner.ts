// Barcode wedge scanner: a USB scanner "types" the code very fast (< 30 ms between keys)
// and ends with Enter. This pure classifier decides, key by key, what to do with each
// keydown so that a scan never leaks into (or is split across) the focused field, while
// human typing ends up exactly as typed.
//
// Strategy: printable keys are *held* (the DOM glue prevents their default action) while
// they arrive fast. When the burst ends:
//   • Enter after >= minLength held chars, on average <= maxGapMs apart and no single gap
//     over maxSingleGapMs → a scan (nothing leaks). The average is what tells a scanner
//     (≈ 5–30 ms a key) from a person; the single-gap bound tolerates the odd late key (a
//     busy USB hub, a loaded till, a remote-debugged browser) without splitting the scan;
//   • anything else (a pause, a slow key, a non-printable key, a short burst + Enter)
//     → the held characters are *flushed*: replayed into the focused field in order,
//     before the key that ended the burst is handled.
// Human typing is therefore delayed by at most maxSingleGapMs, never lost or reordered.

export interface ScannerOptions {
  /** Minimum number of characters for a scan (default 6). */
  minLength?: number;
  /** Maximum *average* gap between the keys of a scan, Enter included, in ms (default 50). */
  maxGapMs?: number;
  /** Maximum single gap inside a burst, in ms (default 2 × maxGapMs); a longer pause ends it. */
  maxSingleGapMs?: number;
}

export function singleGapMs(opts: ScannerOptions = {}): number {
  return opts.maxSingleGapMs ?? 2 * (opts.maxGapMs ?? 50);
}

export interface ScanKey {
  /** KeyboardEvent.key */
  key: string;
  /** Timestamp in ms (KeyboardEvent.timeStamp or performance.now()). */
  time: number;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  /** KeyboardEvent.isComposing (IME). */
  isComposing?: boolean;
}

export interface ScanDecision {
  /** Prevent the key's default action and stop it reaching the page. */
  prevent: boolean;
  /** Characters to replay (as typed text) into the focused target *before* this key. */
  flush?: string;
  /** A complete barcode. */
  scan?: string;
}

export interface Scanner {
  key(ev: ScanKey): ScanDecision;
  /** Call when no key arrived for a while (a timer). Returns text to replay, if any. */
  tick(now: number): string | undefined;
  /** Held characters (for tests / debugging). */
  pending(): string;
  /** Drop any held characters and return them. */
  reset(): string;
}

function isPrintable(ev: ScanKey): boolean {
  return ev.key.length === 1 && !ev.ctrlKey && !ev.altKey && !ev.metaKey && !ev.isComposing;
}

export function createScanner(opts: ScannerOptions = {}): Scanner {
  const minLength = opts.minLength ?? 6;
  const maxAvgGap = opts.maxGapMs ?? 50;
  const maxGap = singleGapMs(opts);
  let buf = '';
  let last = -Infinity;
  let first = 0;

  const take = (): string | undefined => {
    const out = buf;
    buf = '';
    return out || undefined;
  };

  return {
    key(ev) {
      const gap = ev.time - last;
      const stale = buf !== '' && gap > maxGap;
      if (isPrintable(ev)) {
        // A slow key ends the previous burst (which was human typing) and starts a new one.
        const flush = stale ? take() : undefined;
        if (buf === '') first = ev.time;
        buf += ev.key;
        last = ev.time;
        return flush ? { prevent: true, flush } : { prevent: true };
      }
      if (ev.key === 'Enter' && !ev.ctrlKey && !ev.altKey && !ev.metaKey && !ev.isComposing) {
        const fast = (ev.time - first) / buf.length <= maxAvgGap;
        if (!stale && buf.length >= minLength && fast) {
          const scan = buf;
          buf = '';
          last = ev.time;
          return { prevent: true, scan };
        }
        const flush = take();
        last = ev.time;
        return flush ? { prevent: false, flush } : { prevent: false };
      }
      // Shift, Backspace, arrows, Tab, shortcuts, IME…: end any burst, let the key through.
      if (ev.key === 'Shift') return { prevent: false }; // scanners may send Shift for letters
      const flush = take();
      last = ev.time;
      return flush ? { prevent: false, flush } : { prevent: false };
    },
    tick(now) {
      if (buf !== '' && now - last > maxGap) return take();
      return undefined;
    },
    pending: () => buf,
    reset: () => take() ?? '',
  };
}
