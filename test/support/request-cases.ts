/**
 * Hand-written valid and invalid requests for every IPC channel, written from the contract's documented rules (field
 * types, ranges, strict objects) and NOT derived from its zod schemas, so that a wrong schema fails the tests that use
 * them (test/unit/ipc/ipc-oracle.test.ts, ipc-fuzz.test.ts). A channel added to the contract without cases here fails
 * the oracle test.
 */
import type { Channel } from '../../src-preload/contract';
import { DEFAULT_SETTINGS } from './fake-core';

export interface ChannelCases {
  valid: unknown[];
  /** [what is wrong, payload] */
  invalid: [string, unknown][];
}

/** Invalid for every request: requests are objects, and strict ones. */
const ALWAYS_INVALID: [string, unknown][] = [
  ['not an object', 'x'],
  ['null', null],
  ['an array', []],
  ['an unknown key', { unexpected: 1 }],
];

export function requestCases(photo: string): Record<Channel, ChannelCases> {
  const s = DEFAULT_SETTINGS;
  const empty: ChannelCases = { valid: [{}], invalid: [['a key on an empty request', { now: true }]] };
  return {
    'app:info': empty,
    'inputs:add': {
      valid: [{ paths: [photo] }, { paths: [photo, photo], recursive: true }],
      invalid: [
        ['no paths', {}],
        ['empty path list', { paths: [] }],
        ['an empty path', { paths: [''] }],
        ['a NUL byte in a path', { paths: ['a\0b'] }],
        ['a path over 4096 characters', { paths: ['p'.repeat(4097)] }],
        ['paths as a string', { paths: photo }],
        ['recursive as a string', { paths: [photo], recursive: 'yes' }],
        ['over 10000 paths', { paths: Array.from({ length: 10_001 }, () => photo) }],
      ],
    },
    'inputs:pick': { valid: [{}, { folders: true }], invalid: [['folders as a number', { folders: 1 }]] },
    'jobs:check': {
      valid: [{ paths: [photo], settings: s }],
      invalid: [
        ['no settings', { paths: [photo] }],
        ['scale as a string', { paths: [photo], settings: { ...s, scale: '4' } }],
        ['no paths', { paths: [], settings: s }],
      ],
    },
    'jobs:start': {
      valid: [{ paths: [photo], settings: s }, { paths: [photo], settings: s, force: true, fallbackFormat: 'png' }],
      invalid: [
        ['an unknown output format', { paths: [photo], settings: s, fallbackFormat: 'bmp' }],
        ['force as a string', { paths: [photo], settings: s, force: 'true' }],
        ['settings as a string', { paths: [photo], settings: 'default' }],
      ],
    },
    'jobs:list': empty,
    'jobs:pause': { valid: [{}, { now: true }], invalid: [['now as a string', { now: 'now' }]] },
    'jobs:resume': empty,
    'jobs:cancel': {
      valid: [{}, { itemId: 3 }],
      invalid: [
        ['a negative item id', { itemId: -1 }],
        ['a fractional item id', { itemId: 1.5 }],
        ['an item id as a string', { itemId: '3' }],
      ],
    },
    'jobs:remove': {
      valid: [{ itemIds: [1, 2] }],
      invalid: [
        ['no item ids', { itemIds: [] }],
        ['an id beyond the safe integers', { itemIds: [2 ** 60] }],
        ['ids as a number', { itemIds: 1 }],
      ],
    },
    'library:list': {
      valid: [{}, { text: 'leaf', status: 'failed', limit: 500, offset: 0 }, { modelId: 'realesrgan-x4fast', camera: 'Kodak' }],
      invalid: [
        ['limit 0', { limit: 0 }],
        ['limit over 500', { limit: 501 }],
        ['a negative offset', { offset: -1 }],
        ['an unknown status', { status: 'pending' }],
        ['text over 200 characters', { text: 't'.repeat(201) }],
      ],
    },
    'library:rerun': {
      valid: [{ id: 1, settings: s }],
      invalid: [
        ['no id', { settings: s }],
        ['an id as a string', { id: '1', settings: s }],
      ],
    },
    'library:reveal': {
      valid: [{ id: 1 }, { id: 1, which: 'source' }],
      invalid: [
        ['an unknown side', { id: 1, which: 'both' }],
        ['no id', { which: 'output' }],
      ],
    },
    'library:remove': {
      valid: [{ id: 1 }, { id: 2, deleteOutput: true }],
      invalid: [['deleteOutput as a number', { id: 1, deleteOutput: 1 }]],
    },
    'models:list': empty,
    'models:add': {
      valid: [{ source: { kind: 'folder', path: '/tmp/pack' } }],
      invalid: [
        ['an unknown source kind', { source: { kind: 'ftp', path: '/tmp/pack' } }],
        ['a folder source without a path', { source: { kind: 'folder' } }],
        ['the source as a string', { source: '/tmp/pack' }],
      ],
    },
    'models:verify': {
      valid: [{ id: 'realesrgan-x4fast' }],
      invalid: [
        ['an empty id', { id: '' }],
        ['an id over 128 characters', { id: 'm'.repeat(129) }],
        ['an id as a number', { id: 7 }],
      ],
    },
    'models:remove': { valid: [{ id: 'realesrgan-x4fast' }], invalid: [['no id', {}]] },
    'settings:get': empty,
    'settings:set': {
      valid: [{ patch: {} }, { patch: { theme: 'dark' } }, { patch: { skipDone: false, defaults: { scale: 2 } } }],
      invalid: [
        ['an unknown theme', { patch: { theme: 'blue' } }],
        ['an unknown setting', { patch: { fontSize: 12 } }],
        ['no patch', {}],
        ['recursive as a string', { patch: { recursive: 'true' } }],
      ],
    },
    'preview:region': {
      valid: [{ path: photo, rect: { x: 0, y: 0, width: 8, height: 1024 }, settings: s }],
      invalid: [
        ['a rectangle under 8 pixels wide', { path: photo, rect: { x: 0, y: 0, width: 7, height: 64 }, settings: s }],
        ['a rectangle over 1024 pixels high', { path: photo, rect: { x: 0, y: 0, width: 64, height: 1025 }, settings: s }],
        ['a negative x', { path: photo, rect: { x: -1, y: 0, width: 64, height: 64 }, settings: s }],
        ['no settings', { path: photo, rect: { x: 0, y: 0, width: 64, height: 64 } }],
      ],
    },
    'device:info': empty,
    'folders:list': {
      valid: [{}, { dir: '/home' }],
      invalid: [
        ['an empty folder', { dir: '' }],
        ['a folder that is not a string', { dir: 7 }],
        ['an unknown field', { dir: '/home', recursive: true }],
      ],
    },
    'folders:pick': {
      valid: [{}, { title: 'Choose a folder' }],
      invalid: [
        ['a title over 200 characters', { title: 'x'.repeat(201) }],
        ['a title that is not a string', { title: 1 }],
        ['an unknown field', { title: 'x', dir: '/' }],
      ],
    },
    'shell:integration': {
      valid: [{}, { enabled: true }, { enabled: false }],
      invalid: [
        ['enabled that is not a boolean', { enabled: 'yes' }],
        ['an unknown field', { enabled: true, managers: ['nautilus'] }],
      ],
    },
    'library:repair-again': {
      valid: [
        { id: 1, strokes: [{ tool: 'paint', radius: 4, points: [10, 10, 20, 12] }] },
        { id: 1, strokes: [{ tool: 'erase', radius: 0.5, points: [0, 0] }, { tool: 'paint', radius: 2000, points: [1.5, 2.5, 3, 4, 5, 6] }] },
      ],
      invalid: [
        ['no strokes', { id: 1, strokes: [] }],
        ['no id', { strokes: [{ tool: 'paint', radius: 4, points: [1, 1] }] }],
        ['an unknown tool', { id: 1, strokes: [{ tool: 'blur', radius: 4, points: [1, 1] }] }],
        ['a radius under half a pixel', { id: 1, strokes: [{ tool: 'paint', radius: 0.4, points: [1, 1] }] }],
        ['a radius over 2000', { id: 1, strokes: [{ tool: 'paint', radius: 2001, points: [1, 1] }] }],
        ['an odd number of coordinates', { id: 1, strokes: [{ tool: 'paint', radius: 4, points: [1, 2, 3] }] }],
        ['no points', { id: 1, strokes: [{ tool: 'paint', radius: 4, points: [] }] }],
        ['over 4000 coordinates in a stroke', { id: 1, strokes: [{ tool: 'paint', radius: 4, points: Array.from({ length: 4002 }, () => 1) }] }],
        ['over 200 strokes', { id: 1, strokes: Array.from({ length: 201 }, () => ({ tool: 'paint', radius: 4, points: [1, 1] })) }],
        ['a coordinate as a string', { id: 1, strokes: [{ tool: 'paint', radius: 4, points: ['1', 1] }] }],
        ['a path instead of strokes', { id: 1, mask: '/etc/passwd', strokes: [{ tool: 'paint', radius: 4, points: [1, 1] }] }],
        ['an unknown stroke field', { id: 1, strokes: [{ tool: 'paint', radius: 4, points: [1, 1], file: '/tmp/m.png' }] }],
      ],
    },
  };
}

/** The channel's cases plus the ones every request shares. */
export function casesFor(photo: string, channel: Channel): ChannelCases {
  const c = requestCases(photo)[channel];
  return { valid: c.valid, invalid: [...ALWAYS_INVALID, ...c.invalid] };
}
