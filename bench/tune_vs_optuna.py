#!/usr/bin/python3
"""`deepq tune` (Sobol + ASHA, its default space) against RL Zoo's Optuna study for DQN
(rl_zoo3/hyperparams_opt.py sample_dqn_params, TPE + median pruner as rl_zoo3/exp_manager.py
sets them up) on the same trainer, budget and scoring. Run from the repository root after
`npm run build`, with Debian's python3 (it has optuna):

  nice -n 19 /usr/bin/python3 bench/tune_vs_optuna.py all --trials 64 --out /tmp/tvo

  all      runs both studies at once (each under /usr/bin/time, on --workers workers), then
           re-scores each study's best options on fresh seeds and writes bench/tune-vs-optuna.json
  optuna   the Optuna study alone (as `all` runs it), into OUT/optuna
  rescore  what `all` does once the studies have run (OUT holds them and their .time files)

Both train deepq: deepq tune through its worker pool, the Optuna objective through
bench/tune-trial.mjs (the same per-seed job), on seeds 0-2 for 30k steps with a greedy
10-episode evaluation every 3333 steps; a trial's score at an evaluation is the mean over its
seeds, and its final score the last evaluation's, as deepq tune scores it.
"""
import argparse, datetime, json, os, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from statistics import mean

import optuna, warnings

warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)  # TPE's multivariate, which RL Zoo turns on

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = os.path.join(ROOT, "bench", "tune-trial.mjs")
ENV, BUDGET, SEEDS, EVAL_EPISODES = "CartPole-v1", 30_000, [0, 1, 2], 10
# deepq tune's 3 rungs at eta 3: an evaluation every budget / 9 steps. RL Zoo evaluates
# n_timesteps // n_evaluations apart; its default n_evaluations (one per 100k steps) would give
# one evaluation and no pruning at 30k, so this passes --n-evaluations 9: the same evaluations.
N_EVALUATIONS = 9
EVAL_FREQ = BUDGET // N_EVALUATIONS
# RL Zoo's defaults: --n-startup-trials 10 (TPE's random trials and the pruner's).
N_STARTUP_TRIALS = 10
FRESH_SEEDS = list(range(10, 20))


def cartpole_preset():
    code = 'import { presets } from "./dist/deepq.mjs"; console.log(JSON.stringify(presets["CartPole-v1"].options))'
    return json.loads(subprocess.run(["node", "--input-type=module", "-e", code], cwd=ROOT, check=True, capture_output=True, text=True).stdout)


def sample_dqn_params(trial):
    """RL Zoo's DQN space in its order, with SB3's names in deepq's camelCase."""
    gamma = trial.suggest_categorical("gamma", [0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9999])
    learning_rate = trial.suggest_float("learning_rate", 1e-5, 1, log=True)
    batch_size = trial.suggest_categorical("batch_size", [16, 32, 64, 100, 128, 256, 512])
    buffer_size = trial.suggest_categorical("buffer_size", [int(1e4), int(5e4), int(1e5), int(1e6)])
    exploration_final_eps = trial.suggest_float("exploration_final_eps", 0, 0.2)
    exploration_fraction = trial.suggest_float("exploration_fraction", 0, 0.5)
    target_update_interval = trial.suggest_categorical("target_update_interval", [1, 1000, 5000, 10000, 15000, 20000])
    learning_starts = trial.suggest_categorical("learning_starts", [0, 1000, 5000, 10000, 20000])
    train_freq = trial.suggest_categorical("train_freq", [1, 4, 8, 16, 128, 256, 1000])
    subsample_steps = trial.suggest_categorical("subsample_steps", [1, 2, 4, 8])
    net_arch = trial.suggest_categorical("net_arch", ["tiny", "small", "medium"])
    return {
        "gamma": gamma,
        "learningRate": learning_rate,
        "batchSize": batch_size,
        "bufferSize": buffer_size,
        "trainFreq": train_freq,
        "gradientSteps": max(train_freq // subsample_steps, 1),
        "explorationFraction": exploration_fraction,
        "explorationFinalEps": exploration_final_eps,
        "targetUpdateInterval": target_update_interval,
        "learningStarts": learning_starts,
        "netArch": {"tiny": [64], "small": [64, 64], "medium": [256, 256]}[net_arch],
    }


def run_trial(options, seeds, eval_freq, on_eval=None):
    """Trains `options` on `seeds` with bench/tune-trial.mjs; yields (timestep, mean over seeds)
    at each evaluation all seeds reached. `on_eval(k, timestep, score)` returning True stops it."""
    job = {"env": ENV, "options": options, "seeds": seeds, "budget": BUDGET, "evalFreq": eval_freq, "evalEpisodes": EVAL_EPISODES}
    proc = subprocess.Popen(["node", RUNNER, json.dumps(job)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    by_step, curve, stopped = {}, [], False
    try:
        for line in proc.stdout:
            ev = json.loads(line)
            got = by_step.setdefault(ev["timestep"], {})
            got[ev["seed"]] = ev["mean"]
            if len(got) < len(seeds):
                continue
            curve.append((ev["timestep"], mean(got.values()), dict(sorted(got.items()))))
            if on_eval and on_eval(len(curve), ev["timestep"], curve[-1][1]):
                stopped = True
                break
    finally:
        if stopped:
            proc.kill()
        err = proc.stderr.read()
        proc.wait()
    if not stopped and proc.returncode != 0:
        raise RuntimeError(err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}")
    return curve, stopped


def optuna_study(out, n_trials, workers):
    os.makedirs(out, exist_ok=True)
    base = {**cartpole_preset(), "tau": 1.0}  # hard target copies: SB3's DQN, which RL Zoo's target_update_interval choices assume
    log = open(os.path.join(out, "trials.jsonl"), "w")

    def objective(trial):
        options = {**base, **sample_dqn_params(trial)}
        record = {"trial": trial.number, "options": options, "rungScores": []}

        def report(k, timestep, score):
            # RL Zoo's TrialEvalCallback: report the k-th evaluation's mean, stop if pruned.
            record["rungScores"].append(score)
            record["timestep"] = timestep
            trial.report(score, k)
            return trial.should_prune()

        try:
            curve, pruned = run_trial(options, SEEDS, EVAL_FREQ, report)
        except RuntimeError as e:
            # RL Zoo prunes a trial whose training raised (NaNs and the like).
            record.update(status="failed", error=str(e), score=None)
            log.write(json.dumps(record) + "\n"); log.flush()
            raise optuna.TrialPruned()
        record.update(status="pruned" if pruned else "completed", score=curve[-1][1])
        log.write(json.dumps(record) + "\n"); log.flush()
        if pruned:
            raise optuna.TrialPruned()
        return curve[-1][1]

    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(n_startup_trials=N_STARTUP_TRIALS, seed=0, multivariate=True),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=N_STARTUP_TRIALS, n_warmup_steps=N_EVALUATIONS // 3),
    )
    study.optimize(objective, n_trials=n_trials, n_jobs=workers)
    best = study.best_trial
    options = {**base, **sample_dqn_params(optuna.trial.FixedTrial(best.params))}
    json.dump(options, open(os.path.join(out, "best.json"), "w"), indent=2)
    print(f"best: trial {best.number}, score {best.value:.1f}", file=sys.stderr)


def timed_study(cmd, time_file):
    """Starts a study under nice -n 19 and /usr/bin/time, which writes its CPU seconds (children included) and wall."""
    return subprocess.Popen(["nice", "-n", "19", "/usr/bin/time", "-f", "%U %S %e", "-o", time_file, *cmd], cwd=ROOT)


def read_time(time_file):
    """/usr/bin/time's user, system and wall seconds, its last three numbers."""
    user, sys_, wall = map(float, re.findall(r"\d+(?:\.\d+)?", open(time_file).read())[-3:])
    return {"cpuSeconds": round(user + sys_, 1), "wallSeconds": wall}


def study_summary(out, nominal_steps):
    """Trial counts, the best trial, and env steps: per trial, seeds x the timestep of the last
    evaluation it reached (training steps up to the decision; evaluation episodes not counted)."""
    records = [json.loads(l) for l in open(os.path.join(out, "trials.jsonl"))]
    done = [r for r in records if r["status"] == "completed"]
    best = max(done, key=lambda r: (r["score"], -r["trial"]))  # ties to the first trial, as both studies rank them
    counts = {s: sum(r["status"] == s for r in records) for s in ("completed", "pruned", "failed")}
    return {"trials": len(records), **counts, "bestTrial": best["trial"], "bestScore": round(best["score"], 1),
            "envSteps": sum(nominal_steps(r) for r in records), "bestOptions": json.load(open(os.path.join(out, "best.json")))}


def rescore(options):
    """Each fresh seed's greedy 10-episode evaluation after the full budget."""
    curve, _ = run_trial(options, FRESH_SEEDS, BUDGET)
    per_seed = curve[-1][2]
    return {"seeds": f"{FRESH_SEEDS[0]}-{FRESH_SEEDS[-1]}", "perSeed": per_seed, "mean": round(mean(per_seed.values()), 1), "min": min(per_seed.values()),
            "solved": sum(v >= 475 for v in per_seed.values())}


# The studies: deepq tune with its default space, and RL Zoo's Optuna study.
STUDIES = ("asha", "optuna")


def tune_command(args):
    return ["node", "bin/deepq.mjs", "tune", ENV, "--trials", str(args.trials), "--budget", str(BUDGET), "--seeds", "0-2",
            "--workers", str(args.workers), "--out", os.path.join(args.out, "asha")]


def write_results(args, costs):
    rungs = json.load(open(os.path.join(args.out, "asha", "study.json")))["rungs"]
    asha_steps = lambda r: len(SEEDS) * (rungs[len(r["rungScores"]) - 1] if r["rungScores"] else 0)
    summaries = {name: study_summary(os.path.join(args.out, name), (lambda r: len(SEEDS) * r.get("timestep", 0)) if name == "optuna" else asha_steps) for name in costs}
    with ThreadPoolExecutor(args.workers) as pool:
        # The runner reproduces a deepq tune trial: its best options on seeds 0-2 score what the study said.
        check = pool.submit(run_trial, summaries["asha"]["bestOptions"], SEEDS, EVAL_FREQ)
        rescores = {name: pool.submit(rescore, s["bestOptions"]) for name, s in summaries.items()}
        for name, s in summaries.items():
            s.update(costs[name], rescore=rescores[name].result())
        reproduced = round(check.result()[0][-1][1], 1) == summaries["asha"]["bestScore"]
    sampler = f"TPESampler(n_startup_trials={N_STARTUP_TRIALS}, seed=0, multivariate=True), MedianPruner(n_startup_trials={N_STARTUP_TRIALS}, n_warmup_steps={N_EVALUATIONS // 3}), RL Zoo's sample_dqn_params, n_jobs={args.workers}"
    result = {
        "date": datetime.date.today().isoformat(),
        "command": f"nice -n 19 /usr/bin/python3 bench/tune_vs_optuna.py all --trials {args.trials} --workers {args.workers} --out {args.out}",
        "conditions": f"{ENV}, {args.trials} trials each, seeds 0-2, {BUDGET} steps per seed, greedy {EVAL_EPISODES}-episode evaluation every {EVAL_FREQ} steps, "
        f"{args.workers} workers each, the studies at once, under nice -n 19 on a shared {os.cpu_count()}-core machine; optuna {optuna.__version__}, node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}",
        "runnerReproducesAshaBest": reproduced,
        **{name: {"study": sampler if name == "optuna" else " ".join(["deepq", *tune_command(args)[2:]]), **s} for name, s in summaries.items()},
    }
    json.dump(result, open(os.path.join(ROOT, "bench", "tune-vs-optuna.json"), "w"), indent=2)
    print(json.dumps({k: {kk: v for kk, v in s.items() if kk != "bestOptions"} if isinstance(s, dict) else s for k, s in result.items()}, indent=2))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("phase", choices=["all", "optuna", "rescore"])
    p.add_argument("--trials", type=int, default=64)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", default="/tmp/tune-vs-optuna")
    args = p.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if args.phase == "optuna":
        return optuna_study(os.path.join(args.out, "optuna"), args.trials, args.workers)
    if args.phase == "all":
        os.makedirs(args.out, exist_ok=True)
        # The studies at once, each on its own workers, to cut the wall time; CPU time is each one's own.
        optuna_cmd = [sys.executable, __file__, "optuna", "--trials", str(args.trials), "--workers", str(args.workers), "--out", args.out]
        studies = [timed_study(optuna_cmd if name == "optuna" else tune_command(args), os.path.join(args.out, f"{name}.time")) for name in STUDIES]
        if [p.wait() for p in studies] != [0] * len(studies):
            sys.exit("a study failed")
    costs = {name: read_time(os.path.join(args.out, f"{name}.time")) for name in STUDIES}
    write_results(args, costs)


if __name__ == "__main__":
    main()
