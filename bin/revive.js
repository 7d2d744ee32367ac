#!/usr/bin/env node
// The `revive` command from a checkout (npx revive, npm run sample): runs the built CLI, dist/cli/main.js, with plain
// Node — `npm run build` (part of `npm run setup`) writes it. REVIVE_DEV=1 runs the TypeScript sources through tsx's
// loader instead, for development without a build step (slower to start; the tests use it so they exercise the
// sources). The installed app has its own launchers (resources/{linux,windows,macos}), which run the same bundle.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);

if (process.env.REVIVE_DEV === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  const { runAsProgram } = await import('../src-main/cli/main.ts');
  await runAsProgram();
} else if (existsSync(built)) {
  const { runAsProgram } = await import(built.href);
  await runAsProgram();
} else {
  process.stderr.write(
    `revive: error: the command is not built (${fileURLToPath(built)} is missing): run "npm run build",\n` +
      'or set REVIVE_DEV=1 to run the TypeScript sources through tsx.\n',
  );
  process.exitCode = 69; // EX_UNAVAILABLE (sysexits.h): not a usage error, the command itself is missing
}
