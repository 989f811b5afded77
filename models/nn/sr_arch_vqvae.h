/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VQ-VAE-2 and single-level VQ-VAE (spec/models.md 5.2, 5.3; the layout of
 * rosinality/vq-vae-2-pytorch's vqvae.py, which models/train/vqvae.py
 * trains) from a safetensors file of their state_dict, recognised by the
 * names (enc_b.* : VQ-VAE-2, enc.* : VQ-VAE), their widths read from the
 * shapes:
 *
 *   VQ-VAE-2: enc_b (stride 4) -> enc_t (stride 2) -> quantize_conv_t ->
 *     quantize_t -> dec_t (x2); quantize_conv_b (cat [dec_t, enc_b]) ->
 *     quantize_b; upsample_t (q_t), cat with q_b -> dec (x4)
 *   VQ-VAE: enc (stride 4) -> quantize_conv -> quantize -> dec (x4)
 *
 * The graph takes our [0, 1] RGB, maps it to the networks' [-1, 1], and
 * returns (y + 1) / 2 clamped to [0, 1] (folded into the last transposed
 * convolution), at the input's size. Sides must be multiples of 8 (VQ-VAE:
 * 4; sr_graph_size_multiple says so). The codebooks' EMA state
 * (cluster_size, embed_avg) is training state: read past, not used. A key
 * no layer uses is an error. */
#pragma once

#include "sr_graph.h"

G_BEGIN_DECLS

SrGraph *sr_vqvae_load (const char *path, GError **error);

/* TRUE when the file's names are a VQ-VAE's (for the registry: which
 * loader). Does not check the rest. */
gboolean sr_vqvae_recognise (const char *path);

G_END_DECLS
