// SPDX-License-Identifier: LGPL-2.1-or-later
// ONNX Runtime's side of tests/bench/bench_upscale.py: loads an .onnx with
// one float32 input and one output on the CPU execution provider, 2 intra-op
// threads, 1 inter-op thread, sequential execution, all graph
// optimisations; runs it once untimed, then RUNS timed runs, and prints
// {"ms": median, ...} as JSON on stdout.
//
//   node ort_run.js MODEL.onnx IN.f32 N,C,H,W [OUT.f32] [RUNS]
//
// IN: raw little-endian float32 in NCHW order with the given shape; OUT
// (optional, "" for none): the output of the last run, raw float32 NCHW.
// A timed run is session.run() alone: binding the input from JS memory,
// the graph, and the copy of the output into a JS buffer, i.e. host tensor
// in, host tensor out.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, input, dims, output = '', runsArg = '5'] = process.argv.slice(2);
  if (!model || !input || !dims) {
    console.error('usage: node ort_run.js MODEL.onnx IN.f32 N,C,H,W [OUT.f32] [RUNS]');
    process.exit(2);
  }
  const shape = dims.split(',').map(Number);
  const runs = Math.max(1, parseInt(runsArg, 10) || 1);
  const n = shape.reduce((a, b) => a * b, 1);
  const buf = fs.readFileSync(input);
  if (shape.length !== 4 || !shape.every(d => Number.isInteger(d) && d > 0)
      || buf.length !== 4 * n) {
    console.error(`bad input ${input}: ${buf.length} bytes for shape ${dims}`);
    process.exit(2);
  }
  // Copy into an aligned Float32Array (the Buffer's offset may be unaligned).
  const data = new Float32Array(n);
  new Uint8Array(data.buffer).set(buf);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', data, shape)};
  const outName = session.outputNames[0];
  let y = (await session.run(feeds))[outName];         // warm-up
  const ms = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    y = (await session.run(feeds))[outName];
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  if (output)
    fs.writeFileSync(output, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
  ms.sort((a, b) => a - b);
  const median = runs % 2 ? ms[runs >> 1] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
  console.log(JSON.stringify({ms: median, runs: ms, dims: y.dims,
                              ort: ort.env.versions.node}));
}

main().catch(e => { console.error(String(e && e.message || e)); process.exit(1); });
