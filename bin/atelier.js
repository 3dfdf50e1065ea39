#!/usr/bin/env node
// `npx atelier …`: runs the TypeScript CLI (server/cli/main.ts) through tsx.
import { register } from "tsx/esm/api";

register();
await import("../server/cli/main.ts");
