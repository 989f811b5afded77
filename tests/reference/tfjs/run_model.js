// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs a TF.js layers-model (model.json + weight shards) with TensorFlow.js
// itself, the UpscalerJS models' own runtime (pure JS CPU backend), so our
// executor is checked against the original and not against our reading of
// the format.
//
//   node run_model.js MODEL_JSON INPUT H W OUTPUT
//
// INPUT: H*W*3 little-endian float32, HWC, in the model's own input range
// (0..255 for the RDN models, 0..1 for the RRDN ones). OUTPUT: the raw
// predict() result, float32 NHWC with N = 1, not clipped. The last stdout
// line is JSON: {"shape": [...], "seconds": predict time, "customLayers":
// "package" | "hand" | "none", and the package's inputRange/outputRange
// when its definition was found}. Earlier lines (tfjs's banner) are noise.
'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

function die(msg) {
  process.stderr.write('run_model.js: ' + msg + '\n');
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length !== 5) {
  die('usage: node run_model.js MODEL_JSON INPUT H W OUTPUT');
}
const [modelPath, inputPath, hArg, wArg, outputPath] = args;
const H = Number(hArg);
const W = Number(wArg);
if (!Number.isInteger(H) || !Number.isInteger(W) || H < 1 || W < 1) {
  die('H and W must be positive integers');
}

const model = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
if (model.format !== 'layers-model') {
  die(modelPath + ': format is ' + JSON.stringify(model.format) +
      ', not "layers-model"');
}

// The nearest package.json above the model: the UpscalerJS package whose
// definition (setup, value ranges) belongs to this model.json.
function findPackage(dir) {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const p = path.join(d, 'package.json');
    if (fs.existsSync(p)) {
      return { root: d, json: JSON.parse(fs.readFileSync(p, 'utf8')) };
    }
    if (path.dirname(d) === d) {
      return null;
    }
  }
}

const layers = model.modelTopology.model_config.config.layers;
const shuffle = layers.map((l) => /^PixelShuffle(\d+)x$/.exec(l.class_name))
  .find((m) => m);
const hasCustom = layers.some((l) => l.class_name === 'MultiplyBeta') ||
  Boolean(shuffle);

// The package's definition for this scale: its exports map names one entry
// per scale ("./4x"); the scale is the model folder's name (x4).
let definition = null;
const pkg = findPackage(path.dirname(modelPath));
const scaleDir = /^x(\d+)$/.exec(path.basename(path.dirname(modelPath)));
if (pkg && pkg.json.exports) {
  const key = scaleDir ? './' + scaleDir[1] + 'x' : '.';
  const entry = pkg.json.exports[key];
  if (entry && entry.require) {
    const mod = require(path.join(pkg.root, entry.require));
    definition = mod && mod.default ? mod.default : mod;
  }
}

// Custom layers: the package's own setup() registers MultiplyBeta and
// PixelShuffle<s>x; without the package, the same classes by hand (the
// package's MultiplyBeta hard-codes 0.2 whatever the config says).
let customLayers = 'none';
if (hasCustom && definition && typeof definition.setup === 'function') {
  definition.setup(tf);
  customLayers = 'package';
} else if (hasCustom) {
  class MultiplyBeta extends tf.layers.Layer {
    constructor(config) {
      super(config);
      this.beta = 0.2;
    }
    call(inputs) {
      return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, this.beta);
    }
    static get className() {
      return 'MultiplyBeta';
    }
  }
  tf.serialization.registerClass(MultiplyBeta);
  if (shuffle) {
    const s = Number(shuffle[1]);
    class PixelShuffle extends tf.layers.Layer {
      computeOutputShape(shape) {
        return [shape[0], shape[1], shape[2], 3];
      }
      call(inputs) {
        return tf.depthToSpace(Array.isArray(inputs) ? inputs[0] : inputs, s,
          'NHWC');
      }
      static get className() {
        return 'PixelShuffle' + s + 'x';
      }
    }
    tf.serialization.registerClass(PixelShuffle);
  }
  customLayers = 'hand';
}

// Pure tfjs has no file:// loader: an IOHandler hands it the topology, the
// manifest's weight lists and every group's shards concatenated in order.
const dir = path.dirname(modelPath);
const weightSpecs = [];
const shards = [];
for (const group of model.weightsManifest) {
  weightSpecs.push(...group.weights);
  for (const p of group.paths) {
    shards.push(fs.readFileSync(path.join(dir, p)));
  }
}
const all = Buffer.concat(shards);
const weightData = all.buffer.slice(all.byteOffset, all.byteOffset +
  all.byteLength);
const handler = {
  load: async () => ({
    modelTopology: model.modelTopology,
    weightSpecs,
    weightData,
    format: model.format,
    generatedBy: model.generatedBy,
    convertedBy: model.convertedBy,
  }),
};

async function main() {
  await tf.setBackend('cpu');
  const net = await tf.loadLayersModel(handler);
  const raw = fs.readFileSync(inputPath);
  if (raw.length !== H * W * 3 * 4) {
    die(inputPath + ': ' + raw.length + ' bytes, expected ' + H * W * 3 * 4 +
        ' (' + H + 'x' + W + 'x3 float32)');
  }
  // Copy: a Float32Array needs a 4-byte aligned buffer.
  const data = new Float32Array(H * W * 3);
  new Uint8Array(data.buffer).set(raw);
  const x = tf.tensor4d(data, [1, H, W, 3]);
  const t0 = process.hrtime.bigint();
  const y = net.predict(x);
  const out = await y.data();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.writeFileSync(outputPath, Buffer.from(out.buffer, out.byteOffset,
    out.byteLength));
  const result = { shape: y.shape, seconds, customLayers };
  if (definition && definition.inputRange) {
    result.inputRange = definition.inputRange;
    result.outputRange = definition.outputRange;
  }
  process.stdout.write('\n' + JSON.stringify(result) + '\n');
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));
