import { render } from 'preact';
import { App } from './app';
import { langStore } from './app-state';
import './styles/app.css';

document.documentElement.lang = langStore.get() === 'zh' ? 'zh-CN' : 'en';
render(<App />, document.getElementById('app')!);
