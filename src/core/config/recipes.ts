// What a compiled part of a Config was built from, so that the prepared form
// (prepared.ts) can carry the source and the Worker can build the part again
// without validating it (apply did). Kept beside the compiled object, never
// in it: filters and patterns stay the small frozen objects the request path
// reads. Every kind is registered by the one function that compiles it
// (gateway/rules.ts compileFilters, routing/pattern.ts compilePattern); a
// compiled object without a recipe cannot be carried, and a config holding
// one takes the full path.

/** A filter: its registry type, the config object its schema gave (valibot output), and the compile context without `pools`. */
export interface FilterRecipe {
  readonly kind: "filter";
  readonly type: string;
  readonly raw: unknown;
  readonly ctx: { readonly matchPathTypes: readonly string[]; readonly namespace: string; readonly onBackendRef: boolean };
  /** The pool names the filter was compiled against: the decoder gives the config's own, so they must be those. */
  readonly pools: ReadonlySet<string>;
}

/** A regular expression compiled by compilePattern. */
export interface PatternRecipe {
  readonly kind: "pattern";
  readonly pattern: string;
  readonly options: { readonly anchored?: boolean; readonly caseInsensitive?: boolean };
}

export type Recipe = FilterRecipe | PatternRecipe;

const recipes = new WeakMap<object, Recipe>();

/** Records what `made` was compiled from; returns it. */
export function remember<T extends object>(made: T, recipe: Recipe): T {
  recipes.set(made, recipe);
  return made;
}

export function recipeOf(made: object): Recipe | undefined {
  return recipes.get(made);
}
