import { render } from 'preact';
import { App } from './app';
import { CustomerDisplay } from './display/CustomerDisplay';
import { langStore } from './app-state';
import { unlockAudioOnFirstGesture } from './sound';
import './styles/app.css';

document.documentElement.lang = langStore.get() === 'zh' ? 'zh-CN' : 'en';
// `/display`: the customer-facing screen, read-only, no session (see display/).
const isDisplay = globalThis.location?.pathname?.replace(/\/+$/, '') === '/display';
if (!isDisplay) unlockAudioOnFirstGesture();
render(isDisplay ? <CustomerDisplay /> : <App />, document.getElementById('app')!);
