// The typed door to the backend: a command of the table, its request, its answer, all
// from the generated contract. Transports stay untyped underneath (they carry bytes).

import type { CommandName, Commands } from './contract.gen';
import type { Backend } from './index';

export type RequestOf<K extends CommandName> = Commands[K]['request'];
export type ResponseOf<K extends CommandName> = Commands[K]['response'];

/** The request may be left out when every field of it is optional. */
export type RequestArg<K extends CommandName> = {} extends RequestOf<K> ? [request?: RequestOf<K>] : [request: RequestOf<K>];

export function invokeCommand<K extends CommandName>(b: Backend, name: K, ...[request]: RequestArg<K>): Promise<ResponseOf<K>> {
  return b.invoke<ResponseOf<K>>(name, (request ?? {}) as object);
}
