#!/usr/bin/env node
// The `revive` command: runs the TypeScript CLI through tsx's loader (registered in-process, so no build step).
import { register } from 'tsx/esm/api';

register();
const { runAsProgram } = await import('../src-main/cli/main.ts');
await runAsProgram();
