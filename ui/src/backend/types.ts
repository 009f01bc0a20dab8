// UI-side types only. Every command's request and answer, the error and the events are
// generated from the Rust types into ./contract.gen.ts (`cargo run --bin storepos --
// contract --write`; a Rust test fails while that file is stale): import them from there.
//
// Money is ALWAYS a decimal string ("12.50") in JSON. The UI never does float arithmetic
// on it: see src/money.ts (integer fen). The backend is the authority on every total,
// status transition and refund computation; the UI shows what it is told.
//
// Transport envelope (HTTP body, or the value the Tauri `call` command resolves to):
//   {"ok":true,"data":…} | {"ok":false,"error":{"code","message_zh","message_en","details"?}}

import type { CommandError as WireError, ErrorCode, Event, Status, SyncStatus } from './contract.gen';

/** Codes the transports make up themselves when there is no answer from the backend. */
export type TransportErrorCode = 'backend_unreachable' | 'bad_response' | 'tauri_error';

/** An error as the UI holds it: the backend's (generated) or a transport's own. */
export type ErrorBody = Omit<WireError, 'code' | 'details'> & { code: ErrorCode | TransportErrorCode; details?: unknown };

export type Envelope<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** Every order status, in the order screens list them. Keyed by the generated union, so a
 *  status the backend gains (or loses) fails the type check here. */
const STATUS_ORDER: Record<Status, true> = {
  CREATED_PAY_PENDING: true,
  CLOSED_PAY_TIMEOUT: true,
  CLOSED_CANCELED: true,
  PAID_CONFIRM_PENDING: true,
  CONFIRMED_DELIVER_PENDING: true,
  DELIVERING: true,
  DELIVERED_CONFIRM_PENDING: true,
  CANCELED_RETURN_PENDING: true,
  CLOSED_CONFIRMED: true,
  CANCELED_REFUND_PENDING: true,
  CLOSED_REFUNDED: true,
  CONFIRMED_PICK_PENDING: true,
};
export const ORDER_STATUSES = Object.keys(STATUS_ORDER) as Status[];

/** Notes and coins a drawer count asks for (the keys `shift_close` takes). */
export const DENOMINATIONS = ['100', '50', '20', '10', '5', '1', '0.5', '0.1'] as const;
export type Denomination = (typeof DENOMINATIONS)[number];

/** The desktop transport's own status poll, used when its event channel is unavailable. */
export interface SyncPolled {
  type: 'sync';
  status: SyncStatus | null;
  error?: string;
}

/** What screens hear: the backend's events (generated), or the desktop poll's status. */
export type BackendEvent = Event | SyncPolled;
