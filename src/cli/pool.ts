/**
 * A pool of `worker_threads` for the CLI's multi-run commands (`train
 * --seeds`, `tune`). Every worker loads the CLI's own module (the bundle,
 * or the source under tsx) and serves jobs with the handlers the CLI
 * registers through {@link serveJobs}; the main thread hands out jobs in
 * order as workers free up. A job that throws is reported as failed and the
 * pool goes on; a worker that dies is replaced.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { availableParallelism } from "node:os";

const MARK = "deepq-pool-worker";

/** What a job handler gets besides its job: a way to report progress, and the abort signal. */
export interface JobContext<E> {
  /** Sends an event to the main thread's `onEvent`. */
  post(event: E): void;
  /** Aborted when the main thread stops the job (`stop` in `onEvent`). */
  signal: AbortSignal;
}

type Handler = (job: unknown, ctx: JobContext<unknown>) => Promise<unknown>;

type ToWorker = { type: "job"; id: number; kind: string; job: unknown } | { type: "abort"; id: number };
type FromWorker = { type: "event"; id: number; event: unknown } | { type: "done"; id: number; result: unknown } | { type: "error"; id: number; message: string };

/** One job's outcome: its result, or the message of what it threw. */
export type JobOutcome<R> = { ok: true; result: R } | { ok: false; error: string };

/** Default pool size: the cores this process may use. */
export const defaultWorkers = (): number => availableParallelism();

/**
 * In a pool worker, answers jobs with `handlers` (by kind) for as long as
 * the main thread keeps the worker; in the main thread it does nothing.
 */
export function serveJobs(handlers: Record<string, Handler>): void {
  if (isMainThread || (workerData as { mark?: string } | null)?.mark !== MARK || !parentPort) return;
  const port = parentPort;
  const running = new Map<number, AbortController>();
  port.on("message", (m: ToWorker) => {
    if (m.type === "abort") return void running.get(m.id)?.abort();
    const controller = new AbortController();
    running.set(m.id, controller);
    const ctx: JobContext<unknown> = { post: (event) => port.postMessage({ type: "event", id: m.id, event } satisfies FromWorker), signal: controller.signal };
    const handler = handlers[m.kind];
    (handler ? handler(m.job, ctx) : Promise.reject(new Error(`no handler for job kind ${m.kind}`)))
      .then((result) => port.postMessage({ type: "done", id: m.id, result } satisfies FromWorker))
      .catch((e: unknown) => port.postMessage({ type: "error", id: m.id, message: e instanceof Error ? e.message : String(e) } satisfies FromWorker))
      .finally(() => running.delete(m.id));
  });
}

/** Options of {@link runPool}. */
export interface PoolOptions<E, R> {
  /** Worker threads (default: the core count), never more than there are jobs. */
  workers?: number;
  /** A job's progress event; `stop()` aborts that job (its handler sees `signal`). */
  onEvent?: (index: number, event: E, stop: () => void) => void;
  /** Called as each job ends, in the order they end. */
  onOutcome?: (index: number, outcome: JobOutcome<R>) => void;
  /** Stops handing out jobs and aborts the running ones (their handlers see `signal`). */
  signal?: AbortSignal;
  /** Jobs to pass over when their turn comes (their outcome stays undefined). */
  skip?: (index: number) => boolean;
}

/**
 * Runs `jobs` of handler `kind` on a pool of workers loading `module` (the
 * URL of a module that calls {@link serveJobs}); resolves with each job's
 * outcome in job order (undefined for jobs never started after `signal`).
 */
export async function runPool<J, E, R>(module: URL, kind: string, jobs: readonly J[], options: PoolOptions<E, R> = {}): Promise<(JobOutcome<R> | undefined)[]> {
  const outcomes: (JobOutcome<R> | undefined)[] = new Array(jobs.length).fill(undefined);
  const size = Math.max(1, Math.min(options.workers ?? defaultWorkers(), jobs.length));
  let next = 0;
  const spawn = (): Promise<void> =>
    new Promise((resolve) => {
      const worker = new Worker(module, { workerData: { mark: MARK } });
      let current = -1;
      const finish = (index: number, outcome: JobOutcome<R>) => {
        outcomes[index] = outcome;
        options.onOutcome?.(index, outcome);
      };
      const abortCurrent = () => current >= 0 && worker.postMessage({ type: "abort", id: current } satisfies ToWorker);
      options.signal?.addEventListener("abort", abortCurrent);
      const feed = () => {
        while (next < jobs.length && options.skip?.(next)) next++;
        if (next >= jobs.length || options.signal?.aborted) {
          options.signal?.removeEventListener("abort", abortCurrent);
          current = -1;
          void worker.terminate().then(() => resolve());
          return;
        }
        current = next++;
        worker.postMessage({ type: "job", id: current, kind, job: jobs[current] } satisfies ToWorker);
      };
      worker.on("message", (m: FromWorker) => {
        if (m.type === "event") return options.onEvent?.(m.id, m.event as E, () => worker.postMessage({ type: "abort", id: m.id } satisfies ToWorker));
        finish(m.id, m.type === "done" ? { ok: true, result: m.result as R } : { ok: false, error: m.message });
        feed();
      });
      // A worker that dies takes its job with it: report the job, and go on with a fresh worker.
      worker.on("error", (e) => {
        options.signal?.removeEventListener("abort", abortCurrent);
        if (current >= 0) finish(current, { ok: false, error: `worker died: ${e.message}` });
        current = -1;
        void spawn().then(resolve);
      });
      feed();
    });
  await Promise.all(Array.from({ length: size }, spawn));
  return outcomes;
}
