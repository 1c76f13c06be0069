export type { Policy, PolicyDeps, PolicyFactory } from "./policy";
export { createPolicy, policies } from "./registry";
