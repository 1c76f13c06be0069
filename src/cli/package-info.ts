// This package's name and version, from its package.json (two levels up from
// src/cli and from dist/cli alike; the bundle inlines it).
import { createRequire } from "node:module";

const manifest = createRequire(import.meta.url)("../../package.json") as { name: string; version: string };

export const PACKAGE_NAME = manifest.name;
export const PACKAGE_VERSION = manifest.version;
