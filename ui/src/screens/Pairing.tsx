// An iPad's first visit over the store LAN: trade the one-time code the till shows (its QR
// opens this page with `?pair=…`) for this device's own credential. People then sign in
// with their PIN as on the till.
import { useState } from 'preact/hooks';
import { errorText, pairDevice, t } from '../app-state';
import { backend } from '../backend';

export function Pairing() {
  const fromQr = backend().tokens.pairCode();
  const [code, setCode] = useState(() => fromQr ?? '');
  const [name, setName] = useState('iPad');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || !code.trim() || !name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await pairDevice(code.trim(), name.trim());
      // The code is used up: keep it out of the address bar and of a reload.
      history.replaceState(null, '', location.pathname);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="pairing panel" data-testid="pairing" onSubmit={submit}>
      <h1>{t('pair.title')}</h1>
      {!fromQr && (
        <p class="notice" data-testid="pair-notice">
          {t('pair.notPaired')}
        </p>
      )}
      <p class="help">{t('pair.help')}</p>
      <label class="field">
        <span>{t('pair.code')}</span>
        <input class="input mono big-input" value={code} autoComplete="off" autoCapitalize="characters" spellcheck={false} maxLength={12} onInput={(e) => setCode((e.target as HTMLInputElement).value)} data-testid="pair-code" />
      </label>
      <label class="field">
        <span>{t('pair.name')}</span>
        <input class="input" value={name} maxLength={40} onInput={(e) => setName((e.target as HTMLInputElement).value)} data-testid="pair-name" />
      </label>
      {error && (
        <p class="error" role="alert" data-testid="pair-error">
          {error}
        </p>
      )}
      <button type="submit" class="btn btn-primary btn-lg" disabled={busy || !code.trim() || !name.trim()} data-testid="pair-submit">
        {t('pair.submit')}
      </button>
      <p class="help">
        {t('pair.caHelp')} <a href="/lan/ca">{t('pair.caLink')}</a>
      </p>
    </form>
  );
}
