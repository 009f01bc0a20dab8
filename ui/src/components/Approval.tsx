// Manager approval (授权) over the shoulder: when the backend answers `approval_required`,
// this dialog asks for a manager's username and PIN on the same screen, gets a single-use
// approval bound to what the refusal named (rule, order, amount) and the caller retries
// with it. The rule, the amount and whether the PIN is right are all the backend's.

import { useState } from 'preact/hooks';
import { call, errorText, langStore, t } from '../app-state';
import { CommandError, type RequestArg, type ResponseOf } from '../backend';
import type { CommandName, Rule } from '../backend/contract.gen';
import { formatMoney } from '../money';
import { createStore, useStore } from '../store';
import { Modal } from './common';

interface Ask {
  rule: Rule;
  subject: string;
  amount: string;
  label: string;
  unfit: string | null;
  resolve: (id: string | null) => void;
}

const askStore = createStore<Ask | null>(null);

/** What an `approval_required` refusal names (its `details`). */
interface Needed {
  rule: Rule;
  subject: string;
  amount: string;
  label_zh: string;
  label_en: string;
  unfit: string | null;
}

function needed(e: unknown): Needed | null {
  if (!(e instanceof CommandError) || e.code !== 'approval_required') return null;
  const d = (e.details ?? null) as Needed | null;
  return d && typeof d.rule === 'string' ? d : null;
}

/** Shows the PIN dialog; resolves to the approval's id, or null when dismissed. */
export function askApproval(n: Needed, unfitText: string | null): Promise<string | null> {
  return new Promise((resolve) =>
    askStore.set({
      rule: n.rule,
      subject: n.subject,
      amount: n.amount,
      label: langStore.get() === 'zh' ? n.label_zh : n.label_en,
      unfit: unfitText,
      resolve,
    }),
  );
}

/** The request with an approval attached (every guarded command takes `approval`). */
type WithApproval<K extends CommandName> = RequestArg<K> extends [infer R] ? R & { approval?: string | null } : never;

/**
 * `call`, but a refusal for want of a manager's approval opens the PIN dialog and the
 * same request is sent again with the approval. Dismissing the dialog rejects with the
 * original refusal. A second refusal (e.g. the approval expired meanwhile) asks again.
 */
export async function callApproved<K extends CommandName>(command: K, request: WithApproval<K>): Promise<ResponseOf<K>> {
  let req = request;
  for (let i = 0; ; i++) {
    try {
      return await (call as (c: K, r: unknown) => Promise<ResponseOf<K>>)(command, req);
    } catch (e) {
      const n = needed(e);
      if (!n || i >= 3) throw e;
      const id = await askApproval(n, n.unfit ? errorText(e) : null);
      if (!id) throw e;
      req = { ...req, approval: id };
    }
  }
}

export function ApprovalHost() {
  const a = useStore(askStore);
  const [username, setUsername] = useState('manager');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!a) return null;
  const done = (id: string | null) => {
    askStore.set(null);
    setPin('');
    setError(null);
    a.resolve(id);
  };
  const submit = async () => {
    if (!/^\d{4,6}$/.test(pin)) return setError(t('users.pinInvalid'));
    setBusy(true);
    try {
      const r = await call('approval_grant', { rule: a.rule, subject: a.subject, amount: a.amount, manager_username: username.trim(), manager_pin: pin });
      done(r.id);
    } catch (e) {
      setPin('');
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title={t('approval.title')}
      testId="approval-dialog"
      onClose={() => done(null)}
      footer={
        <>
          <button type="button" class="btn" onClick={() => done(null)}>
            {t('common.cancel')}
          </button>
          <button type="button" class="btn btn-primary" disabled={busy} data-testid="approval-submit" onClick={() => void submit()}>
            {t('approval.approve')}
          </button>
        </>
      }
    >
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p class="approval-what">
          <span class="strong">{a.label}</span>
          {a.amount !== '0.00' && <span class="big-money"> {formatMoney(a.amount)}</span>}
        </p>
        {a.unfit && <p class="form-error">{a.unfit}</p>}
        <p class="muted">{t('approval.hint')}</p>
        <label class="field">
          <span>{t('approval.manager')}</span>
          <input class="input" type="text" autoComplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} data-testid="approval-user" />
        </label>
        <label class="field">
          <span>{t('approval.pin')}</span>
          <input
            class="input"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            data-autofocus
            data-testid="approval-pin"
            value={pin}
            onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))}
          />
        </label>
        <div class="form-error" role="alert">
          {error ?? ''}
        </div>
      </form>
    </Modal>
  );
}
