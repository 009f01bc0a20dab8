import { t, viewStore } from '../app-state';
import { waitingStore } from '../online-alert';
import { useStore } from '../store';

/** The top bar's count of paid online orders waiting to be accepted (hidden at zero).
 *  Opens the clerk board where the role has it; otherwise it only shows. */
export function OnlineBadge(props: { canOpenBoard: boolean }) {
  const waiting = useStore(waitingStore);
  const n = waiting?.length ?? 0;
  if (n === 0) return null;
  const first = waiting?.[0];
  return (
    <button
      type="button"
      class="online-badge"
      data-testid="online-badge"
      data-count={n}
      aria-live="polite"
      title={first ? t('online.oldest', { no: first.local_number }) : ''}
      onClick={() => props.canOpenBoard && viewStore.set('clerk')}
      disabled={!props.canOpenBoard}
    >
      <span class="online-badge-label">{t('online.waiting')}</span>
      <span class="online-badge-count">{n}</span>
    </button>
  );
}
