/**
 * Builds the interface into dist/renderer: one page, hashed assets, CSS extracted (the page's CSP allows no inline
 * styles or scripts). The same build runs in Electron (served by the `revive-app:` protocol) and in a browser
 * (served by `revive serve`).
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import path from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: '/',
  plugins: [svelte({ configFile: path.join(here, 'svelte.config.js') })],
  build: {
    outDir: path.resolve(here, '../dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    // Inlined assets would become data: URLs the CSP would have to allow for scripts; keep them as files.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
});
