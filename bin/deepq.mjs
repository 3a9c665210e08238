#!/usr/bin/env node
// The `deepq` command: see `deepq --help`. Runs the built CLI (npm run build).
import { main } from "../dist/cli.mjs";

process.exitCode = await main(process.argv.slice(2));
