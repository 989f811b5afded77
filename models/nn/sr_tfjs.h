/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TF.js layers-model loader: model.json plus the weight shards it names
 * (beside it) into an SrGraph. The layer DAG is read from each layer's
 * inbound_nodes (never from the order of the list); weights are bound by
 * name over the concatenated shards of their group, HWIO kernels turned
 * into OIHW. Layers: InputLayer, Conv2D (stride 1, 'same' or 'valid',
 * linear or relu), Activation (relu, linear), Concatenate (channels), Add,
 * UpSampling2D, and UpscalerJS's MultiplyBeta and PixelShuffle<s>x
 * (TensorFlow's depth_to_space order). Anything else, quantized weights, or
 * a file that does not add up is refused with an error naming the file and
 * the layer or weight. */
#pragma once

#include "sr_graph.h"

G_BEGIN_DECLS

/* input_max: the largest input value the model was trained on (255 or 1).
 * Our frames are [0,1]: the graph scales them on the way in and divides the
 * output by the same and clamps it to [0,1] on the way out. 0 = as
 * UpscalerJS declares it: 1 for its RRDN models (those with MultiplyBeta
 * layers), 255 for the RDN ones (UpscalerJS esrgan.js,
 * getESRGANModelDefinition). */
SrGraph *sr_tfjs_load (const char *model_json, double input_max,
    GError **error);

G_END_DECLS
