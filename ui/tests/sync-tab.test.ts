import { describe, expect, it } from 'vitest';
import type { ReconcileResponse, Stray } from '../src/backend/contract.gen';
import { countsBadge, groupStrays, rowState } from '../src/screens/manager/SyncTab';

type Figure = ReconcileResponse['figures'][number];

const fig = (p: Partial<Figure>): Figure =>
  ({
    figure: 'total',
    local_documented: 3,
    local_field: 3,
    local_synced_field: 3,
    local_synced_documented: 3,
    platform: 3,
    difference: 0,
    matches: 'field',
    explanations: [],
    ...p,
  }) as Figure;

const counts = (figures: Figure[], all_explained = true) => ({ figures, all_explained, platform: {} }) as unknown as ReconcileResponse;
const why = (kind: string) => ({ kind, count: 1, zh: kind, en: kind });

describe('the reconciliation in words', () => {
  it('says a row is the same, explained or without a reason', () => {
    expect(rowState(fig({}))).toBe('same');
    expect(rowState(fig({ platform: 2, matches: 'synced', explanations: [why('not_yet_synced')] }))).toBe('explained');
    expect(rowState(fig({ platform: 2, matches: 'none', explanations: [why('unexplained')] }))).toBe('unexplained');
    // A reason about how the platform counts does not explain a figure that still differs.
    expect(rowState(fig({ platform: 2, matches: 'none', explanations: [why('field_meaning')] }))).toBe('unexplained');
    // A store discount is counted at full price by the platform: never the reason for a difference.
    expect(rowState(fig({ platform: 2, matches: 'none', explanations: [why('store_discount')] }))).toBe('unexplained');
    // Counted the platform's documented way: compared with the documented local figure.
    expect(rowState(fig({ platform: 5, local_documented: 5, matches: 'documented', explanations: [why('field_meaning')] }))).toBe('same');
  });

  it('is green only when no row is without a reason', () => {
    expect(countsBadge(counts([fig({}), fig({ platform: 2, matches: 'synced', explanations: [why('not_yet_synced')] })]))).toBe('ok');
    expect(countsBadge(counts([fig({}), fig({ platform: 2, matches: 'none', explanations: [why('field_meaning')] })]))).toBe('bad');
    expect(countsBadge(counts([fig({})], false))).toBe('bad');
  });
});

describe('strays', () => {
  const stray = (id: number, client_ref: string, local_number: string | null): Stray =>
    ({ id, client_ref, order_number: `26${id}`, generation: id, reaches_remark: null, found_at: '2026-12-08T04:10:00Z', voided_at: null, local_number, total: '4.00', sale_created_at: '2026-12-08T04:09:00Z' }) as Stray;

  it('are grouped by the sale they copy', () => {
    const g = groupStrays([stray(1, 'a', 'T1-0003'), stray(2, 'b', 'T1-0004'), stray(3, 'a', 'T1-0003')]);
    expect(g.map((x) => [x.local_number, x.strays.map((s) => s.id)])).toEqual([
      ['T1-0003', [1, 3]],
      ['T1-0004', [2]],
    ]);
    expect(g[0].total).toBe('4.00');
  });
});
