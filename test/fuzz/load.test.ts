/**
 * Fuzzing the loaders with bytes: DQN.load and loadPolicy on mutated,
 * truncated, extended and random bytes (rejected with a FormatError and
 * nothing left behind), on save files whose checksum is right but whose
 * contents were tampered with (rejected, or loaded into an agent that works
 * and holds only finite numbers), and loadPolicy on safetensors files with
 * random headers.
 */
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DQN } from "../../src/agent/dqn.ts";
import { make } from "../../src/envs/registry.ts";
import { FormatError } from "../../src/errors.ts";
import { decodeContainer, encodeContainer } from "../../src/io/container.ts";
import { writeSafetensors } from "../../src/io/safetensors.ts";
import { loadPolicy, type Policy } from "../../src/policy.ts";
import { attempt, attemptAsync, expectFinite, f32, junk, moderate, runs, timeout } from "./arbitraries.ts";

let saved: Uint8Array;
let tensors: Uint8Array;
const OBS = [0.01, -0.02, 0.03, 0.04];

beforeAll(async () => {
  // tfjs initialises with the first tfjs agent; tensor counts are read from then on.
  (await DQN.create({ observationSize: 1, nActions: 1 }, { backend: "wasm", bufferSize: 1, batchSize: 1 })).dispose();
  const env = await make("CartPole-v1");
  const agent = await DQN.create(env, { netArch: [4], bufferSize: 100, learningStarts: 20, batchSize: 8, trainFreq: 1, seed: 4, backend: "fused" });
  await agent.learn({ totalTimesteps: 60 });
  saved = await agent.save();
  tensors = await agent.exportSafetensors();
  agent.dispose();
});

/** Bytes derived from `base`: a few bytes changed, cut short, extended, or a slice moved; never `base` itself. */
function mutated(base: () => Uint8Array) {
  const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 });
  return fc.oneof(
    edits.map((list) => {
      const b = base().slice();
      for (const [at, flip] of list) b[at % b.length]! ^= flip;
      return b;
    }),
    fc.nat().map((n) => base().slice(0, n % base().length)),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((extra) => Uint8Array.from([...base(), ...extra])),
    fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([a, b, c]) => {
      const src = base();
      const from = a % src.length;
      const out = src.slice();
      out.copyWithin(c % src.length, from, from + 1 + (b % 64));
      return out;
    }).filter((b) => b.some((x, i) => x !== base()[i])),
    fc.uint8Array({ maxLength: 512 }),
  );
}

/** A save file with a valid checksum whose meta has one value replaced, or whose arrays were resized or poisoned. */
const tampered = fc
  .tuple(fc.nat(), fc.oneof(junk, fc.integer(), fc.double(), fc.constantFrom(-1, 1e300, 2 ** 31, "x", [], {}, null)), fc.nat(), fc.oneof(f32, fc.constantFrom(NaN, Infinity)), fc.boolean())
  .map(([pick, value, at, poison, onArrays]) => {
    const { meta, arrays } = decodeContainer(saved);
    if (onArrays) {
      const names = Object.keys(arrays);
      const name = names[pick % names.length]!;
      const a = arrays[name]!;
      arrays[name] = at % 3 === 0 ? a.slice(0, Math.max(0, a.length - 1)) : a.slice();
      if (at % 3 !== 0 && a.length) arrays[name]![at % a.length] = poison;
    } else {
      const paths: Array<[Record<string, unknown>, string]> = [];
      const walk = (o: Record<string, unknown>) => {
        for (const k of Object.keys(o)) {
          paths.push([o, k]);
          if (o[k] !== null && typeof o[k] === "object") walk(o[k] as Record<string, unknown>);
        }
      };
      walk(meta);
      const [obj, key] = paths[pick % paths.length]!;
      // JSON cannot hold everything junk holds; what survives a round trip is what a file could say.
      obj[key] = value === undefined ? null : JSON.parse(JSON.stringify(value, (_, v) => (typeof v === "bigint" ? Number(v) : v)) ?? "null");
    }
    return encodeContainer({ meta, arrays });
  });

/** An agent that loaded must act, report finite Q-values and counters, and save again. */
async function expectWorking(agent: DQN): Promise<void> {
  for (const n of [agent.timesteps, agent.episodes]) expect(Number.isInteger(n) && n >= 0, `counter ${n}`).toBe(true);
  const q = agent.qValues(OBS.slice(0, agent.observationSize));
  expectFinite("Q-values", q);
  const action = agent.predict(OBS.slice(0, agent.observationSize), { deterministic: false });
  expect(Number.isInteger(action) && action >= 0 && action < agent.nActions).toBe(true);
  expect(Number.isFinite(agent.epsilon), `epsilon ${agent.epsilon}`).toBe(true);
  await agent.save();
}

describe("fuzz: DQN.load", () => {
  it("mutated, truncated, extended or random bytes: FormatError, no tensors left", { timeout: timeout(500, 10) }, async () => {
    await fc.assert(
      fc.asyncProperty(mutated(() => saved), async (bytes) => {
        const before = tf.memory().numTensors;
        const loaded = await attemptAsync(() => DQN.load(bytes));
        expect(loaded.ok, "a corrupted save file loaded").toBe(false);
        if (!loaded.ok) expect(loaded.error).toBeInstanceOf(FormatError);
        expect(tf.memory().numTensors).toBe(before);
      }),
      runs(500),
    );
  });

  it("tampered contents under a valid checksum: FormatError, or an agent that works with finite numbers", { timeout: timeout(200, 30) }, async () => {
    await fc.assert(
      fc.asyncProperty(tampered, async (bytes) => {
        const loaded = await attemptAsync(() => DQN.load(bytes));
        if (!loaded.ok) {
          expect(loaded.error).toBeInstanceOf(FormatError);
          return;
        }
        await expectWorking(loaded.value);
        loaded.value.dispose();
      }),
      runs(200),
    );
  });
});

/** A policy's Q-values are finite, or the call is refused as overflowing (weights can be huge and finite). */
function expectFiniteOrRefused(policy: Policy, obs: number[]): Float32Array | undefined {
  const q = attempt(() => policy.qValues(obs));
  if (q.ok) expectFinite("Q-values", q.value);
  else expect(q.error.message).toMatch(/overflow float32/);
  return q.ok ? q.value : undefined;
}

describe("fuzz: loadPolicy", () => {
  it("mutated deepq save files and safetensors, random bytes: FormatError", { timeout: timeout(500, 10) }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated(() => saved), mutated(() => tensors)), async (bytes) => {
        const loaded = await attemptAsync(() => loadPolicy(bytes));
        // A byte change inside safetensors float data is not detectable (the format has no checksum): it must still give finite Q-values.
        if (loaded.ok) expectFiniteOrRefused(loaded.value, OBS);
        else expect(loaded.error).toBeInstanceOf(FormatError);
      }),
      runs(500),
    );
  });

  /** A safetensors header of random entries (names, dtypes, shapes, offsets), or an MLP's with its data poisoned. */
  const entry = fc.record(
    {
      dtype: fc.oneof(fc.constantFrom("F32", "F16", "BF16", "F64", "I64", "f32"), junk),
      shape: fc.oneof(fc.array(fc.nat(6), { maxLength: 3 }), junk),
      data_offsets: fc.oneof(fc.tuple(fc.nat(200), fc.nat(200)), junk),
    },
    { requiredKeys: [] },
  );
  const name = fc.oneof(fc.constantFrom("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "value.weight", "advantage.weight", "__metadata__", "__proto__"), fc.string());
  const randomFile = fc.tuple(fc.dictionary(name, fc.oneof(entry, junk), { maxKeys: 5 }), fc.uint8Array({ maxLength: 256 }), fc.nat(4)).map(([header, data, pad]) => {
    const json = new TextEncoder().encode(JSON.stringify(header, (_, v) => (typeof v === "bigint" ? Number(v) : v)) + " ".repeat(pad));
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
  });
  const sizes = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 2 }), fc.integer({ min: 1, max: 4 }));
  const mlpFile = fc.tuple(sizes, fc.array(fc.oneof({ weight: 8, arbitrary: moderate }, f32, fc.constantFrom(NaN, Infinity)), { minLength: 1, maxLength: 200 })).map(([[d, hidden, nA], values]) => {
    const widths = [d, ...hidden, nA];
    let k = 0;
    const next = () => values[k++ % values.length]!;
    const layers: Array<[string, { shape: number[]; data: Float32Array }]> = [];
    for (let l = 0; l + 1 < widths.length; l++) {
      layers.push([`layers.${l}.weight`, { shape: [widths[l + 1]!, widths[l]!], data: Float32Array.from({ length: widths[l]! * widths[l + 1]! }, next) }]);
      layers.push([`layers.${l}.bias`, { shape: [widths[l + 1]!], data: Float32Array.from({ length: widths[l + 1]! }, next) }]);
    }
    return { bytes: writeSafetensors(layers), d };
  });

  it("safetensors with random headers, or an MLP with random weights: FormatError, or a policy with finite Q-values", { timeout: timeout(500, 10) }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(randomFile.map((bytes) => ({ bytes, d: 4 })), mlpFile), fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 6, maxLength: 6 }), async ({ bytes, d }, obs) => {
        const loaded = await attemptAsync(() => loadPolicy(bytes));
        if (!loaded.ok) {
          expect(loaded.error).toBeInstanceOf(FormatError);
          return;
        }
        const policy = loaded.value;
        const o = obs.slice(0, policy.observationSize);
        const q = expectFiniteOrRefused(policy, o);
        if (q) expect(policy.act(o)).toBe(q.indexOf(Math.max(...q)));
        expect(policy.observationSize).toBe(d);
        policy.dispose();
      }),
      runs(500),
    );
  });
});
