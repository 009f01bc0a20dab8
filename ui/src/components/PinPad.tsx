import { useEffect } from 'preact/hooks';
import { t } from '../app-state';

/** On-screen digits + keyboard digits / Backspace / Enter. */
export function PinPad(props: { value: string; onChange: (v: string) => void; onSubmit: () => void; maxLength?: number; busy?: boolean }) {
  const max = props.maxLength ?? 6;
  const press = (d: string) => {
    if (props.busy) return;
    if (props.value.length < max) props.onChange(props.value + d);
  };
  const back = () => props.onChange(props.value.slice(0, -1));
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
      if (/^\d$/.test(e.key)) {
        e.preventDefault();
        press(e.key);
      } else if (e.key === 'Backspace') {
        e.preventDefault();
        back();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        props.onSubmit();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  return (
    <div class="pinpad">
      <div class="pin-dots" aria-label={`${props.value.length}`} data-testid="pin-dots">
        {Array.from({ length: max }, (_, i) => (
          <span key={i} class={`pin-dot ${i < props.value.length ? 'on' : ''}`} />
        ))}
      </div>
      <div class="pin-keys">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button key={d} type="button" class="btn pin-key" onClick={() => press(d)} data-digit={d}>
            {d}
          </button>
        ))}
        <button type="button" class="btn pin-key pin-aux" onClick={() => props.onChange('')}>
          {t('common.clear')}
        </button>
        <button type="button" class="btn pin-key" onClick={() => press('0')} data-digit="0">
          0
        </button>
        <button type="button" class="btn pin-key pin-aux" onClick={back} aria-label={t('login.backspace')}>
          ⌫
        </button>
      </div>
      <button type="button" class="btn btn-primary btn-big pin-submit" onClick={props.onSubmit} disabled={props.busy || props.value.length < 4} data-testid="pin-submit">
        {t('login.submit')}
      </button>
    </div>
  );
}
