import { render } from 'preact';
import { App } from './app';
import { CustomerDisplay } from './display/CustomerDisplay';
import { backendListenerCount, langStore, toastStore, unpairedStore } from './app-state';
import { backend } from './backend';
import { unlockAudioOnFirstGesture } from './sound';
import { storeSubscriptions } from './store';
import './styles/app.css';

document.documentElement.lang = langStore.get() === 'zh' ? 'zh-CN' : 'en';
// `/display`: the customer-facing screen, read-only, no session (see display/).
const isDisplay = globalThis.location?.pathname?.replace(/\/+$/, '') === '/display';
// Not in the desktop shell: WebKitGTK plays audio without a gesture, and an AudioContext there
// is a GStreamer pipeline in the web process for the rest of the day; it is made at the
// first beep instead (a till that never gets an online order never pays for it).
if (!isDisplay && backend().kind !== 'tauri') unlockAudioOnFirstGesture();
// Opened from the till's pairing QR on a device that is not paired yet: pairing first.
const tokens = backend().tokens;
if (!isDisplay && tokens.pairCode() && !tokens.device()) unpairedStore.set(true);
// Installable on the iPad (HTTPS only): the service worker keeps the app shell, never answers.
if (!isDisplay && location.protocol === 'https:' && 'serviceWorker' in navigator) {
  void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
}
// What the page holds, for the memory run over a day of sales (scripts/desktop-mem.sh reads
// it over WebDriver; WebKit has no performance.memory): listeners that only ever grew would show.
(globalThis as { __storeposProbe?: () => Record<string, number> }).__storeposProbe = () => ({
  bus_listeners: backendListenerCount(),
  store_subscriptions: storeSubscriptions(),
  toast_items: toastStore.get().length,
});
render(isDisplay ? <CustomerDisplay /> : <App />, document.getElementById('app')!);
