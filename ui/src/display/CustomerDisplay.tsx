// The customer display (客显 / 副屏): a read-only page for a second screen or a tablet
// facing the customer. It holds no session: it opens with the display-only token the till
// handed out (`display_pair`), reads `GET /api/display/state` and follows
// `GET /api/display/events`; the server accepts that token nowhere else.

import { useEffect, useState } from 'preact/hooks';
import { formatMoney } from '../money';
import { svgDataUrl } from '../qr';
import type { DisplaySnapshot as Snapshot } from '../backend/contract.gen';

function params(): { token: string } {
  const q = new URLSearchParams(globalThis.location?.search ?? '');
  return { token: q.get('token') ?? '' };
}

export function CustomerDisplay() {
  const [snap, setSnap] = useState<Snapshot | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const { token } = params();
    if (!token) {
      setProblem('请在收银台点「客显」配对后，用显示的链接打开本页');
      return;
    }
    // Over the LAN the display token is the display's only credential (no device pairing).
    const q = new URLSearchParams({ token });
    let es: EventSource | null = null;
    let alive = true;
    const take = (s: Snapshot) => {
      if (!alive) return;
      setProblem(null);
      setSnap((cur) => (cur && cur.seq > s.seq && s.seq !== 0 ? cur : s));
    };
    fetch(`/api/display/state?${q}`)
      .then((r) => r.json())
      .then((j) => {
        if (j?.ok) take(j.data as Snapshot);
        else setProblem(j?.error?.message_zh ?? '客显未配对');
      })
      .catch(() => setProblem('连不上收银台'));
    es = new EventSource(`/api/display/events?${q}`);
    es.addEventListener('display', (m) => {
      try {
        take(JSON.parse(String((m as MessageEvent).data)) as Snapshot);
      } catch {
        /* keep-alive or garbage */
      }
    });
    return () => {
      alive = false;
      es?.close();
    };
  }, []);

  const st = snap?.state;
  const phase = st?.phase ?? 'idle';
  return (
    <div class="cdisplay" data-testid="customer-display" data-phase={phase} data-seq={snap?.seq ?? 0}>
      <header class="cd-head">
        <span class="cd-store">{snap?.store_name ?? ''}</span>
        <span class="cd-till mono">{snap?.till_code ?? ''}</span>
      </header>
      {problem && (
        <div class="cd-center" data-testid="display-problem">
          <p class="cd-big">{problem}</p>
        </div>
      )}
      {!problem && phase === 'idle' && (
        <div class="cd-center">
          <p class="cd-huge">欢迎光临</p>
          <p class="cd-sub">Welcome</p>
        </div>
      )}
      {!problem && (phase === 'cart' || phase === 'wechat') && st && (
        <div class="cd-body">
          <ul class="cd-lines" data-testid="display-lines">
            {(st.lines ?? []).map((l, i) => (
              <li key={i} class="cd-line">
                <span class="cd-name">
                  {l.name}
                  {l.spec && <span class="cd-spec"> · {l.spec}</span>}
                </span>
                <span class="cd-qty">×{l.quantity}</span>
                <span class="cd-amt">{formatMoney(l.line_total)}</span>
              </li>
            ))}
          </ul>
          <aside class="cd-side">
            <div class="cd-total">
              <span>合计 Total</span>
              <span class="cd-money" data-testid="display-total">
                {formatMoney(st.total ?? null)}
              </span>
            </div>
            {phase === 'wechat' && snap?.qr_svg && (
              <div class="cd-qr">
                <img src={svgDataUrl(snap.qr_svg)} alt={st.code_url ?? ''} width={280} height={280} data-testid="display-qr" data-code-url={st.code_url ?? ''} />
                <p>请使用微信扫码支付</p>
              </div>
            )}
          </aside>
        </div>
      )}
      {!problem && phase === 'paid' && st && (
        <div class="cd-center" data-testid="display-paid">
          <p class="cd-huge">谢谢惠顾</p>
          <p class="cd-big">
            合计 <span data-testid="display-paid-total">{formatMoney(st.total ?? null)}</span>
            {st.method === 'WECHAT' && ' · 微信支付'}
          </p>
          {st.method === 'CASH' && (
            <p class="cd-big">
              实收 <span data-testid="display-paid-amount">{formatMoney(st.paid ?? st.total ?? null)}</span>
            </p>
          )}
          {st.method === 'CASH' && (
            <p class="cd-big">
              找零 <span class="cd-money" data-testid="display-change">{formatMoney(st.change ?? '0.00')}</span>
            </p>
          )}
        </div>
      )}
    </div>
  );
}
