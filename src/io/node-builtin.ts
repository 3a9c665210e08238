/**
 * A Node built-in module (`node:fs`, `zlib`, ...) through
 * `process.getBuiltinModule` (Node >= 20.16, Deno, Bun), never a static
 * import, so that the browser, workerd and edge bundles load where there is
 * none; undefined there. `T` types the parts the caller uses (the library's
 * types do not depend on @types/node).
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  return (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(id) as T | undefined;
}
