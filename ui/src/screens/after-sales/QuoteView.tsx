import { langStore, t } from '../../app-state';
import type { CreateResponse, Outlook, QuoteResponse } from '../../backend/contract.gen';
import { formatMoney } from '../../money';
import { isZero } from './service';

/** What will happen, in words, before the clerk confirms: platform or store only, how the
 * money goes back, what the customer gets. */
function OutlookView({ outlook }: { outlook: Outlook }) {
  const says = langStore.get() === 'en' ? outlook.says_en : outlook.says_zh;
  return (
    <div class={`as-outlook ${outlook.local_only ? 'as-outlook-local' : 'as-outlook-platform'}`} data-testid="as-outlook" role="status">
      <div class="as-outlook-head">
        <span class={`pill ${outlook.local_only ? 'pill-warn' : 'pill-ok'}`}>{outlook.local_only ? t('as.storeOnly') : t('as.toPlatform')}</span>
        {outlook.refund_way && <span class="pill pill-muted">{t(`as.way.${outlook.refund_way}`)}</span>}
      </div>
      <p class="as-outlook-says">{says}</p>
      {!isZero(outlook.cash_out) && <p class="strong">{t('as.cashOut', { amount: formatMoney(outlook.cash_out) })}</p>}
      {!isZero(outlook.cash_in) && <p class="strong">{t('as.cashIn', { amount: formatMoney(outlook.cash_in) })}</p>}
    </div>
  );
}

/** A quote, or the created service's answer (the same figures). */
export function QuoteView({ quote }: { quote: QuoteResponse | CreateResponse }) {
  return (
    <div class="quote" data-testid="as-quote-view">
      {quote.outlook && <OutlookView outlook={quote.outlook} />}
      <table class="table">
        <tbody>
          {quote.returns.map((r) => (
            <tr key={`r${r.line_no ?? r.name}`}>
              <td>{t('as.returns')}</td>
              <td>{r.name}</td>
              <td class="num">× {r.quantity}</td>
              <td class="num">{formatMoney(r.amount)}</td>
            </tr>
          ))}
          {quote.exchanges.map((x, i) => (
            <tr key={`x${i}`}>
              <td>{t('as.exchanges')}</td>
              <td>{x.name}</td>
              <td class="num">× {x.quantity}</td>
              <td class="num">{formatMoney(x.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="quote-result">
        {quote.refund_fee != null && !(isZero(quote.refund_fee) && quote.supplementary_fee != null) && (
          <div class="quote-fig">
            <span class="label">{t('as.refundFee')}</span>
            <span class="big-money money-refund">{formatMoney(quote.refund_fee)}</span>
          </div>
        )}
        {quote.supplementary_fee != null && !(isZero(quote.supplementary_fee) && quote.refund_fee != null) && (
          <div class="quote-fig">
            <span class="label">{t('as.supplementaryFee')}</span>
            <span class="big-money money-change">{formatMoney(quote.supplementary_fee)}</span>
          </div>
        )}
        {quote.refund_fee == null && quote.supplementary_fee == null && <span class="muted">{t('as.noFee')}</span>}
      </div>
    </div>
  );
}
