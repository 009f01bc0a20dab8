import { en } from './en';
import { zh, type MessageKey } from './zh';

export type Lang = 'zh' | 'en';
export type { MessageKey };

export const messages: Record<Lang, Record<MessageKey, string>> = { zh, en };

/** Replace {name} placeholders. Missing params stay visible as {name}. */
export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const table = messages[lang] ?? zh;
  return format(table[key] ?? zh[key] ?? key, params);
}

/** Look up a dynamic key (e.g. `status.${order.status}`), falling back to `fallback`. */
export function translateDynamic(lang: Lang, key: string, fallback: string): string {
  const table = messages[lang] as Record<string, string>;
  return table[key] ?? fallback;
}
