// Electron's main entry for `npm start`: registers tsx's loader in-process (as bin/revive.js does for the CLI), so
// the TypeScript sources run without a separate build; the preload and the interface are bundled beforehand.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
