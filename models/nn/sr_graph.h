/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SrGraph: every network as data. Each loader (TF.js layers-model today;
 * safetensors + an architecture builder, ncnn next) translates its file
 * into this one small graph, and one executor (sr_executor.h) runs every
 * graph. Nodes are an op, its parameters and its weights; values (edges)
 * are [1, C, H, W] float32 activations whose size follows from the input
 * size, so one graph serves any frame or tile size.
 *
 * Building a graph: sr_graph_new, then sr_graph_add_* in any order that
 * names only values already made (a loader walks its file's DAG in
 * topological order), then sr_graph_set_output. sr_graph_finish checks
 * it, works out every value's channel count and scale, and fuses what the
 * ops can do in one pass (an activation, a scale or a residual add into the
 * convolution before it). */
#pragma once

#include <glib.h>
#include "sr_nn_conv2d.h"
#include "sr_nn_shuffle.h"
#include "sr_nn_upsample.h"

G_BEGIN_DECLS

/* Errors of graphs, loaders and the executor: the message names the file,
 * the layer or the value concerned. */
#define SR_MODEL_ERROR (sr_model_error_quark ())
GQuark sr_model_error_quark (void);

typedef enum {
  SR_MODEL_ERROR_IO,            /* a file cannot be read */
  SR_MODEL_ERROR_FORMAT,        /* not the format it claims, or damaged */
  SR_MODEL_ERROR_UNSUPPORTED,   /* valid, but a layer or setting we lack */
  SR_MODEL_ERROR_WEIGHTS,       /* missing, extra or wrong-shaped weights */
  SR_MODEL_ERROR_GRAPH,         /* an impossible graph (shapes, links) */
  SR_MODEL_ERROR_SIZE,          /* the input is too small for the network */
} SrModelError;

typedef enum {
  SR_NODE_CONV2D,
  SR_NODE_ADD,              /* act (sum coef[i] * in[i]); 1 input = a scale */
  SR_NODE_AFFINE,           /* act (in * scale[c] + shift[c]) */
  SR_NODE_ACT,              /* act (in) */
  SR_NODE_CONCAT,           /* channel axis, inputs in order */
  SR_NODE_UPSAMPLE,
  SR_NODE_PIXEL_SHUFFLE,
  SR_NODE_PIXEL_UNSHUFFLE,
  SR_NODE_MAX_POOL,         /* pool_k x pool_k, stride pool_s, no padding */
  SR_NODE_L2_NORMALIZE,     /* in / (sqrt (sum_c in^2) + eps) per pixel */
  SR_NODE_VQ,               /* each pixel -> its nearest code (weight:
                             * [C][vq_codes], a column per code) */
} SrNodeKind;

#define SR_GRAPH_MAX_INPUTS 16

typedef struct {
  SrNodeKind kind;
  char *name;                   /* the file's layer name, for messages */
  int n_inputs;
  int inputs[SR_GRAPH_MAX_INPUTS];  /* value ids */
  int output;                   /* value id */
  /* CONV2D: p, weight (OIHW), bias (or NULL), prelu (or NULL); after
   * fusion, skip is the value added in the epilogue (-1: none). */
  SrNnConv2dParams conv;
  float *weight, *bias, *prelu;
  int skip;
  /* ADD: coef[n_inputs]; AFFINE: scale/shift[C]; ADD, AFFINE, ACT: act. */
  float coef[SR_GRAPH_MAX_INPUTS];
  float *scale, *shift;
  SrAct act;
  /* UPSAMPLE, PIXEL_(UN)SHUFFLE */
  int factor;
  SrUpsampleMode upsample;
  SrShuffleOrder order;
  /* MAX_POOL; L2_NORMALIZE */
  int pool_k, pool_s;
  float eps;
  int vq_codes;                 /* VQ */
  gboolean dead;                /* fused into another node */
} SrNode;

typedef struct {
  int channels;
  int producer;                 /* node index, -1 for the graph input */
  int n_consumers;
} SrValue;

typedef struct {
  GPtrArray *nodes;             /* SrNode *, in execution order */
  GArray *values;               /* SrValue */
  int input, output;            /* value ids */
  GArray *taps;                 /* int value ids the caller reads besides
                                 * the output (a feature network's layers) */
  int scale;                    /* output size / input size (set by finish;
                                 * 0 for a network with taps whose output is
                                 * smaller than its input) */
  char *name;
} SrGraph;

static inline SrNode *
sr_graph_node (const SrGraph *g, int i)
{
  return g_ptr_array_index (g->nodes, i);
}

static inline SrValue *
sr_graph_value (const SrGraph *g, int v)
{
  return &g_array_index (g->values, SrValue, v);
}

SrGraph *sr_graph_new (const char *name, int input_channels);
void sr_graph_free (SrGraph *g);

/* Each returns the new node's output value id, or -1 with *error set when an
 * input id is unknown or the parameters are impossible. Weight arrays are
 * copied. */
int sr_graph_add_conv2d (SrGraph *g, const char *name, int in,
    const SrNnConv2dParams *p, const float *weight, const float *bias,
    const float *prelu, GError **error);
int sr_graph_add_add (SrGraph *g, const char *name, int n, const int *in,
    const float *coef, GError **error);
int sr_graph_add_affine (SrGraph *g, const char *name, int in,
    const float *scale, const float *shift, SrAct act, GError **error);
int sr_graph_add_act (SrGraph *g, const char *name, int in, SrAct act,
    GError **error);
int sr_graph_add_concat (SrGraph *g, const char *name, int n, const int *in,
    GError **error);
int sr_graph_add_upsample (SrGraph *g, const char *name, int in, int factor,
    SrUpsampleMode mode, GError **error);
int sr_graph_add_pixel_shuffle (SrGraph *g, const char *name, int in,
    int factor, SrShuffleOrder order, GError **error);
int sr_graph_add_pixel_unshuffle (SrGraph *g, const char *name, int in,
    int factor, GError **error);
/* PyTorch's ConvTranspose2d (cin, cout, 4, stride 2, padding 1), the
 * exact 2x upsampler of VQ-VAE decoders: weight [cin][cout][4][4] (its
 * layout), bias [cout] or NULL, then act (not PReLU). Built as what it
 * equals: a 3x3 convolution (padding 1) making the four output phases as
 * 4 cout channels, then a pixel shuffle; so every conv strategy serves it
 * (5 of each 9 phase taps are zero). Returns the output value. */
int sr_graph_add_conv_transpose (SrGraph *g, const char *name, int in,
    int cout, const float *weight, const float *bias, SrAct act,
    GError **error);
/* VQ-VAE's quantiser at inference: embed [C][n_codes] (its layout, C =
 * the input's channels). */
int sr_graph_add_vq (SrGraph *g, const char *name, int in,
    const float *embed, int n_codes, GError **error);
int sr_graph_add_max_pool (SrGraph *g, const char *name, int in, int k,
    int s, GError **error);
int sr_graph_add_l2_normalize (SrGraph *g, const char *name, int in,
    float eps, GError **error);

/* Marks value v (made by a node, not the input) as a tap: kept whole and
 * unfused until the end of every run, where sr_executor_tap reads it.
 * Returns the tap's index, or -1 with *error set. */
int sr_graph_add_tap (SrGraph *g, int v, GError **error);

/* Marks the output, checks the graph and fuses epilogues. The output must
 * be an integer multiple of the input's size (an upscaler) unless the
 * graph has taps (a feature network). */
gboolean sr_graph_finish (SrGraph *g, int output, GError **error);

/* Every value's size for an h x w input (vh, vw: one per value); FALSE
 * with *error naming the node when the input is too small for it. */
gboolean sr_graph_infer_sizes (const SrGraph *g, int h, int w, int *vh,
    int *vw, GError **error);

/* Multiply-accumulates per input pixel (for cost figures). */
double sr_graph_macs_per_input_pixel (const SrGraph *g);
/* How far an output pixel's value reaches into the input (pixels of the
 * input, each side): the overlap a tile needs to equal the untiled result. */
int sr_graph_receptive_radius (const SrGraph *g);
/* What the input's sides must be a multiple of: the pixel unshuffles'
 * factors and the strided convolutions' strides, in input pixels (RRDBNet
 * x2: 2, x1: 4; VQ-VAE-2 8; 1 for most networks).
 * Other sizes are padded to it by the caller (srupscale, as RealESRGANer
 * does) and the output cropped. */
int sr_graph_size_multiple (const SrGraph *g);

/* Splits a finished upscaler where a large upsampling tail begins: at the
 * value at the input's size that is all the later nodes read (RRDBNet's
 * trunk sum), when the nodes after it compute at a larger size. TRUE: g is
 * freed, *head is the network up to that value (scale 1) and *tail the
 * rest (its input is that value; scale g's). FALSE: no such value, g is
 * unchanged. Tiles then run the tail in smaller pieces than the head
 * (sr_tiled.h): realesrgan-x4plus's tail holds 8 of its 9.7 kB per input
 * pixel. */
gboolean sr_graph_split (SrGraph *g, SrGraph **head, SrGraph **tail);

/* Prefixes "path: " to *error unless its message names path already:
 * the loaders' way to name the file in the graph's own messages, which
 * know only layer names. */
void sr_graph_error_in_file (GError **error, const char *path);

G_END_DECLS
