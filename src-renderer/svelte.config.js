// Svelte options shared by vite, vitest and svelte-check: TypeScript in <script lang="ts">, runes everywhere.
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
};
