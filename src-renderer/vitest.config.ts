/** Renderer unit tests: Svelte components and state classes in happy-dom (a project of the root vitest config). */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import path from 'node:path';
import { defineProject } from 'vitest/config';

const root = path.resolve(import.meta.dirname, '..');

export default defineProject({
  root,
  plugins: [svelte({ configFile: path.join(import.meta.dirname, 'svelte.config.js') }), svelteTesting()],
  test: {
    name: 'renderer',
    environment: 'happy-dom',
    root,
    include: ['test/renderer/**/*.test.ts'],
  },
});
