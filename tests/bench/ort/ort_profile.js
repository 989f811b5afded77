// SPDX-License-Identifier: LGPL-2.1-or-later
// Where ONNX Runtime's time goes, node by node, to set beside
// `SR_NN_PROFILE=1 nn_run_tool` (docs/benchmarks.md): runs an .onnx as
// ort_run.js does (CPU, 2 intra-op threads, sequential, all graph
// optimisations) with ONNX Runtime's profiler on, and prints the last run's
// kernels, slowest first: milliseconds, op, input and output shapes.
//
//   node ort_profile.js MODEL.onnx IN.f32 N,C,H,W [RUNS]
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const [model, input, dims, runsArg = '3'] = process.argv.slice(2);
  if (!model || !input || !dims) {
    console.error('usage: node ort_profile.js MODEL.onnx IN.f32 N,C,H,W [RUNS]');
    process.exit(2);
  }
  const shape = dims.split(',').map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const buf = fs.readFileSync(input);
  if (buf.length !== 4 * n) {
    console.error(`bad input ${input}: ${buf.length} bytes for shape ${dims}`);
    process.exit(2);
  }
  const data = new Float32Array(n);
  new Uint8Array(data.buffer).set(buf);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ort-profile-'));
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableProfiling: true,
    profileFilePrefix: path.join(dir, 'p'),
  });
  const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', data, shape)};
  const runs = Math.max(1, parseInt(runsArg, 10) || 1);
  for (let r = 0; r <= runs; r++)
    await session.run(feeds);
  session.endProfiling();
  const file = fs.readdirSync(dir).find(f => f.endsWith('.json'));
  const events = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  fs.rmSync(dir, {recursive: true, force: true});
  const last = events.filter(e => e.name === 'model_run').pop();
  const nodes = events.filter(e => e.cat === 'Node' && e.name.endsWith('_kernel_time')
      && e.ts >= last.ts && e.ts <= last.ts + last.dur);
  const shapes = list => (list || []).map(x => JSON.stringify(Object.values(x)[0])).join(' ');
  console.log(`run ${(last.dur / 1e3).toFixed(1)} ms, kernels ${(nodes.reduce((s, e) => s + e.dur, 0) / 1e3).toFixed(1)} ms`);
  for (const e of nodes.sort((a, b) => b.dur - a.dur))
    console.log(`${(e.dur / 1e3).toFixed(2).padStart(8)}  ${e.args.op_name.padEnd(14)} ` +
        `${shapes(e.args.input_type_shape)} -> ${shapes(e.args.output_type_shape)}`);
}

main().catch(e => { console.error(String(e && e.message || e)); process.exit(1); });
