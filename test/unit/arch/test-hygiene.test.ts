/**
 * Habits of the test suite itself, checked over every file under test/: no `expect` inside a try that has a catch
 * (a catch can swallow the assertion's error, and an expect inside the catch passes when nothing throws). try/finally
 * is fine: it rethrows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const TEST_ROOT = path.resolve(import.meta.dirname, '../..');

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : testSources(full);
    return /\.ts$/.test(e.name) ? [full] : [];
  });
}

/** `file:line` of each expect call inside a try block or a catch block of a try that has a catch. */
function expectsInTryCatch(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const expectsIn = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && /^expect(\.\w+)?$/.test(node.expression.getText(source))) {
      found.push(`${path.relative(TEST_ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`);
    }
    // A function defined inside the try runs later, maybe outside it: not this check's business.
    if (ts.isFunctionLike(node) && !ts.isSourceFile(node)) return;
    ts.forEachChild(node, expectsIn);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isTryStatement(node) && node.catchClause) {
      expectsIn(node.tryBlock);
      expectsIn(node.catchClause.block);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('test hygiene', () => {
  it('finds an expect in a try/catch (the check itself)', () => {
    const bad = 'it("x", () => { try { run(); } catch (e) { expect(e).toBeTruthy(); } });\ntry { expect(f()).toBe(1); } catch { /* swallowed */ }';
    expect(expectsInTryCatch(path.join(TEST_ROOT, 'x.ts'), bad)).toEqual(['x.ts:1', 'x.ts:2']);
    expect(expectsInTryCatch(path.join(TEST_ROOT, 'y.ts'), 'try { expect(1).toBe(1); } finally { done(); }')).toEqual([]);
  });

  it('no test puts an expect inside a try/catch', () => {
    const files = testSources(TEST_ROOT);
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((f) => expectsInTryCatch(f, readFileSync(f, 'utf8')))).toEqual([]);
  });
});
