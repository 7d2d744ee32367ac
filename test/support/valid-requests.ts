/** One valid request per contract channel (the fuzz test mutates these; the dispatcher tests send them). */
import type { Channel, Req } from '../../src-preload/contract';
import { DEFAULT_SETTINGS } from './fake-core';

export function validRequests(photo: string): { [C in Channel]: Req<C> } {
  return {
    'app:info': {},
    'inputs:add': { paths: [photo], recursive: false },
    'inputs:pick': { folders: false },
    'jobs:check': { paths: [photo], settings: DEFAULT_SETTINGS },
    'jobs:start': { paths: [photo], settings: DEFAULT_SETTINGS },
    'jobs:list': {},
    'jobs:pause': { now: false },
    'jobs:resume': {},
    'jobs:cancel': {},
    'jobs:remove': { itemIds: [1] },
    'library:list': { text: 'photo', status: 'all', limit: 10, offset: 0 },
    'library:rerun': { id: 1, settings: DEFAULT_SETTINGS },
    'library:reveal': { id: 1, which: 'output' },
    'library:remove': { id: 1, deleteOutput: false },
    'models:list': {},
    'models:add': { source: { kind: 'folder', path: '/tmp/pack' } },
    'models:verify': { id: 'realesrgan-x4fast' },
    'models:remove': { id: 'realesrgan-x4fast' },
    'settings:get': {},
    'settings:set': { patch: { theme: 'dark' } },
    'preview:region': { path: photo, rect: { x: 0, y: 0, width: 64, height: 64 }, settings: DEFAULT_SETTINGS },
    'device:info': {},
    'folders:list': {},
    'folders:pick': {},
    'shell:integration': {},
    'library:repair-again': { id: 1, strokes: [{ tool: 'paint', radius: 4, points: [10, 10, 20, 12] }] },
  };
}
