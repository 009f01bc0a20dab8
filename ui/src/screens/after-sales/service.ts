import { t } from '../../app-state';
import type { Product, ServiceType, Specification } from '../../backend/contract.gen';
import { formatMoney, parseFen } from '../../money';

export interface ExchangeLine {
  product: Product;
  spec: Specification | null;
  quantity: number;
}

/** A walk-in return line (no order): the item, how many, and the amount given back. */
export interface WalkLine {
  product: Product;
  quantity: number;
  amount: string;
}

/** Where the service starts from: a sale (any type) or a walk-in return without one. */
export type Source = 'order' | 'walkin';

export function isZero(m: string | null | undefined): boolean {
  if (m == null) return true;
  try {
    return parseFen(m) === 0;
  } catch {
    return false;
  }
}

/** The list's money cell: refunds as −, supplements as +, never a sign on zero. */
export function serviceAmount(s: { refund_fee?: string | null; supplementary_fee?: string | null; platform_refund_fee?: string | null; platform_supplementary_fee?: string | null }): string {
  const refund = s.platform_refund_fee ?? s.refund_fee;
  const supplement = s.platform_supplementary_fee ?? s.supplementary_fee;
  const parts: string[] = [];
  if (!isZero(refund)) parts.push(`−${formatMoney(refund)}`);
  if (!isZero(supplement)) parts.push(`+${formatMoney(supplement)}`);
  if (parts.length === 0) return refund != null || supplement != null ? formatMoney('0') : '';
  return parts.join(' ');
}

export const TYPES: ServiceType[] = ['REFUND', 'RETURN', 'EXCHANGE'];

const KNOWN_SERVICE_STATUSES = ['CREATED', 'REFUNDED', 'EXCHANGED'] as const;

/** The platform's service status in words; an unknown one is shown as it came. */
export function serviceStatus(status: string | undefined): string {
  if (!status) return '';
  return (KNOWN_SERVICE_STATUSES as readonly string[]).includes(status) ? t(`as.status.${status as 'CREATED'}`) : status;
}
