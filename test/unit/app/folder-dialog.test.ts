/** The desktop folder chooser behind `folders:pick`, with Electron's dialog mocked. */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const answers: { canceled: boolean; filePaths: string[] }[] = [];
const shown: { win: unknown; options: Record<string, unknown> }[] = [];

vi.mock('electron', () => {
  const dialog = {
    showOpenDialog: vi.fn(async (win: unknown, options: Record<string, unknown>) => {
      shown.push({ win, options });
      return answers.shift() ?? { canceled: true, filePaths: [] };
    }),
  };
  return { default: { dialog }, dialog };
});

const { chooseFolder } = await import('../../../src-main/app/folder-dialog');

describe('chooseFolder', () => {
  beforeEach(() => {
    answers.length = 0;
    shown.length = 0;
  });

  it('opens a folder-only dialog over the window and returns the chosen folder', async () => {
    answers.push({ canceled: false, filePaths: ['/home/me/Restored'] });
    const win = { id: 7 };
    await expect(chooseFolder(win as never, { defaultPath: '/home/me' })).resolves.toBe('/home/me/Restored');
    expect(shown).toHaveLength(1);
    expect(shown[0]!.win).toBe(win);
    expect(shown[0]!.options.properties).toEqual(['openDirectory', 'createDirectory']);
    expect(shown[0]!.options.defaultPath).toBe('/home/me');
  });

  it('returns null when cancelled, never an empty path', async () => {
    answers.push({ canceled: true, filePaths: [] });
    await expect(chooseFolder({} as never, {})).resolves.toBeNull();
    answers.push({ canceled: false, filePaths: [] });
    await expect(chooseFolder({} as never, {})).resolves.toBeNull();
    expect(shown[0]!.options).not.toHaveProperty('defaultPath');
  });
});
