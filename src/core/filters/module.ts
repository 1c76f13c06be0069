// A filter kind is one file exporting a FilterModule: its Gateway API type
// and field name, the schema of its config (which also goes into the JSON
// Schema), the checks that need the rule around it, and compile, which
// builds the Filter the request path runs. The registry (registry.ts) lists
// them; the config parser, the CLI (explain, test) and the Worker all go
// through it, so adding a filter is that one file plus its line there.
import * as v from "valibot";
import { got } from "../config/messages";
import type { Filter } from "./filter";

/** What a filter's checks and compile may know of the rule it sits in. */
export interface FilterContext {
  /** Every pool name (a RequestMirror must name one). */
  readonly pools: ReadonlySet<string>;
  /** The path match types of the rule's matches ("PathPrefix", "Exact", "RegularExpression"). */
  readonly matchPathTypes: readonly string[];
  /** The namespace of the HTTPRoute (references to other namespaces are refused). */
  readonly namespace: string;
  /** True on a backendRef's filters, false on the rule's. */
  readonly onBackendRef: boolean;
}

/** A problem at a path under the filter's config object, e.g. ["path", "replacePrefixMatch"]. */
export interface FilterProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface FilterModule<Raw = unknown> {
  /** The Gateway API `type`, e.g. "RequestHeaderModifier". */
  readonly type: string;
  /** The field holding the config, e.g. "requestHeaderModifier". */
  readonly field: string;
  /** Valibot schema of the config object (as written). */
  readonly schema: v.GenericSchema<unknown, Raw>;
  /** The schema as written in the module, for the JSON Schema (defineFilter fills it in). */
  readonly documented?: v.GenericSchema;
  /** Whether the filter may sit on a backendRef (the Gateway API allows it for some). */
  readonly onBackendRef: boolean;
  /** Whether the spec lets a rule carry it more than once. */
  readonly repeatable: boolean;
  /** Checks that need the rule (valibot saw the config alone). */
  check?(raw: Raw, ctx: FilterContext): FilterProblem[];
  /** Builds the filter; called only on a config that passed schema and check. */
  compile(raw: Raw, ctx: FilterContext): Filter;
}

/**
 * Keeps a module's Raw type while listing modules of different Raw types
 * together. The config must be a mapping: valibot's object schemas take a
 * list too, and `requestHeaderModifier: []` must not pass as "nothing".
 */
export function defineFilter<Raw>(module: FilterModule<Raw>): FilterModule<unknown> {
  const mapping = v.custom<unknown>(
    (input) => typeof input === "object" && input !== null && !Array.isArray(input),
    (i) => `must be a mapping (the ${module.type} settings), got ${got(i.input)}`,
  );
  return { ...module, schema: v.pipe(mapping, module.schema), documented: module.schema } as unknown as FilterModule<unknown>;
}
