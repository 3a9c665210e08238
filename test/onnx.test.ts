/**
 * agent.exportOnnx() run in onnxruntime-node (the reference ONNX runtime's
 * CPU build): for every network shape deepq trains (depths 0-3, widths 1-256,
 * plain and dueling heads, and the conv nets of test/support/conv-nets.ts:
 * valid and same padding, strides 1 and 2, stacked conv layers), Q-values
 * within 1e-5 of deepq's on 1,000 random observations, in one batch (the
 * dynamic batch dimension), and identical greedy actions.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import { DQN, FormatError, InvalidArgumentError, modelToOnnx } from "../src/index.ts";
import { Rng } from "../src/runtime/rng.ts";
import { ONNX_OPSET } from "../src/io/onnx.ts";
import { ROOT, run as runProcess } from "./runtimes/harness.ts";
import { CONV_SPECS } from "./support/conv-nets.ts";

const N = 1000;

const ARCHS: { observationSize: number; nActions: number; netArch: number[]; dueling: boolean }[] = [
  { observationSize: 4, nActions: 2, netArch: [], dueling: false },
  { observationSize: 4, nActions: 2, netArch: [64, 64], dueling: false },
  { observationSize: 6, nActions: 3, netArch: [1], dueling: false },
  { observationSize: 11, nActions: 5, netArch: [256, 128, 64], dueling: false },
  { observationSize: 4, nActions: 2, netArch: [32], dueling: true },
  { observationSize: 8, nActions: 4, netArch: [64, 64], dueling: true },
  { observationSize: 3, nActions: 7, netArch: [128, 16, 32], dueling: true },
];

async function run(model: Uint8Array, obs: Float32Array, observationSize: number): Promise<{ q: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    expect(session.inputNames).toEqual(["obs"]);
    expect(session.outputNames).toEqual(["q_values"]);
    const out = await session.run({ obs: new ort.Tensor("float32", obs, [obs.length / observationSize, observationSize]) });
    const t = out.q_values!;
    return { q: t.data as Float32Array, dims: t.dims };
  } finally {
    await session.release();
  }
}

/** Q-values of deepq and of onnxruntime on N random observations: the worst gap and how many greedy actions agree. */
async function compare(agent: DQN, observationSize: number, nActions: number): Promise<{ worst: number; sameActions: number }> {
  const rng = new Rng(7);
  const obs = new Float32Array(N * observationSize);
  for (let i = 0; i < obs.length; i++) obs[i] = rng.uniform(-3, 3);
  const { q, dims } = await run(await agent.exportOnnx(), obs, observationSize);
  expect(dims).toEqual([N, nActions]);
  let worst = 0;
  let sameActions = 0;
  for (let r = 0; r < N; r++) {
    const row = obs.subarray(r * observationSize, (r + 1) * observationSize);
    const mine = agent.qValues(row);
    const theirs = q.subarray(r * nActions, (r + 1) * nActions);
    for (let a = 0; a < nActions; a++) worst = Math.max(worst, Math.abs(mine[a]! - theirs[a]!));
    let best = 0;
    for (let a = 1; a < nActions; a++) if (theirs[a]! > theirs[best]!) best = a;
    if (best === agent.predict(row)) sameActions++;
  }
  return { worst, sameActions };
}

describe("ONNX export in onnxruntime-node", () => {
  it.each(ARCHS)("netArch $netArch, dueling $dueling ($observationSize -> $nActions): Q within 1e-5, same greedy actions", async ({ observationSize, nActions, netArch, dueling }) => {
    const agent = await DQN.create({ observationSize, nActions }, { netArch, dueling, seed: 3, backend: "fused" });
    const { worst, sameActions } = await compare(agent, observationSize, nActions);
    expect(worst).toBeLessThan(1e-5);
    expect(sameActions).toBe(N);
    agent.dispose();
  });

  it.each(CONV_SPECS)("conv net: %s: Q within 1e-5, same greedy actions", async (_, spec) => {
    const { observationSize, observationShape, nActions, conv, hidden, dueling } = spec;
    const agent = await DQN.create({ observationSize, nActions, observationShape }, { netArch: { conv: [...conv!], dense: [...hidden] }, dueling, seed: 3, backend: "fused" });
    const { worst, sameActions } = await compare(agent, observationSize, nActions);
    expect(worst).toBeLessThan(1e-5);
    expect(sameActions).toBe(N);
    agent.dispose();
  });

  it("exports the weights the agent has after training, from a tfjs engine too", async () => {
    const { make } = await import("../src/index.ts");
    const env = await make("CartPole-v1");
    const agent = await DQN.create(env, { netArch: [16], dueling: true, learningStarts: 100, batchSize: 16, seed: 1, backend: "cpu" });
    await agent.learn({ totalTimesteps: 400 });
    const rng = new Rng(2);
    const obs = new Float32Array(50 * 4);
    for (let i = 0; i < obs.length; i++) obs[i] = rng.uniform(-1, 1);
    const { q } = await run(await agent.exportOnnx(), obs, 4);
    for (let r = 0; r < 50; r++) {
      const mine = agent.qValues(obs.subarray(r * 4, r * 4 + 4));
      for (let a = 0; a < 2; a++) expect(Math.abs(mine[a]! - q[r * 2 + a]!)).toBeLessThan(1e-5);
    }
    agent.dispose();
  });

  it(`states opset ${ONNX_OPSET} in the model`, async () => {
    const agent = await DQN.create({ observationSize: 2, nActions: 2 }, { netArch: [4], seed: 0, backend: "fused" });
    const bytes = await agent.exportOnnx();
    // ModelProto.opset_import (field 8) = OperatorSetIdProto { domain: "" (field 1), version (field 2) }: the last 6 bytes.
    expect(Array.from(bytes.subarray(bytes.length - 6))).toEqual([8 << 3 | 2, 4, 1 << 3 | 2, 0, 2 << 3, ONNX_OPSET]);
    agent.dispose();
  });

  it("deepq export model.deepq --onnx writes the same model as agent.exportOnnx()", async () => {
    const dir = mkdtempSync(join(tmpdir(), "deepq-onnx-"));
    const agent = await DQN.create({ observationSize: 5, nActions: 3 }, { netArch: [24, 12], dueling: true, seed: 9, backend: "fused" });
    writeFileSync(join(dir, "m.deepq"), await agent.save());
    const r = await runProcess(process.execPath, [join(ROOT, "bin", "deepq.mjs"), "export", "m.deepq", "--onnx", "p.onnx"], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^p\.onnx: ONNX opset 13, obs \[batch, 5\] -> q_values \[batch, 3\]/);
    expect(new Uint8Array(readFileSync(join(dir, "p.onnx")))).toEqual(await agent.exportOnnx());
    agent.dispose();

    const [, spec] = CONV_SPECS[1]!;
    const convAgent = await DQN.create(spec, { netArch: { conv: [...spec.conv!], dense: [...spec.hidden] }, dueling: true, seed: 9, backend: "fused" });
    writeFileSync(join(dir, "c.deepq"), await convAgent.save());
    const c = await runProcess(process.execPath, [join(ROOT, "bin", "deepq.mjs"), "export", "c.deepq", "--onnx", "c.onnx"], { cwd: dir, timeoutMs: 60_000 });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/^c\.onnx: ONNX opset 13, obs \[batch, 70\] -> q_values \[batch, 4\] \(conv \[5 3x3\/2 same, 6 2x2\/1 valid\], netArch \[7\], dueling\)/);
    expect(new Uint8Array(readFileSync(join(dir, "c.onnx")))).toEqual(await convAgent.exportOnnx());
    convAgent.dispose();
  });

  it("modelToOnnx (asynchronous: its readers load on first use) gives agent.exportOnnx()'s bytes, and rejects what is not a model", async () => {
    const agent = await DQN.create({ observationSize: 3, nActions: 2 }, { netArch: [8], seed: 4, backend: "fused" });
    const m = await modelToOnnx(await agent.save());
    expect(m).toMatchObject({ opset: ONNX_OPSET, observationSize: 3, nActions: 2, netArch: [8], conv: [], dueling: false });
    expect(m.onnx).toEqual(await agent.exportOnnx());
    agent.dispose();
    await expect(modelToOnnx("model.deepq" as never)).rejects.toThrow(InvalidArgumentError);
    await expect(modelToOnnx(new Uint8Array([1, 2, 3]))).rejects.toThrow(FormatError);
  });
});
