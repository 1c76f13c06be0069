// What a compiled part of a Config was built from, so that the prepared form
// (prepared.ts) can carry the source and the Worker can build the part again
// without validating it (apply did). Kept beside the compiled object, never
// in it: filters and patterns stay the small frozen objects the request path
// reads. Every kind is registered by the one function that compiles it
// (gateway/rules.ts compileFilters, routing/pattern.ts compilePattern,
// action/action.ts poolAction and canaryAction: one node for an Ingress
// path's whole action, not one per object in it); a
// compiled object without a recipe cannot be carried, and a config holding
// one takes the full path.

/**
 * A filter: its registry type, the config object its schema gave (valibot
 * output), and the compile context without `pools`: the decoder gives the
 * config's own pool names, which is what parseConfig compiled it with (every
 * pool the document names). A filter interned across configs (AccessControl,
 * by its settings) keeps the recipe of its last compile, from whichever
 * config: interning already means its compile depends on the settings alone.
 */
export interface FilterRecipe {
  readonly kind: "filter";
  readonly type: string;
  readonly raw: unknown;
  readonly ctx: { readonly matchPathTypes: readonly string[]; readonly namespace: string; readonly onBackendRef: boolean };
}

/** A regular expression compiled by compilePattern. */
export interface PatternRecipe {
  readonly kind: "pattern";
  readonly pattern: string;
  readonly options: { readonly anchored?: boolean; readonly caseInsensitive?: boolean };
}

/** An Ingress or native path's action (action.ts poolAction): its pool, source, name and filters. */
export interface PoolActionRecipe {
  readonly kind: "poolAction";
  readonly pool: string;
  readonly source: string;
  readonly name: string;
  readonly filters: readonly unknown[];
}

/** A path's canary action (action.ts canaryAction). */
export interface CanaryActionRecipe {
  readonly kind: "canaryAction";
  readonly pool: string;
  readonly canaryPool: string;
  readonly rule: unknown;
  readonly source: string;
}

export type Recipe = FilterRecipe | PatternRecipe | PoolActionRecipe | CanaryActionRecipe;

const recipes = new WeakMap<object, Recipe>();

/** Records what `made` was compiled from; returns it. */
export function remember<T extends object>(made: T, recipe: Recipe): T {
  recipes.set(made, recipe);
  return made;
}

export function recipeOf(made: object): Recipe | undefined {
  return recipes.get(made);
}
