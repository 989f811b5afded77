/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A safetensors reader (huggingface/safetensors, README "Format"): an 8-byte
 * little-endian header length N, N bytes of JSON naming each tensor's
 * dtype, shape and [begin, end) byte range in the data that follows, and an
 * optional "__metadata__" object of strings. The file is memory-mapped; the
 * whole header is checked on open with the reference reader's rules
 * (safetensors/src/tensor.rs): N <= 100 MB and inside the file, valid UTF-8
 * JSON, no duplicate names, known dtypes, shapes whose byte size matches
 * their range, and ranges that tile the data section exactly (no overlap,
 * no gap, nothing after the last). Errors are SR_MODEL_ERROR_* naming the
 * file and the tensor. */
#pragma once

#include "sr_graph.h"

G_BEGIN_DECLS

#define SR_SAFETENSORS_MAX_RANK 8

typedef enum {
  SR_ST_BOOL, SR_ST_U8, SR_ST_I8, SR_ST_I16, SR_ST_U16, SR_ST_F16, SR_ST_BF16,
  SR_ST_I32, SR_ST_U32, SR_ST_F32, SR_ST_F64, SR_ST_I64, SR_ST_U64, SR_ST_C64,
  SR_ST_F8_E5M2, SR_ST_F8_E4M3, SR_ST_F8_E8M0, SR_ST_F8_E4M3FNUZ,
  SR_ST_F8_E5M2FNUZ, SR_ST_F4, SR_ST_F6_E2M3, SR_ST_F6_E3M2,
} SrSafetensorsDtype;

typedef struct {
  const char *name;
  SrSafetensorsDtype dtype;
  const char *dtype_name;       /* as the file spells it */
  int rank;
  gint64 shape[SR_SAFETENSORS_MAX_RANK];
  guint64 n_elements;
  const guint8 *data;           /* inside the mapping: not aligned */
  gsize n_bytes;
} SrSafetensorsTensor;

typedef struct _SrSafetensors SrSafetensors;

SrSafetensors *sr_safetensors_open (const char *path, GError **error);
void sr_safetensors_close (SrSafetensors *st);

const char *sr_safetensors_path (const SrSafetensors *st);
/* The tensor names, sorted (owned by st). */
const char *const *sr_safetensors_names (const SrSafetensors *st, guint *n);
/* A "__metadata__" string, or NULL. */
const char *sr_safetensors_metadata (const SrSafetensors *st, const char *key);
/* The tensor, or NULL when the file has none of that name. */
const SrSafetensorsTensor *sr_safetensors_lookup (const SrSafetensors *st,
    const char *name);

/* The tensor as float32 (F32, F16 and BF16 are read; g_free): NULL with
 * SR_MODEL_ERROR_WEIGHTS when it is missing or, if shape is not NULL, its
 * shape is not shape[0..rank), SR_MODEL_ERROR_UNSUPPORTED for another
 * dtype. */
float *sr_safetensors_read_float (const SrSafetensors *st, const char *name,
    int rank, const gint64 *shape, GError **error);

/* TRUE when every tensor of st is in used (a set of names the builder
 * took); else FALSE and SR_MODEL_ERROR_WEIGHTS "tensor 'x' belongs to no
 * layer of <network>" for the first one (a builder must not ignore what
 * it does not know). */
gboolean sr_safetensors_all_used (const SrSafetensors *st, GHashTable *used,
    const char *network, GError **error);

G_END_DECLS
