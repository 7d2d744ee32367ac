/** Types of groups.mjs (plain JavaScript so stryker.config.mjs can import it). */
export interface MutationGroup {
  mutate: string[];
  tests: string[];
}
export declare const MUTATION_GROUPS: Record<string, MutationGroup>;
export declare function mutationGroup(name?: string): MutationGroup & { name: string };
