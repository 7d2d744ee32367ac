import { describe, expect, it } from 'vitest';
import { tileBlendWeights } from '../../../src-main/tiling/blend';
import { axisStarts, planRowBands, planTiles, tileSizeForBudget, type PlanOptions, type Tile } from '../../../src-main/tiling/plan';
import { rng } from '../../support/random';


function randomOptions(r: () => number, maxSide: number): Required<PlanOptions> {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const multiple = [1, 1, 2, 4, 8][int(0, 4)]!;
  const tile = multiple * int(Math.max(2, Math.ceil(16 / multiple)), Math.ceil(128 / multiple));
  const overlap = int(0, tile - multiple);
  return {
    width: int(1, maxSide),
    height: int(1, maxSide),
    tile,
    overlap,
    pad: int(0, 20),
    scale: int(1, 4),
    multiple,
  };
}

const inside = (r: { x: number; y: number; w: number; h: number }, w: number, h: number) =>
  r.w > 0 && r.h > 0 && r.x >= 0 && r.y >= 0 && r.x + r.w <= w && r.y + r.h <= h;

function columns(tiles: Tile[]): Tile[] {
  return tiles.filter((t) => t.row === 0);
}
function rows(tiles: Tile[]): Tile[] {
  return tiles.filter((t) => t.col === 0);
}

describe('planTiles', () => {
  const r = rng(20240611);
  const configs = Array.from({ length: 250 }, () => randomOptions(r, 500));

  it('covers every input pixel with cores that lie inside the image', () => {
    const problems: string[] = [];
    for (const o of configs) {
      const tiles = planTiles(o);
      const seen = new Uint8Array(o.width * o.height);
      for (const t of tiles) {
        if (!inside(t.core, o.width, o.height)) problems.push(JSON.stringify({ o, core: t.core }));
        for (let y = t.core.y; y < t.core.y + t.core.h; y++) seen.fill(1, y * o.width + t.core.x, y * o.width + t.core.x + t.core.w);
      }
      if (seen.indexOf(0) >= 0) problems.push(`uncovered pixel ${seen.indexOf(0)} in ${JSON.stringify(o)}`);
    }
    expect(problems).toEqual([]);
  });

  it('uses one core size per axis: the image side when it fits a tile, else the smallest aligned core that needs no more cores than full tiles', () => {
    const problems: string[] = [];
    for (const o of configs) {
      const tiles = planTiles(o);
      const m = o.multiple ?? 1;
      for (const [length, cores, sizes] of [
        [o.width, new Set(tiles.map((t) => t.core.x)).size, new Set(tiles.map((t) => t.core.w))],
        [o.height, new Set(tiles.map((t) => t.core.y)).size, new Set(tiles.map((t) => t.core.h))],
      ] as const) {
        if (sizes.size !== 1) { problems.push(`several core sizes ${[...sizes]}: ${JSON.stringify(o)}`); continue; }
        const core = [...sizes][0]!;
        if (length <= o.tile) {
          if (core !== length || cores !== 1) problems.push(`fits a tile but ${cores}×${core}: ${JSON.stringify(o)}`);
          continue;
        }
        // Independent bounds: never above the tile; as many cores as full-size tiles would need (more only when
        // aligning starts to the multiple forces it); one multiple less could not cover the side with that many.
        const fullTiles = 1 + Math.ceil((length - o.tile) / (o.tile - o.overlap));
        if (core > o.tile) problems.push(`core ${core} > tile: ${JSON.stringify(o)}`);
        if (m === 1 && cores !== fullTiles) problems.push(`${cores} cores, full tiles need ${fullTiles}: ${JSON.stringify(o)}`);
        if (core - m > o.overlap && fullTiles * (core - m) >= length + (fullTiles - 1) * o.overlap) {
          problems.push(`core ${core} is not the smallest that covers: ${JSON.stringify(o)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('overlaps neighbouring cores by at least `overlap`, with strictly increasing starts', () => {
    const problems: string[] = [];
    for (const o of configs) {
      const tiles = planTiles(o);
      for (const axis of [columns(tiles).map((t) => [t.core.x, t.core.w]), rows(tiles).map((t) => [t.core.y, t.core.h])]) {
        for (let i = 1; i < axis.length; i++) {
          const [p, pw] = axis[i - 1]!;
          const [s] = axis[i]!;
          if (!(s! > p!) || p! + pw! - s! < o.overlap) problems.push(`${p}+${pw} then ${s}: ${JSON.stringify(o)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('forms a grid: each row shares y, each column shares x, in row-major order', () => {
    const problems: string[] = [];
    for (const o of configs.slice(0, 100)) {
      const tiles = planTiles(o);
      const nc = columns(tiles).length;
      tiles.forEach((t, i) => {
        const ok = t.index === i && t.col === i % nc && t.row === Math.floor(i / nc)
          && t.core.x === tiles[t.col]!.core.x && t.core.y === tiles[t.row * nc]!.core.y;
        if (!ok) problems.push(JSON.stringify({ o, i, t }));
      });
    }
    expect(problems).toEqual([]);
  });

  it('describes the padded model input exactly: core ± pad, aligned, mirrored only beyond the image', () => {
    const problems: string[] = [];
    for (const o of configs) {
      for (const t of planTiles(o)) {
        const alignX = t.input.w - (t.core.w + 2 * o.pad);
        const alignY = t.input.h - (t.core.h + 2 * o.pad);
        const checks: [string, boolean][] = [
          ['source inside image', inside(t.source, o.width, o.height)],
          ['input = source + mirror', t.input.w === t.source.w + t.mirror.left + t.mirror.right
            && t.input.h === t.source.h + t.mirror.top + t.mirror.bottom],
          // The model input begins `pad` before the core on each axis…
          ['starts pad before core', t.source.x - t.mirror.left === t.core.x - o.pad && t.source.y - t.mirror.top === t.core.y - o.pad],
          // …and ends `pad` after it, plus fewer than `multiple` alignment pixels.
          ['alignment', alignX >= 0 && alignX < o.multiple && alignY >= 0 && alignY < o.multiple],
          ['input multiple', t.input.w % o.multiple === 0 && t.input.h % o.multiple === 0],
          // Mirroring happens only at image borders, and only for what lies outside.
          ['mirror left at border', t.mirror.left === 0 || t.source.x === 0],
          ['mirror top at border', t.mirror.top === 0 || t.source.y === 0],
          ['mirror right at border', t.mirror.right === 0 || t.source.x + t.source.w === o.width],
          ['mirror bottom at border', t.mirror.bottom === 0 || t.source.y + t.source.h === o.height],
          ['mirror left amount', t.mirror.left === Math.max(0, o.pad - t.core.x)],
          ['mirror top amount', t.mirror.top === Math.max(0, o.pad - t.core.y)],
          ['inner', t.inner.x === o.pad && t.inner.y === o.pad && t.inner.w === t.core.w && t.inner.h === t.core.h
            && inside(t.inner, t.input.w, t.input.h)],
          ['output = core × scale', t.output.x === t.core.x * o.scale && t.output.y === t.core.y * o.scale
            && t.output.w === t.core.w * o.scale && t.output.h === t.core.h * o.scale],
          ['output inside', inside(t.output, o.width * o.scale, o.height * o.scale)],
        ];
        for (const [name, ok] of checks) if (!ok) problems.push(`${name}: ${JSON.stringify({ o, t })}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('starts cores on multiples of `multiple` when the image side is a multiple', () => {
    const misaligned: string[] = [];
    for (const o of configs) {
      const w = Math.max(o.multiple, o.width - (o.width % o.multiple));
      const starts = axisStarts(w, o.tile, o.overlap, o.multiple);
      if (starts.some((s) => s % o.multiple !== 0)) misaligned.push(`${w}: ${starts.join(',')} ${JSON.stringify(o)}`);
    }
    expect(misaligned).toEqual([]);
  });

  it('is pure: the same options give the same tiles', () => {
    const o = configs[7]!;
    expect(planTiles({ ...o })).toEqual(planTiles({ ...o }));
  });

  it('spreads the cores evenly (a 1000 px side, tile 256, overlap 32 → 5 cores)', () => {
    // Independent arithmetic: ceil((1000 - 32) / (256 - 32)) = 5 cores, span 744 spread as 186 per step.
    expect(axisStarts(1000, 256, 32)).toEqual([0, 186, 372, 558, 744]);
  });

  it('rejects impossible options with messages that name the values', () => {
    const base = { width: 100, height: 80, tile: 64, overlap: 8, pad: 4, scale: 4 };
    expect(() => planTiles({ ...base, tile: 100, multiple: 8 })).toThrow('tile must be a multiple of 8 (e.g. 96), got 100');
    expect(() => planTiles({ ...base, overlap: 64 })).toThrow('overlap 64 must be smaller than tile 64');
    expect(() => planTiles({ ...base, tile: 64, overlap: 60, multiple: 8 })).toThrow(
      'tile 64 minus overlap 60 leaves a step of 4, less than multiple 8',
    );
    expect(() => planTiles({ ...base, width: 0 })).toThrow('width must be a positive integer, got 0');
    expect(() => planTiles({ ...base, scale: 1.5 })).toThrow('scale must be a positive integer, got 1.5');
    expect(() => planTiles({ ...base, pad: -1 })).toThrow('pad must be a non-negative integer, got -1');
    expect(() => planTiles({ ...base, overlap: -2 })).toThrow('overlap must be a non-negative integer, got -2');
  });
});

describe('planRowBands', () => {
  it('groups rows in order; each band releases output rows no later band touches, covering all rows once', () => {
    const r = rng(99);
    for (let n = 0; n < 120; n++) {
      const o = randomOptions(r, 400);
      const tiles = planTiles(o);
      const bands = planRowBands(tiles);
      expect(bands.flatMap((b) => b.tiles)).toEqual(tiles);
      let y = 0;
      bands.forEach((b, i) => {
        expect(b.row).toBe(i);
        expect(b.finalRows.y0).toBe(y);
        expect(b.finalRows.y1).toBeGreaterThan(y);
        y = b.finalRows.y1;
        // The band itself has reached every row it releases.
        expect(Math.min(...b.tiles.map((t) => t.output.y + t.output.h))).toBeGreaterThanOrEqual(b.finalRows.y1);
        const laterTop = Math.min(...bands.slice(i + 1).flatMap((l) => l.tiles.map((t) => t.output.y)));
        expect(laterTop).toBeGreaterThanOrEqual(b.finalRows.y1);
      });
      expect(y).toBe(o.height * o.scale);
    }
  });
});

describe('tileBlendWeights on planned tiles', () => {
  it('sum to 1 at every output pixel (tolerance 1e-6) for random configurations', () => {
    const r = rng(4242);
    for (let n = 0; n < 60; n++) {
      const o = randomOptions(r, 260);
      o.scale = 1 + (n % 3);
      const tiles = planTiles(o);
      const weightsFor = tileBlendWeights(tiles);
      const W = o.width * o.scale;
      const H = o.height * o.scale;
      const sum = new Float64Array(W * H);
      let smallest = Infinity;
      for (const t of tiles) {
        const { x, y } = weightsFor(t.output) as { x: ArrayLike<number>; y: ArrayLike<number> };
        for (let j = 0; j < t.output.h; j++) {
          for (let i = 0; i < t.output.w; i++) {
            const w = x[i]! * y[j]!;
            smallest = Math.min(smallest, w);
            sum[(t.output.y + j) * W + t.output.x + i]! += w;
          }
        }
      }
      let worst = 0;
      for (const s of sum) worst = Math.max(worst, Math.abs(s - 1));
      expect(worst, JSON.stringify(o)).toBeLessThanOrEqual(1e-6);
      expect(smallest).toBeGreaterThan(0);
    }
  });

  it('are 1 away from overlaps and at image borders, and a raised cosine across a two-tile overlap', () => {
    // 2 columns: 100 px, tile ≤ 64, overlap ≥ 16 → balanced 58 px cores at 0 and 42, overlap 16 (x 42..57).
    const tiles = planTiles({ width: 100, height: 50, tile: 64, overlap: 16, pad: 0, scale: 1 });
    expect(tiles.map((t) => t.core.x)).toEqual([0, 42]);
    const wf = tileBlendWeights(tiles);
    const left = wf(tiles[0]!.output) as { x: Float64Array; y: Float64Array };
    const right = wf(tiles[1]!.output) as { x: Float64Array; y: Float64Array };
    expect([...left.y].every((v) => v === 1)).toBe(true); // single row: no vertical ramp at the borders
    for (let i = 0; i < 42; i++) expect(left.x[i]).toBe(1);
    for (let i = 16; i < 58; i++) expect(right.x[i]).toBe(1);
    for (let t = 0; t < 16; t++) {
      const expected = 0.5 - 0.5 * Math.cos((Math.PI * (t + 0.5)) / 16);
      expect(right.x[t]).toBeCloseTo(expected, 12);
      expect(left.x[42 + t]).toBeCloseTo(1 - expected, 12);
    }
  });
});

describe('tileSizeForBudget', () => {
  it('picks the largest aligned edge whose padded square fits', () => {
    // sqrt(4e6 / 12) = 577.35 → 577 - 2×10 = 557 → multiple of 8: 552.
    expect(tileSizeForBudget({ bytesBudget: 4e6, bytesPerInputPixel: 12, multiple: 8, min: 64, max: 1024, pad: 10 })).toBe(552);
    const edge = 552 + 20;
    expect(edge * edge * 12).toBeLessThanOrEqual(4e6);
    expect((edge + 8) ** 2 * 12).toBeGreaterThan(4e6);
  });

  it('clamps to [min, max] and validates', () => {
    expect(tileSizeForBudget({ bytesBudget: 1e12, bytesPerInputPixel: 1, multiple: 8, min: 64, max: 1000 })).toBe(1000 - (1000 % 8));
    expect(tileSizeForBudget({ bytesBudget: 100, bytesPerInputPixel: 1, multiple: 8, min: 60, max: 1024 })).toBe(64);
    expect(() => tileSizeForBudget({ bytesBudget: 0, bytesPerInputPixel: 1, min: 64, max: 128 })).toThrow(
      'bytesBudget must be positive, got 0',
    );
    expect(() => tileSizeForBudget({ bytesBudget: 10, bytesPerInputPixel: 1, multiple: 16, min: 65, max: 70 })).toThrow(
      'no multiple of 16 lies between min 65 and max 70',
    );
  });
});
