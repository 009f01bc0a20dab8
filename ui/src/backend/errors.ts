import type { ErrorBody } from './types';

/** An error answered by the backend (or a transport failure dressed up as one). */
export class CommandError extends Error {
  /** The backend's `ErrorCode` (generated) or a transport's own code. */
  readonly code: ErrorBody['code'];
  readonly message_zh: string;
  readonly message_en: string;
  readonly details?: unknown;
  /** HTTP status when known (0 for transport failures, undefined under Tauri). */
  readonly status?: number;

  constructor(body: ErrorBody, status?: number) {
    super(`${body.code}: ${body.message_en || body.message_zh}`);
    this.name = 'CommandError';
    this.code = body.code;
    this.message_zh = body.message_zh;
    this.message_en = body.message_en;
    this.details = body.details;
    this.status = status;
  }

  message_for(lang: 'zh' | 'en'): string {
    return (lang === 'zh' ? this.message_zh || this.message_en : this.message_en || this.message_zh) || this.code;
  }
}

/** Code used when the backend cannot be reached at all. */
export const NETWORK_ERROR = 'backend_unreachable';
/** Code used when the backend answered something that is not the agreed envelope. */
export const BAD_RESPONSE = 'bad_response';

export function networkError(cause?: unknown): CommandError {
  return new CommandError({
    code: NETWORK_ERROR,
    message_zh: '后台未响应，请检查 storepos 服务是否在运行',
    message_en: 'Backend not reachable — is the storepos service running?',
    details: cause instanceof Error ? cause.message : cause,
  }, 0);
}

export function badResponse(status: number | undefined, details?: unknown): CommandError {
  return new CommandError({
    code: BAD_RESPONSE,
    message_zh: `后台返回了无法识别的应答${status ? `（HTTP ${status}）` : ''}`,
    message_en: `The backend answered something unexpected${status ? ` (HTTP ${status})` : ''}`,
    details,
  }, status);
}

function isErrorBody(v: unknown): v is ErrorBody {
  return !!v && typeof v === 'object' && typeof (v as ErrorBody).code === 'string';
}

/**
 * Decode an `{"ok":…}` envelope. Returns `data` on success and throws CommandError
 * otherwise. `status` is the HTTP status when there is one.
 */
export function decodeEnvelope<T>(body: unknown, status?: number): T {
  if (body && typeof body === 'object' && 'ok' in body) {
    const env = body as { ok: unknown; data?: unknown; error?: unknown };
    if (env.ok === true) return env.data as T;
    if (env.ok === false && isErrorBody(env.error)) {
      const e = env.error;
      return throwErr({
        code: e.code,
        message_zh: typeof e.message_zh === 'string' ? e.message_zh : '',
        message_en: typeof e.message_en === 'string' ? e.message_en : '',
        details: e.details,
      }, status);
    }
  }
  throw badResponse(status, body);
}

function throwErr(body: ErrorBody, status?: number): never {
  throw new CommandError(body, status);
}

/** Turn whatever a Tauri `invoke` rejected with into a CommandError. */
export function decodeTauriRejection(reason: unknown): CommandError {
  if (reason instanceof CommandError) return reason;
  let v: unknown = reason;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return new CommandError({ code: 'tauri_error', message_zh: v as string, message_en: v as string });
    }
  }
  if (v && typeof v === 'object') {
    const o = v as { ok?: unknown; error?: unknown };
    if (o.ok === false && isErrorBody(o.error)) return new CommandError(o.error);
    if (isErrorBody(v)) return new CommandError(v);
  }
  return badResponse(undefined, reason);
}
