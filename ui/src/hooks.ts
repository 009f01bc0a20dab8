import { useEffect, useRef } from 'preact/hooks';

/** Run `fn` now and then every `ms` while mounted (skips a tick while one is running). */
export function usePoll(fn: () => Promise<unknown> | void, ms: number, deps: unknown[] = []): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    let busy = false;
    let alive = true;
    const run = async () => {
      if (busy || !alive) return;
      busy = true;
      try {
        await ref.current();
      } catch {
        /* callers report their own errors */
      } finally {
        busy = false;
      }
    };
    void run();
    const id = setInterval(run, ms);
    return () => {
      alive = false;
      clearInterval(id);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ms, ...deps]);
}
