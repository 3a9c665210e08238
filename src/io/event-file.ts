/**
 * Event files on disk, for `tensorboardLog: "runs/"`: SB3's run folders
 * (`runs/DQN_1`, `runs/DQN_2`, ...) and a TensorBoardWriter that appends to
 * `events.out.tfevents.<seconds>.<host>` in one. The file system is reached
 * through `process.getBuiltinModule` (Node >= 20.16, Deno, Bun), never a
 * static `node:fs` import, so that the browser, workerd and edge bundles,
 * which carry this module, load where there is no `node:fs`.
 */
import { InvalidArgumentError } from "../errors.ts";
import { nodeBuiltin } from "./node-builtin.ts";
import { TensorBoardWriter } from "./tensorboard-writer.ts";

/** The parts of Node's fs, os and path used here (typed here: the library's types do not depend on @types/node). */
interface NodeFileSystem {
  fs: {
    readdirSync(path: string): string[];
    mkdirSync(path: string, options: { recursive: true }): unknown;
    openSync(path: string, flags: "a"): number;
    writeSync(fd: number, data: Uint8Array, offset: number): number;
    closeSync(fd: number): void;
  };
  os: { hostname(): string };
  path: { join(...parts: string[]): string };
}

/** Node's fs, os and path, or undefined in runtimes without a file system. */
export function fileSystem(): NodeFileSystem | undefined {
  try {
    const [fs, os, path] = ["node:fs", "node:os", "node:path"].map((id) => nodeBuiltin(id));
    return fs && os && path ? ({ fs, os, path } as NodeFileSystem) : undefined;
  } catch {
    return undefined;
  }
}

/** SB3's get_latest_run_id: the largest n of the folders `<name>_<n>` in `root` (0 when none). */
export function latestRunId(fsys: NodeFileSystem, root: string, name: string): number {
  let latest = 0;
  let entries: string[];
  try {
    entries = fsys.fs.readdirSync(root);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.startsWith(`${name}_`)) continue;
    const n = entry.slice(name.length + 1);
    if (/^\d+$/.test(n)) latest = Math.max(latest, Number(n));
  }
  return latest;
}

/**
 * Opens a new event file in `<root>/<name>_<n>`, where n is one more than the
 * largest run there (SB3's numbering), or the largest itself when `resume`
 * (SB3's `reset_num_timesteps=False` continues the last run's folder). The
 * first record is written at once, so a folder or file that cannot be
 * created fails here, before training, with an InvalidArgumentError naming
 * `argument`.
 */
export function openRunWriter(root: string, name: string, resume: boolean, argument: string): { writer: TensorBoardWriter; file: string; close: () => void } {
  const fsys = fileSystem();
  if (!fsys) throw new InvalidArgumentError(argument, root, "a TensorBoardWriter here: this runtime has no file system (a folder name works in Node, Deno and Bun)");
  const { fs, os, path } = fsys;
  const latest = latestRunId(fsys, root, name);
  const dir = path.join(root, `${name}_${resume ? Math.max(latest, 1) : latest + 1}`);
  let fd: number | undefined;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const host = os.hostname().replace(/[^\w.-]/g, "_") || "localhost";
    // Each flush appends whole records: a crash leaves every record flushed before it readable.
    const writer = new TensorBoardWriter({
      host,
      write: (chunk) => {
        for (let at = 0; at < chunk.length; ) at += fs.writeSync(fd!, chunk, at);
      },
    });
    const file = path.join(dir, writer.fileName);
    fd = fs.openSync(file, "a");
    writer.flush();
    const opened = fd;
    const close = () => {
      try {
        writer.close();
      } finally {
        fs.closeSync(opened);
      }
    };
    return { writer, file, close };
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    throw new InvalidArgumentError(argument, root, `a folder deepq can create and write event files in (${(e as Error).message})`);
  }
}
