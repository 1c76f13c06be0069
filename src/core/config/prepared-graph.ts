// The parts of a Config that are not plain JSON (route actions, filters,
// canary rules with their patterns, host policies) in the prepared form: a
// table of nodes, each an object, an array or a recipe (recipes.ts: what a
// filter or a pattern was compiled from), which the Worker turns back into
// objects one node at a time, on first use. An object reached twice (an
// HTTPRoute rule's action, shared by the routes of its hostnames; an access
// list interned across paths) is one node, decoded once.
//
// Node:  [OBJECT | FROZEN_OBJECT, {key: value}]  [ARRAY | FROZEN_ARRAY, value...]
//        [FILTER, type, raw, ctx]                 [PATTERN, pattern, options]
//        [POOL_ACTION, pool, source, name, filters] [CANARY_ACTION, pool, canaryPool, rule, source]
// Nodes are written children first; what only a compile step reads (a
// filter's settings) is one node per distinct content.
// Value: a JSON string, number, boolean or null as is; [] for undefined; [id] for node id.
//
// The writer refuses (throws Uncarried, naming where) anything else: a
// function or class instance without a recipe, a Map, a RegExp, a getter, a
// non-finite number. So nothing is dropped: a config it refuses has no
// prepared form and takes the full path.
import { canaryAction, poolAction } from "../action/action";
import type { Filter } from "../filters/filter";
import { filtersByType } from "../filters/registry";
import type { CanaryRule } from "../policy/canary";
import { buildPattern, type PatternOptions } from "../routing/pattern";
import { recipeOf, remember, type FilterRecipe, type Recipe } from "./recipes";

const OBJECT = 0;
const FROZEN_OBJECT = 1;
const ARRAY = 2;
const FROZEN_ARRAY = 3;
const FILTER = 4;
const PATTERN = 5;
const POOL_ACTION = 6;
const CANARY_ACTION = 7;

export type GraphNode = readonly unknown[];

/** What the writer cannot carry, and where. */
export class Uncarried extends Error {}

export class GraphWriter {
  readonly nodes: GraphNode[] = [];
  /** Filter types the nodes compile: a reader that lacks one takes the full path. */
  readonly filterTypes = new Set<string>();
  private readonly ids = new Map<object, number>();
  /** Nodes of what compile reads (a filter's settings), by content: one node for the same settings on a thousand paths. */
  private readonly byContent = new Map<string, number>();
  private readonly visiting = new Set<object>();
  private readonly at: (string | number)[] = [];

  /**
   * `v` as a node value; `at` names it in an Uncarried error. `shared`: plain
   * data only a compile step reads (never compared by identity), so equal
   * content may be one node.
   */
  value(v: unknown, at: string | number, shared = false): unknown {
    if (v === undefined) return [];
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    this.at.push(at);
    if (typeof v === "number" && Number.isFinite(v) && !Object.is(v, -0)) {
      this.at.pop();
      return v;
    }
    if (typeof v !== "object") throw this.refuse(`a ${typeof v}`);
    const ref = [this.ref(v, shared)];
    this.at.pop();
    return ref;
  }

  private ref(o: object, shared: boolean): number {
    const known = this.ids.get(o);
    if (known !== undefined) return known;
    if (this.visiting.has(o)) throw this.refuse("a cycle");
    this.visiting.add(o);
    const node = this.node(o, shared);
    this.visiting.delete(o);
    const key = shared && node[0] !== FILTER && node[0] !== PATTERN ? JSON.stringify(node) : undefined;
    let id = key === undefined ? undefined : this.byContent.get(key);
    if (id === undefined) {
      id = this.nodes.push(node) - 1;
      if (key !== undefined) this.byContent.set(key, id);
    }
    this.ids.set(o, id);
    return id;
  }

  private node(o: object, shared: boolean): GraphNode {
    const recipe = recipeOf(o);
    if (recipe) return this.recipe(recipe);
    const frozen = Object.isFrozen(o);
    if (!frozen && !Object.isExtensible(o)) throw this.refuse("a sealed object");
    if (Array.isArray(o)) {
      // A hole or an extra property has no place in the node.
      if (Object.getPrototypeOf(o) !== Array.prototype || Reflect.ownKeys(o).length !== o.length + 1) throw this.refuse("an array with holes or properties");
      return [frozen ? FROZEN_ARRAY : ARRAY, ...o.map((item, i) => this.value(item, i, shared))];
    }
    if (Object.getPrototypeOf(o) !== Object.prototype) throw this.refuse(`an instance of ${o.constructor?.name ?? "a class"} without a recipe`);
    return [frozen ? FROZEN_OBJECT : OBJECT, this.fields(o, shared)];
  }

  /** An object's own fields as node values (a route's other fields too, prepared-routes.ts). */
  fields(o: object, shared = false): Record<string, unknown> {
    const fields: Record<string, unknown> = Object.create(null);
    for (const key of Reflect.ownKeys(o)) {
      const field = Object.getOwnPropertyDescriptor(o, key);
      if (typeof key !== "string" || !field?.enumerable || !("value" in field)) throw this.refuse(`a symbol, hidden or computed property ${String(key)}`);
      fields[key] = this.value(field.value, key, shared);
    }
    return fields;
  }

  private recipe(recipe: Recipe): GraphNode {
    switch (recipe.kind) {
      case "pattern":
        return [PATTERN, recipe.pattern, this.value(recipe.options, "options", true)];
      case "poolAction":
        return [POOL_ACTION, recipe.pool, recipe.source, recipe.name, this.value(recipe.filters, "filters")];
      case "canaryAction":
        return [CANARY_ACTION, recipe.pool, recipe.canaryPool, this.value(recipe.rule, "canary"), recipe.source];
      case "filter":
        this.filterTypes.add(recipe.type);
        return [FILTER, recipe.type, this.value(recipe.raw, recipe.type, true), this.value(recipe.ctx, "ctx", true)];
    }
  }

  private refuse(what: string): Uncarried {
    return new Uncarried(`${what} at ${this.at.join(".")}`);
  }
}

export class GraphReader {
  private readonly made: unknown[] = [];
  private readonly done: boolean[] = [];

  /** `pools`: the config's pool names, asked for when a filter is built (its compile context). */
  constructor(
    private readonly nodes: readonly GraphNode[],
    private readonly pools: () => ReadonlySet<string>,
  ) {}

  value(v: unknown): unknown {
    if (!Array.isArray(v)) return v;
    return v.length === 0 ? undefined : this.node(v[0] as number);
  }

  /** An object from fields a GraphWriter wrote (`fields`), each value decoded. */
  assign(target: Record<string, unknown>, fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
    // defineProperty: a key "__proto__" (a header name, say) is a field like any other.
    for (const key of Object.keys(fields)) Object.defineProperty(target, key, { value: this.value(fields[key]), enumerable: true, writable: true, configurable: true });
    return target;
  }

  node(id: number): unknown {
    if (this.done[id]) return this.made[id];
    const node = this.nodes[id];
    if (!Array.isArray(node)) throw new Error(`prepared form: no node ${id}`);
    switch (node[0]) {
      case OBJECT:
      case FROZEN_OBJECT: {
        const out = this.keep(id, this.assign({}, node[1] as Record<string, unknown>));
        return node[0] === FROZEN_OBJECT ? Object.freeze(out) : out;
      }
      case ARRAY:
      case FROZEN_ARRAY: {
        const out: unknown[] = [];
        for (let i = 1; i < node.length; i++) out.push(this.value(node[i]));
        return this.keep(id, node[0] === FROZEN_ARRAY ? Object.freeze(out) : out);
      }
      case FILTER: {
        const [, type, rawValue, ctxValue] = node as [number, string, unknown, unknown];
        const module = filtersByType.get(type);
        if (module === undefined) throw new Error(`prepared form: no filter ${type}`);
        const raw = this.value(rawValue);
        const ctx = this.value(ctxValue) as FilterRecipe["ctx"];
        const pools = this.pools();
        return this.keep(id, remember(module.compile(raw, { ...ctx, pools }), { kind: "filter", type, raw, ctx }));
      }
      case PATTERN:
        return this.keep(id, buildPattern(node[1] as string, this.value(node[2]) as PatternOptions));
      case POOL_ACTION:
        return this.keep(id, poolAction(node[1] as string, node[2] as string, node[3] as string, this.value(node[4]) as Filter[]));
      case CANARY_ACTION:
        return this.keep(id, canaryAction(node[1] as string, node[2] as string, this.value(node[3]) as CanaryRule, node[4] as string));
      default:
        throw new Error(`prepared form: unknown node ${String(node[0])}`);
    }
  }

  private keep<T>(id: number, value: T): T {
    this.made[id] = value;
    this.done[id] = true;
    return value;
  }
}

/** The filter types this Worker can build: a prepared form naming another takes the full path. */
export function knowsFilterTypes(types: unknown): boolean {
  return Array.isArray(types) && types.every((type) => typeof type === "string" && filtersByType.has(type));
}
