// Host for Node, Deno and Bun: imports the public bundle and the smoke
// fixture by URL, prints the smoke report after a DEEPQ_REPORT marker.
//   <runtime> host.mjs <public bundle URL> <smoke URL> '<options JSON>'
const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
const [bundleUrl, smokeUrl, options = "{}"] = args;
const deepq = await import(bundleUrl);
const smoke = await import(smokeUrl);
const report = await smoke.report(deepq, JSON.parse(options));
console.log(`DEEPQ_REPORT ${JSON.stringify(report)}`);
