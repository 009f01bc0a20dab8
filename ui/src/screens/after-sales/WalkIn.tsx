import { useEffect, useState } from 'preact/hooks';
import { call, reportError, t } from '../../app-state';
import type { Product } from '../../backend/contract.gen';
import { currentLimits } from '../../cart';
import { fenToString, formatMoney, parseFen, tryParseFen } from '../../money';
import { WalkLine } from './service';

export function WalkIn(props: { lines: WalkLine[]; setLines: (f: (w: WalkLine[]) => WalkLine[]) => void; reason: string; setReason: (s: string) => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Product[]>([]);
  useEffect(() => {
    const s = q.trim();
    if (!s) return setFound([]);
    const id = setTimeout(() => {
      call('catalog_search', { query: s, limit: 12 }).then(setFound).catch(reportError);
    }, 200);
    return () => clearTimeout(id);
  }, [q]);
  return (
    <div class="as-walkin" data-testid="as-walkin">
      <p class="muted">{t('as.walkinHint')}</p>
      <label class="field">
        <span class="label">{t('as.reason')}</span>
        <input class="input" type="text" placeholder={t('as.reasonPlaceholder')} value={props.reason} onInput={(e) => props.setReason(e.currentTarget.value)} />
      </label>
      <h3>{t('as.step.walkLines')}</h3>
      <input class="input" type="search" placeholder={t('as.walkinSearch')} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      <div class="as-products">
        {found.map((p) => (
          <button
            key={p.id}
            type="button"
            class="btn"
            onClick={() => {
              props.setLines((ls) => (ls.some((l) => l.product.id === p.id) ? ls : [...ls, { product: p, quantity: 1, amount: p.price }]));
              setQ('');
            }}
          >
            {p.name} {formatMoney(p.price)}
          </button>
        ))}
      </div>
      <table class="table">
        <tbody>
          {props.lines.map((l, i) => {
            const setQty = (n: number) =>
              props.setLines((ls) =>
                ls
                  .map((x, j) => {
                    if (j !== i) return x;
                    const quantity = Math.max(0, Math.min(currentLimits()?.max_quantity ?? Number.MAX_SAFE_INTEGER, n));
                    // the amount follows the shelf price until the clerk types another
                    const auto = tryParseFen(x.amount) === parseFen(x.product.price) * x.quantity;
                    return { ...x, quantity, amount: auto ? fenToString(parseFen(x.product.price) * quantity) : x.amount };
                  })
                  .filter((x) => x.quantity > 0),
              );
            return (
              <tr key={l.product.id} data-testid="as-walk-line">
                <td>
                  {l.product.name}
                  <div class="muted small">{formatMoney(l.product.price)}</div>
                </td>
                <td class="num">
                  <div class="cl-qty">
                    <button type="button" class="btn qty-btn" onClick={() => setQty(l.quantity - 1)} aria-label={t('cashier.decrease')}>
                      −
                    </button>
                    <span class="qty-value">{l.quantity}</span>
                    <button type="button" class="btn qty-btn" onClick={() => setQty(l.quantity + 1)} aria-label={t('cashier.increase')}>
                      +
                    </button>
                  </div>
                </td>
                <td class="num">
                  <label class="field-inline">
                    <span class="label small">{t('as.amount')}</span>
                    <input
                      class="input as-walk-amount"
                      type="text"
                      inputMode="decimal"
                      data-testid="as-walk-amount"
                      value={l.amount}
                      onInput={(e) => {
                        const v = e.currentTarget.value;
                        props.setLines((ls) => ls.map((x, j) => (j === i ? { ...x, amount: v } : x)));
                      }}
                    />
                  </label>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
