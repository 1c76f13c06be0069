// Which parts of a Config the prepared form (prepared.ts) can store as they
// are, to be given back by JSON.parse alone: no graph node, no work per
// object when a new isolate reads them.
import { recipeOf } from "./recipes";

/** Whether `value` comes back from JSON.stringify then JSON.parse as it is (then it needs no node). */
export function isPlainJson(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== "object" || depth > 64) return false;
  if (Array.isArray(value)) {
    return Object.getPrototypeOf(value) === Array.prototype && Reflect.ownKeys(value).length === value.length + 1 && value.every((item) => isPlainJson(item, depth + 1));
  }
  if (Object.getPrototypeOf(value) !== Object.prototype || recipeOf(value) !== undefined) return false;
  for (const key of Reflect.ownKeys(value)) {
    const field = Object.getOwnPropertyDescriptor(value, key);
    if (typeof key !== "string" || key === "__proto__" || !field?.enumerable || !("value" in field) || !isPlainJson(field.value, depth + 1)) return false;
  }
  return true;
}
