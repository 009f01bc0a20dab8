// The command contract between the web UI and the Rust backend.
//
// Money is ALWAYS a decimal string ("12.50") in JSON. The UI never does float arithmetic
// on it: see src/money.ts (integer fen). The backend is the authority on every total,
// status transition and refund computation; the UI shows what it is told.
//
// Transport envelope (HTTP body, or the value the Tauri `call` command resolves to):
//   {"ok":true,"data":…} | {"ok":false,"error":{"code","message_zh","message_en","details"?}}

export type Money = string;
export type Role = 'cashier' | 'clerk' | 'manager';

export interface ErrorBody {
  code: string;
  message_zh: string;
  message_en: string;
  details?: unknown;
}

export type Envelope<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

// ---- users & session -------------------------------------------------------------------

export interface User {
  id: number;
  username: string;
  display_name: string;
  role: Role;
}

export interface LoginRequest {
  username: string;
  pin: string;
}

export interface LoginResponse {
  token: string;
  user: User;
  till_code: string;
  /** The store's IANA time zone: times are shown in it, not in the device's. */
  timezone?: string;
  /** Hour at which the store's business day starts. */
  cutoff_hour?: number;
}

/** `session_get` — assumed to be `{user, till_code}`; a bare User is accepted too. */
export type WhoAmIResponse = { user: User; till_code?: string } | User;

// ---- catalog ---------------------------------------------------------------------------

export interface Category {
  id: number;
  name: string;
}

export interface Specification {
  id: number;
  name: string;
  price: Money;
}

export interface Product {
  id: number;
  name: string;
  category_id: number;
  category_name: string;
  price: Money;
  barcode: string | null;
  pinyin_initials: string;
  specifications: Specification[];
  station: string | null;
}

/** `catalog_barcode_get`: the product, and the specification when the code names one. */
export interface BarcodeHit {
  product: Product;
  specification_id: number | null;
}

// ---- orders ----------------------------------------------------------------------------

export type Channel = 'COUNTER' | 'SELF_PICK' | 'FLASH';
export type OrderType = 'STORE_ORDER' | 'ORDER';
export type PaymentMethod = 'CASH' | 'WECHAT' | 'ONLINE';
export type SyncState = 'pending' | 'synced' | 'conflict' | 'local';

export const ORDER_STATUSES = [
  'CREATED_PAY_PENDING',
  'CLOSED_PAY_TIMEOUT',
  'CLOSED_CANCELED',
  'PAID_CONFIRM_PENDING',
  'CONFIRMED_DELIVER_PENDING',
  'DELIVERING',
  'DELIVERED_CONFIRM_PENDING',
  'CANCELED_RETURN_PENDING',
  'CLOSED_CONFIRMED',
  'CANCELED_REFUND_PENDING',
  'CLOSED_REFUNDED',
  'CONFIRMED_PICK_PENDING',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Order actions the backend may list in `allowed_actions`. The UI shows a button for
 * each listed action it knows and nothing else; unknown actions are ignored.
 */
export type OrderAction =
  | 'accept'
  | 'reject'
  | 'delivering'
  | 'complete'
  | 'checkin'
  | 'cancel'
  | 'pay'
  | 'reprint'
  | 'after_sales';

export interface OrderLine {
  line_no: number;
  product_id: number;
  specification_id: number | null;
  name: string;
  category: string | null;
  unit_price: Money;
  quantity: number;
  line_total: Money;
  memo: string | null;
}

export interface Order {
  client_ref: string;
  local_number: string;
  business_day: string;
  order_number: string | null;
  channel: Channel;
  order_type: OrderType;
  status: OrderStatus;
  payment_method: PaymentMethod | null;
  total: Money;
  paid: Money | null;
  change: Money | null;
  remark: string | null;
  contact_user: string | null;
  phone: string | null;
  cashier: string | null;
  created_at: string;
  sync_state: SyncState;
  conflict: { message: string } | null;
  allowed_actions: string[];
  lines?: OrderLine[];
}

export interface SaleLineRequest {
  product_id: number;
  specification_id?: number;
  quantity: number;
  memo?: string;
}

export interface SaleCreateRequest {
  lines: SaleLineRequest[];
  remark?: string;
}

export interface PayCashResponse {
  order: Order;
  change: Money;
}

export interface WechatStartResponse {
  code_url: string;
  qr_svg: string;
  expires_at: string;
}

export type WechatState = 'waiting' | 'paid' | 'expired' | 'failed' | 'offline';

export interface WechatStatusResponse {
  state: WechatState;
  message?: string;
  order?: Order;
}

export interface OrdersListRequest {
  day?: string;
  statuses?: OrderStatus[];
  channel?: Channel;
  text?: string;
  limit?: number;
  offset?: number;
}

export interface OrdersListResponse {
  orders: Order[];
  total: number;
}

// ---- after-sales -----------------------------------------------------------------------

export type ServiceType = 'REFUND' | 'RETURN' | 'EXCHANGE';

/** A return line: an order line (linked) or an item with quantity and amount (walk-in). */
export interface AfterSalesReturnLine {
  line_no?: number;
  product_id?: number;
  name?: string;
  quantity: number;
  refund_fee?: Money;
}

export interface AfterSalesRequest {
  /** Absent for a walk-in return (no order). */
  client_ref?: string;
  service_type: ServiceType;
  reason: string;
  returns: AfterSalesReturnLine[];
  exchanges: { product_id: number; specification_id?: number; quantity: number }[];
  /** REFUND: the amount asked for. */
  refund_fee?: Money;
}

export type RefundWay = 'ORIGINAL_PATH' | 'OTHERWAY';

/** Where the rules send a service (domain::after_sales_rules::Route). */
export type AfterSalesRoute =
  | { route: 'platform'; refund_way: RefundWay; otherway: boolean; service_status: string; order_after: string | null; exchange_refunds_in_full: boolean }
  | { route: 'store_only'; why: string; refund_way: RefundWay }
  | { route: 'refused'; why: string };

/** What will happen, said before the clerk confirms. */
export interface AfterSalesOutlook {
  local_only: boolean;
  refund_way: RefundWay | null;
  customer_gets: Money;
  customer_pays: Money;
  cash_out: Money;
  cash_in: Money;
  order_after: string | null;
  says_zh: string;
  says_en: string;
}

export interface AfterSalesQuote {
  service_type?: ServiceType;
  refund_fee: Money | null;
  supplementary_fee: Money | null;
  returns: { line_no: number | null; name: string; quantity: number; amount: Money }[];
  exchanges: { product_id: number; name: string; quantity: number; amount: Money }[];
  route?: AfterSalesRoute;
  platform_mode?: 'field' | 'documented';
  outlook?: AfterSalesOutlook;
}

export interface AfterSalesCreated extends AfterSalesQuote {
  service: { client_ref: string; service_number: string | null; status: string; local_only?: boolean; refund_way?: RefundWay | null };
}

/** One row of `after_sales_list` (shape assumed; rendered defensively). */
export interface AfterSalesRow {
  client_ref: string;
  service_number?: string | null;
  service_type?: ServiceType;
  status?: string;
  order_client_ref?: string | null;
  /** The platform number of the order it refers to. */
  order_number?: string | null;
  order_local_number?: string;
  reason?: string;
  refund_fee?: Money | null;
  supplementary_fee?: Money | null;
  created_at?: string;
  /** 门店自理: recorded here only, never sent to the platform. */
  local_only?: boolean;
  refund_way?: RefundWay | null;
  platform_refund_fee?: Money | null;
  platform_supplementary_fee?: Money | null;
}

// ---- counts, sync, printing ------------------------------------------------------------

export interface CountsBlock {
  totalPrice: Money;
  total: number;
  handlePending: number;
  pickPending: number;
  deliverPending: number;
  delivering: number;
  closed: number;
  cancled: number;
}

export interface CountsResponse {
  documented: CountsBlock;
  field: CountsBlock;
}

export interface SyncStatus {
  /** False when no platform is set up: sales stay on this till. */
  configured?: boolean;
  online: boolean;
  last_success_at: string | null;
  /** Operations waiting in the outbox (an order may have several). */
  outbox_depth: number;
  /** Orders with something waiting: what the status bar counts. */
  orders_waiting?: number;
  oldest_pending_age_s: number | null;
  conflicts: number;
  last_error: string | null;
  /** Platform orders carrying our marker that cannot be reached (shared numbers). */
  strays?: number;
  advice_zh?: string;
  advice_en?: string;
}

/** A platform order with our marker whose number reaches another order. */
/** `stats_platform_counts_get`: the platform's last order_count beside the ledger's (null before the first round). */
export interface PlatformCounts {
  at: string;
  report: {
    meaning: 'documented' | 'field';
    platform: Record<string, string | number | null>;
    local: Record<string, string | number>;
    differences: { field: string; platform: string; local: string; reason: string; reason_zh: string }[];
  };
}

export interface Stray {
  id: number;
  client_ref: string;
  order_number: string;
  generation: number;
  reaches_remark: string | null;
  found_at: string;
  voided_at: string | null;
}

export interface Conflict {
  client_ref: string;
  local_number: string;
  message: string;
  platform_message: string;
  created_at: string;
  /** The platform never created this sale: it may be kept on this till only. */
  can_keep_local?: boolean;
}

export type ConflictResolution = 'accept_platform' | 'retry' | 'keep_local';

export type PrintJobState = 'queued' | 'printing' | 'printed' | 'failed' | 'uncertain';

export interface PrintJob {
  id: number;
  printer_id: string;
  kind: string;
  client_ref: string | null;
  state: PrintJobState;
  attempts: number;
  last_error: string | null;
  created_at: string;
}

export interface Printer {
  id: string;
  name: string;
  paper: '58' | '80';
  state: 'ok' | 'offline' | 'unknown';
  queued: number;
}

// ---- manager ---------------------------------------------------------------------------

export interface StatsDay {
  day: string;
  gross: Money;
  refunds: Money;
  supplements: Money;
  net: Money;
  order_count: number;
  average_ticket: Money;
  by_status: Record<string, number>;
  by_channel: Record<string, CountAmount>;
  payment_mix: { method: string; count: number; amount: Money }[];
  by_hour: { hour: number; count: number; amount: Money }[];
  top_products_qty: { product_id: number; name: string; quantity: number; amount: Money }[];
  top_products_amount: { product_id: number; name: string; quantity: number; amount: Money }[];
  by_category: { name: string; quantity: number; amount: Money }[];
  by_cashier: { name: string; count: number; amount: Money }[];
  cancelled: CountAmount;
  rejected: CountAmount;
}

export interface CountAmount {
  count: number;
  amount: Money;
}

export const DENOMINATIONS = ['100', '50', '20', '10', '5', '1', '0.5', '0.1'] as const;
export type Denomination = (typeof DENOMINATIONS)[number];

export interface ShiftCloseRequest {
  counted: Record<Denomination, number>;
  manager_pin: string;
}

/** The Z report's exact shape is the backend's; the UI renders whatever fields come back. */
export type ZReport = Record<string, unknown>;

export interface LanStatus {
  enabled: boolean;
  token?: string;
  url?: string;
}

/** `settings_get` — assumed to be a flat key → value map. */
export type Settings = Record<string, string | number | boolean | null>;

// ---- events ----------------------------------------------------------------------------

export type BackendEventType = 'online_order' | 'sync' | 'print_job' | 'conflict' | 'order_changed';

export interface BackendEvent {
  type: BackendEventType | string;
  client_ref?: string;
  [key: string]: unknown;
}
