/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SrTensor: the one device buffer type. A cl_mem with
 * an [N,C,H,W] shape and a dtype, refcounted, returned to its pool (keyed
 * by byte size) when the last reference goes, so steady state allocates
 * nothing per frame. */
#pragma once

#include "sr_runtime.h"

G_BEGIN_DECLS

typedef enum {
  SR_DTYPE_F32,
  SR_DTYPE_F16,   /* storage: ops load it with vload_half (core OpenCL)
                   * and compute in f32; sr_cast converts */
  SR_DTYPE_I32,   /* index tables */
  SR_DTYPE_U8,    /* raw frame bytes on their way in or out */
  SR_DTYPE_F64,   /* metric planes (devices with cl_khr_fp64) */
} SrDType;

typedef struct _SrTensor {
  cl_mem mem;
  int n, c, h, w;
  SrDType dtype;
  size_t bytes;       /* n*c*h*w*element size */
  size_t capacity;    /* size of mem; bytes <= capacity */
  gint refcount;
  SrTensorPool *pool;
  struct _SrTensor *alias_of;  /* sr_tensor_new_alias: the tensor whose
                                * buffer this one shares, else NULL */
} SrTensor;

size_t sr_dtype_size (SrDType dtype);

/* Rule: unref a tensor only when no command still queued uses it (after a
 * clFinish of that queue), since the pool may give the buffer to another
 * queue at once. */
/* A tensor from rt's pool (reused when a free buffer of the same byte size
 * exists). Contents are undefined. */
SrTensor *sr_tensor_new (SrRuntime *rt, int n, int c, int h, int w,
    SrDType dtype, GError **error);
/* A tensor of another shape over base's buffer (its bytes must fit base's
 * capacity): for plans that give one buffer to values whose lifetimes do
 * not overlap. Holds a reference on base. NULL and an error when it does
 * not fit. */
SrTensor *sr_tensor_new_alias (SrTensor *base, int n, int c, int h, int w,
    SrDType dtype, GError **error);
SrTensor *sr_tensor_ref (SrTensor *t);
void sr_tensor_unref (SrTensor *t);
size_t sr_tensor_numel (const SrTensor *t);

/* Blocking host <-> device copies of the whole tensor (tests, tables). */
SrStatus sr_tensor_write (cl_command_queue q, SrTensor *t, const void *host);
SrStatus sr_tensor_read (cl_command_queue q, const SrTensor *t, void *host);
/* Non-blocking write; host must stay valid until the queue is finished. */
SrStatus sr_tensor_write_async (cl_command_queue q, SrTensor *t, const void *host,
    size_t bytes);

/* Pool internals, used by SrRuntime. */
SrTensorPool *sr_tensor_pool_new (SrRuntime *rt);
void sr_tensor_pool_free (SrTensorPool *pool);
/* Releases the pool's free buffers (after one-off work with large
 * tensors, which would otherwise stay reserved for reuse). */
void sr_tensor_pool_trim (SrTensorPool *pool);
/* Number of cl_mem buffers the pool has created so far (tests use it to
 * check that steady state allocates nothing). */
guint sr_tensor_pool_allocations (SrTensorPool *pool);

/* Sets kernel argument `i` to a tensor's buffer / a scalar; returns the
 * status of the first failure in a sequence (use with SR_ARGS). */
#define SR_ARG_MEM(k, i, t) clSetKernelArg ((k), (i), sizeof (cl_mem), &(t)->mem)
#define SR_ARG(k, i, v) clSetKernelArg ((k), (i), sizeof (v), &(v))

G_END_DECLS

G_BEGIN_DECLS
/* Ops keep scratch tensors across frames: returns *slot reshaped when its
 * buffer is large enough and nobody else holds it, else a new tensor stored
 * in *slot. NULL on allocation failure. Safe because each op instance runs
 * on one in-order queue. */
SrTensor *sr_tensor_reuse (SrRuntime *rt, cl_command_queue q, SrTensor **slot,
    int n, int c, int h, int w, SrDType dtype);
G_END_DECLS
