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
import { ArenaPlan, type Loaded, type WasmFlavor } from "../runtime/wasm.ts";
import type { DeepqExports } from "../runtime/bindings.ts";
import { Header } from "../runtime/header.ts";
import { CartPoleBase, CartPoleVecBase, cartpoleConfig, type CartPoleConfig, type CartPoleCore, type CartPoleId, type CartPoleOptions, type CartPoleVecOptions, type VecArrays } from "./cartpole-common.ts";
import type { Seed } from "./seeding.ts";
import { pcg64Seed, writePcg64 } from "./pcg64.ts";

/** N CartPoles in one arena: the header, views of every region and the kernels, as a {@link CartPoleCore}. */
class CartPoleMemory implements CartPoleCore {
  private constructor(
    readonly arrays: VecArrays,
    private readonly header: Header,
    private readonly actions: Int32Array,
    private readonly rng: number,
    private readonly kernels: DeepqExports,
  ) {}

  /** `build` forces a WASM build, or another compiled module (tests compare them). */
  static async create(n: number, config: CartPoleConfig, { build, softwareFma = false }: WasmChoice = {}): Promise<CartPoleMemory> {
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
    const arena = await plan.instantiate(build);
    if (softwareFma) arena.probeFma(false);
    const slots = new Header(arena.buffer, header, CP_HEADER_SLOTS);
    slots.setInts([[CP_NUM_ENVS, n], ...at, [CP_SUTTON_BARTO, config.suttonBartoReward ? 1 : 0]]);
    slots.setFloat(CP_MAX_STEPS, config.spec.maxEpisodeSteps);
    const address = new Map(at);
    const arrays: VecArrays = {
      state: arena.f64(address.get(CP_STATE)!, 4 * n),
      observation: arena.f32(address.get(CP_OBS)!, 4 * n),
      reward: arena.f32(address.get(CP_REWARD)!, n),
      terminated: arena.u8(address.get(CP_TERMINATED)!, n),
      truncated: arena.u8(address.get(CP_TRUNCATED)!, n),
    };
    return new CartPoleMemory(arrays, slots, arena.i32(address.get(CP_ACTIONS)!, n), address.get(CP_RNG)!, arena.kernels);
  }

  seed(seed: Seed): void {
    writePcg64(this.arrays.state.buffer as ArrayBuffer, this.rng, pcg64Seed(seed));
  }

  reset(low: number, high: number): void {
    this.header.setFloat(CP_LOW, low);
    this.header.setFloat(CP_HIGH, high);
    this.kernels.cartpoleReset(this.header.address);
  }

  step(action: number): boolean {
    return this.kernels.cartpoleStep(this.header.address, action) !== 0;
  }

  stepVec(actions: Int32Array): number {
    this.actions.set(actions);
    return this.kernels.cartpoleVecStep(this.header.address);
  }
}

/** Which WASM module runs (tests pin a build, or pass the test module of scalar twins; by default the best build the runtime runs). */
export interface WasmChoice {
  build?: WasmFlavor | Loaded;
  /** Emulate fma even where relaxed_madd fuses (tests run both paths). */
  softwareFma?: boolean;
}

/**
 * CartPole-v1 (or v0), as `gymnasium.make(id)`, on the WASM kernels. Create
 * with `make("CartPole-v1", options)`.
 */
export class CartPoleEnv extends CartPoleBase {
  static async create(options?: CartPoleOptions, id: CartPoleId = "CartPole-v1", wasm?: WasmChoice): Promise<CartPoleEnv> {
    const config = cartpoleConfig(id, options);
    return new CartPoleEnv(config, await CartPoleMemory.create(1, config, wasm));
  }
}

/**
 * `numEnvs` CartPoles in one WASM memory, as Gymnasium's CartPoleVectorEnv;
 * a step is one WASM call. Create with `makeVec("CartPole-v1", { numEnvs })`.
 */
export class CartPoleVecEnv extends CartPoleVecBase {
  static async create(options: CartPoleVecOptions, id: CartPoleId = "CartPole-v1", wasm?: WasmChoice): Promise<CartPoleVecEnv> {
    const config = cartpoleConfig(id, options, true);
    return new CartPoleVecEnv(config, await CartPoleMemory.create(config.numEnvs, config, wasm));
  }
}
