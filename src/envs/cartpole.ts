/**
 * CartPole on deepq's WebAssembly kernels (assembly/cartpole.ts): the state
 * lives in WASM memory, a step is one call, and `state`, observations and
 * vector results are views into that memory. Semantics are Gymnasium 1.4's,
 * bit for bit (see cartpole-common.ts for the wrappers).
 */
import {
  CP_ACTIONS, CP_ELAPSED, CP_HEADER_SLOTS, CP_HIGH, CP_LOW, CP_MAX_STEPS, CP_NUM_ENVS, CP_OBS, CP_PREV_DONE,
  CP_RESET_LIST, CP_REWARD, CP_RNG, CP_STATE, CP_SUTTON_BARTO, CP_TERMINATED, CP_TRUNCATED, PCG64_BYTES, SLOT,
} from "../../assembly/layout.ts";
import { ArenaPlan, type Kernels, type WasmFlavor } from "../runtime/wasm.ts";
import { CartPoleBase, CartPoleVecBase, cartpoleConfig, type CartPoleConfig, type CartPoleId, type CartPoleOptions, type CartPoleVecOptions, type VecArrays } from "./cartpole-common.ts";
import type { Seed } from "./seeding.ts";
import { pcg64Seed, writePcg64 } from "./pcg64.ts";

/** One arena holding N CartPoles: the header, the kernels and views of every region. */
class CartPoleMemory {
  private constructor(
    readonly header: number,
    readonly kernels: Kernels,
    readonly arrays: VecArrays,
    readonly actions: Int32Array,
    private readonly rng: number,
    private readonly slots: DataView,
  ) {}

  static async create(n: number, config: CartPoleConfig, flavor?: WasmFlavor): Promise<CartPoleMemory> {
    const plan = new ArenaPlan();
    const header = plan.region(CP_HEADER_SLOTS * SLOT);
    const at: Array<[slot: number, address: number]> = [
      [CP_STATE, plan.region(32 * n)],
      [CP_OBS, plan.region(16 * n)],
      [CP_ACTIONS, plan.region(4 * n)],
      [CP_REWARD, plan.region(4 * n)],
      [CP_TERMINATED, plan.region(n)],
      [CP_TRUNCATED, plan.region(n)],
      [CP_ELAPSED, plan.region(8 * n)],
      [CP_PREV_DONE, plan.region(8 * n)],
      [CP_RESET_LIST, plan.region(4 * n)],
      [CP_RNG, plan.region(PCG64_BYTES)],
    ];
    const arena = await plan.instantiate(flavor);
    const slots = new DataView(arena.buffer, header, CP_HEADER_SLOTS * SLOT);
    slots.setBigInt64(CP_NUM_ENVS * SLOT, BigInt(n), true);
    for (const [slot, address] of at) slots.setBigInt64(slot * SLOT, BigInt(address), true);
    slots.setFloat64(CP_MAX_STEPS * SLOT, config.spec.maxEpisodeSteps, true);
    slots.setBigInt64(CP_SUTTON_BARTO * SLOT, config.suttonBartoReward ? 1n : 0n, true);
    const address = (slot: number) => Number(slots.getBigInt64(slot * SLOT, true));
    const arrays: VecArrays = {
      state: arena.f64(address(CP_STATE), 4 * n),
      observation: arena.f32(address(CP_OBS), 4 * n),
      reward: arena.f32(address(CP_REWARD), n),
      terminated: arena.u8(address(CP_TERMINATED), n),
      truncated: arena.u8(address(CP_TRUNCATED), n),
    };
    return new CartPoleMemory(header, arena.kernels, arrays, arena.i32(address(CP_ACTIONS), n), address(CP_RNG), slots);
  }

  seed(seed: Seed): void {
    writePcg64(this.slots.buffer, this.rng, pcg64Seed(seed));
  }

  reset(low: number, high: number): void {
    this.slots.setFloat64(CP_LOW * SLOT, low, true);
    this.slots.setFloat64(CP_HIGH * SLOT, high, true);
    this.kernels.cartpoleReset!(this.header);
  }
}

/**
 * CartPole-v1 (or v0), as `gymnasium.make(id)`, on the WASM kernels. Create
 * with `make("CartPole-v1", options)`.
 */
export class CartPoleEnv extends CartPoleBase {
  private readonly memory: CartPoleMemory;
  private readonly obs: Float32Array;
  private readonly header: number;
  private readonly stepKernel: (header: number, action: number) => number;

  private constructor(config: CartPoleConfig, memory: CartPoleMemory) {
    super(config, memory.arrays.state);
    this.memory = memory;
    this.obs = memory.arrays.observation;
    this.header = memory.header;
    this.stepKernel = memory.kernels.cartpoleStep!;
  }

  /** `flavor` forces a WASM build (tests compare them); by default the best the runtime runs. */
  static async create(options?: CartPoleOptions, id: CartPoleId = "CartPole-v1", flavor?: WasmFlavor): Promise<CartPoleEnv> {
    const config = cartpoleConfig(id, options);
    return new CartPoleEnv(config, await CartPoleMemory.create(1, config, flavor));
  }

  protected seedCore(seed: Seed): void {
    this.memory.seed(seed);
  }
  protected resetCore(low: number, high: number): void {
    this.memory.reset(low, high);
  }
  protected stepCore(action: number): boolean {
    return this.stepKernel(this.header, action) !== 0;
  }
  protected observe(): Float32Array {
    return this.obs.slice();
  }
}

/**
 * `numEnvs` CartPoles in one WASM memory, as Gymnasium's CartPoleVectorEnv;
 * a step is one WASM call. Create with `makeVec("CartPole-v1", { numEnvs })`.
 */
export class CartPoleVecEnv extends CartPoleVecBase {
  private readonly memory: CartPoleMemory;
  private readonly header: number;
  private readonly stepKernel: (header: number) => number;

  private constructor(config: CartPoleConfig & { numEnvs: number }, memory: CartPoleMemory, scalar: boolean) {
    super(config, memory.arrays);
    this.memory = memory;
    this.header = memory.header;
    this.stepKernel = scalar ? memory.kernels.cartpoleVecStepScalar! : memory.kernels.cartpoleVecStep!;
  }

  /** `flavor` forces a WASM build and `scalar` the scalar twin of the SIMD kernel (tests compare them). */
  static async create(options: CartPoleVecOptions, id: CartPoleId = "CartPole-v1", { flavor, scalar = false }: { flavor?: WasmFlavor; scalar?: boolean } = {}): Promise<CartPoleVecEnv> {
    const config = cartpoleConfig(id, options, true);
    return new CartPoleVecEnv(config, await CartPoleMemory.create(config.numEnvs, config, flavor), scalar);
  }

  protected seedCore(seed: Seed): void {
    this.memory.seed(seed);
  }
  protected resetCore(low: number, high: number): void {
    this.memory.reset(low, high);
  }
  protected stepCore(actions: Int32Array): number {
    this.memory.actions.set(actions);
    return this.stepKernel(this.header);
  }
}
