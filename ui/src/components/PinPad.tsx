import { useEffect, useRef } from 'preact/hooks';
import { t } from '../app-state';

export interface PinPadProps {
  length: number;
  maxLength?: number;
  onDigit: (d: string) => void;
  onBackspace: () => void;
  onClear: () => void;
  onSubmit: () => void;
  busy?: boolean;
}

/** On-screen digits + keyboard digits / Backspace / Enter. */
export function PinPad(props: PinPadProps) {
  const max = props.maxLength ?? 6;
  // keyboard events can arrive faster than re-renders: always use the latest props
  const latest = useRef(props);
  latest.current = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      const p = latest.current;
      if (/^\d$/.test(e.key)) {
        e.preventDefault();
        if (!p.busy) p.onDigit(e.key);
      } else if (e.key === 'Backspace') {
        e.preventDefault();
        p.onBackspace();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        p.onSubmit();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class="pinpad">
      <div class="pin-dots" aria-label={`${props.length}`} data-testid="pin-dots">
        {Array.from({ length: max }, (_, i) => (
          <span key={i} class={`pin-dot ${i < props.length ? 'on' : ''}`} />
        ))}
      </div>
      <div class="pin-keys">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button key={d} type="button" class="btn pin-key" onClick={() => !props.busy && props.onDigit(d)} data-digit={d}>
            {d}
          </button>
        ))}
        <button type="button" class="btn pin-key pin-aux" onClick={props.onClear}>
          {t('common.clear')}
        </button>
        <button type="button" class="btn pin-key" onClick={() => !props.busy && props.onDigit('0')} data-digit="0">
          0
        </button>
        <button type="button" class="btn pin-key pin-aux" onClick={props.onBackspace} aria-label={t('login.backspace')}>
          ⌫
        </button>
      </div>
      <button type="button" class="btn btn-primary btn-big pin-submit" onClick={props.onSubmit} disabled={props.busy || props.length < 4} data-testid="pin-submit">
        {t('login.submit')}
      </button>
    </div>
  );
}
