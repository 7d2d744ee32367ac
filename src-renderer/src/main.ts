/**
 * Entry point: finds the host API (`window.revive` from the Electron preload, or the bridge client in a browser),
 * creates the root state and mounts the interface.
 */
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { connectBridge } from './lib/api/bridge-client';
import { AppState } from './lib/app-state.svelte';

if (!window.revive) {
  // Opened in a browser from `revive serve`: speak the same contract over the bridge's WebSocket.
  window.revive = connectBridge().api;
}

const app = new AppState(window.revive);
const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target, props: { app } });
void app.init().then(() => app.openLink(location.hash));
window.addEventListener('hashchange', () => app.openLink(location.hash));
