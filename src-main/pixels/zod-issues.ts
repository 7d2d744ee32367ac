/**
 * The one formatter of schema failures: "field: reason; field: reason", naming each offending field by its path, so
 * a refused request, settings file or pack manifest says what to fix. Typed structurally (any zod error fits), so the
 * kernel does not load zod.
 */

/** The part of a zod error the formatter reads. */
export interface IssueList {
  readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
}

export interface DescribeIssuesOptions {
  /** How an issue about the whole value (empty path) is named; default `(root)`. */
  root?: string;
  /** Between issues; default `; `. */
  separator?: string;
  /** At most this many issues (the first ones), for messages that cross a boundary; default all. */
  limit?: number;
}

/** The issues as one line (or one block, with a line-break separator), each `path.to.field: message`. */
export function describeIssues(error: IssueList, options: DescribeIssuesOptions = {}): string {
  const { root = '(root)', separator = '; ', limit } = options;
  return error.issues
    .slice(0, limit)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : root}: ${i.message}`)
    .join(separator);
}
