/** Issue 13 point 4: the right-click hand-off asks with the result size and time before it queues anything. */
import { describe, expect, it } from 'vitest';
import { chooseHandoffScale, handoffSheet } from '../../../src-main/app/handoff-sheet';

describe('handoffSheet', () => {
  it('offers 2× first for a 24 MP photo, with the sizes and times of both, and Cancel last', () => {
    const s = handoffSheet([{ name: 'camera.jpg', width: 6000, height: 4000 }], 4, { secondsPerMegapixel: 30, basis: 'measured' });
    expect(s.message).toBe('Restore “camera.jpg”?');
    expect(s.buttons).toEqual(['Restore at 2×', 'Restore at 4×', 'Cancel']);
    expect(s.scales).toEqual([2, 4]);
    // 24 MP × 30 s = 720 s = 12 min; sizes computed by hand.
    expect(s.detail.split('\n')).toEqual([
      '2×: 6000×4000 → 12000×8000, about 96 MP, about 12 min',
      '4×: 6000×4000 → 24000×16000, about 384 MP, about 12 min',
      'This photo is already over 12 MP, so 2× is suggested.',
    ]);
    expect(s.checkboxLabel).toBe('Don’t ask again');
  });

  it('offers the default scale alone for small photos, says when the time is an estimate, and sums a batch', () => {
    const s = handoffSheet(
      [
        { name: 'a.jpg', width: 1000, height: 1000 },
        { name: 'b.jpg', width: 2000, height: 1000 },
      ],
      4,
      { secondsPerMegapixel: 20, basis: 'cost' },
    );
    expect(s.message).toBe('Restore 2 photos?');
    expect(s.scales).toEqual([4]);
    expect(s.detail).toBe('4×: results of about 48 MP in all, about 1 min (estimate)');
    expect(handoffSheet([{ name: 'a.jpg', width: 100, height: 100 }], 2, null).detail).toBe('2×: 100×100 → 200×200, about 0.04 MP');
  });
});

describe('chooseHandoffScale', () => {
  const big = [{ name: 'camera.jpg', width: 6000, height: 4000 }];
  const asker = (response: number, checkboxChecked = false, shouldAsk = true) => {
    const calls = { asked: 0, dontAsk: 0 };
    return {
      calls,
      shouldAsk: () => shouldAsk,
      ask: async () => {
        calls.asked += 1;
        return { response, checkboxChecked };
      },
      dontAskAgain: () => {
        calls.dontAsk += 1;
      },
    };
  };

  it('queues at the scale of the button pressed; Cancel queues nothing', async () => {
    await expect(chooseHandoffScale(big, 4, null, asker(1))).resolves.toBe(4);
    await expect(chooseHandoffScale(big, 4, null, asker(0))).resolves.toBe(2);
    await expect(chooseHandoffScale(big, 4, null, asker(2))).resolves.toBeNull();
  });

  it('remembers "Don’t ask again", and without the sheet a large photo still gets 2×', async () => {
    const a = asker(0, true);
    await chooseHandoffScale(big, 4, null, a);
    expect(a.calls.dontAsk).toBe(1);
    const silent = asker(1, false, false);
    await expect(chooseHandoffScale(big, 4, null, silent)).resolves.toBe(2);
    expect(silent.calls.asked).toBe(0);
  });
});
