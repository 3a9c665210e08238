// workerd host: dist/workerd.mjs and the smoke fixture are modules of this
// worker (see workerd.test.ts for the config); GET / answers the report.
import * as deepq from "./workerd.mjs";
import * as smoke from "./smoke.workerd.mjs";

export default {
  async fetch() {
    try {
      const report = await smoke.report(deepq, { parity: ["fused", "wasm", "cpu"] });
      return new Response(`DEEPQ_REPORT ${JSON.stringify(report)}\n`);
    } catch (e) {
      return new Response(`error: ${e?.stack ?? e}\n`, { status: 500 });
    }
  },
};
