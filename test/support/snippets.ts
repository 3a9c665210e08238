/**
 * Code blocks of the Markdown docs (README.md, docs/runtimes.md) that tests
 * run exactly as shown: a block fenced as ```LANG deepq-test=ID is snippet ID.
 */
import { readFileSync } from "node:fs";

export interface FencedBlock {
  lang: string;
  /** The deepq-test id, when the block has one. */
  id?: string;
  code: string;
}

/** Every fenced block of a Markdown file, in order. */
export function fencedBlocks(file: string): FencedBlock[] {
  const md = readFileSync(file, "utf8");
  return [...md.matchAll(/^```(\w*)([^\n]*)\n([\s\S]*?)^```/gm)].map((m) => {
    const id = /deepq-test=([\w.-]+)/.exec(m[2]!)?.[1];
    return { lang: m[1]!, code: m[3]!, ...(id ? { id } : {}) };
  });
}

/** The blocks fenced with a deepq-test id, by id. */
export function docSnippets(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const b of fencedBlocks(file)) if (b.id) out[b.id] = b.code;
  return out;
}
