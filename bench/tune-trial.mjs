/**
 * Trains one trial of a tuning study, as `deepq tune` trains each seed of a
 * trial (src/cli/tune.ts tuneSeedJob: the same evaluation, keepBest on), for
 * a driver in another language (bench/tune_vs_optuna.py):
 *
 *   node bench/tune-trial.mjs '{"env":"CartPole-v1","options":{...},"seeds":[0,1,2],
 *     "budget":30000,"evalFreq":3333,"evalEpisodes":10}'
 *
 * Prints one JSON line per evaluation, {"seed","timestep","mean"}, as it
 * happens. Each seed trains in a worker thread, but only one runs at a time,
 * taking turns at each evaluation: the trial takes one core and its seeds
 * reach each evaluation together, so a driver that prunes after it (by
 * killing this process) wastes no seed's steps past it. Loads the built
 * library (npm run build), as the CLI does.
 */
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

if (isMainThread) {
  const trial = JSON.parse(process.argv[2]);
  const live = trial.seeds.map((seed) => {
    // The seed's turn flag: 1 runs, 0 waits.
    const turn = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(new URL(import.meta.url), { workerData: { ...trial, seed, turn } });
    return { worker, turn, done: false };
  });
  const pass = (i) => {
    const next = [1, 2, live.length].map((k) => live[(i + k) % live.length]).find((w) => !w.done);
    if (!next) return;
    Atomics.store(next.turn, 0, 1);
    Atomics.notify(next.turn, 0);
  };
  live.forEach((w, i) =>
    w.worker.on("message", (m) => {
      if (m === "done") w.done = true;
      else process.stdout.write(JSON.stringify(m) + "\n");
      pass(i);
    }),
  );
  pass(-1);
} else {
  const { env, options, seed, budget, evalFreq, evalEpisodes, turn } = workerData;
  const { DQN, make } = await import("../dist/deepq.mjs");
  const agent = await DQN.create(await make(env), { ...options, seed });
  const waitTurn = () => Atomics.wait(turn, 0, 0);
  waitTurn();
  await agent.learn({
    totalTimesteps: budget,
    eval: { env: await make(env), freq: evalFreq, nEpisodes: evalEpisodes, keepBest: true },
    callback: (e) => {
      if (!e.eval) return;
      Atomics.store(turn, 0, 0);
      parentPort.postMessage({ seed, timestep: e.timesteps, mean: e.eval.mean });
      waitTurn();
    },
  });
  agent.dispose();
  parentPort.postMessage("done");
}
