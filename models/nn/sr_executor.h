/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SrExecutor: runs any SrGraph on the device.
 *
 * sr_executor_plan fixes the input size: every value's size, where each
 * value lives, and the device buffers. A channel concat costs nothing when
 * its inputs can be written straight into their slice of its output (each
 * value lives in one place, so a value that two concats read is placed in
 * the first and copied into the second). Buffers are shared by values whose
 * lifetimes do not overlap (same shape), so the peak memory is what the
 * widest point of the network needs, and running a frame allocates
 * nothing. */
#pragma once

#include "sr_graph.h"
#include "sr_nn_vq.h"

G_BEGIN_DECLS

typedef struct _SrExecutor SrExecutor;

/* Takes the graph (freed with the executor) and builds its ops: weights go
 * to the device once, here. */
SrExecutor *sr_executor_new (SrRuntime *rt, SrGraph *g, GError **error);
/* The same, with the values between the nodes stored as act: SR_DTYPE_F32
 * (sr_executor_new), or SR_DTYPE_F16 (half storage, float32 arithmetic and
 * weights: half the memory and traffic, about three significant digits
 * per value; works on every device, cl_khr_fp16 or not). The run's input
 * and output stay float32 either way. */
SrExecutor *sr_executor_new_with_storage (SrRuntime *rt, SrGraph *g,
    SrDType act, GError **error);
void sr_executor_free (SrExecutor *ex);

const SrGraph *sr_executor_graph (const SrExecutor *ex);

/* Plans for h x w inputs (a no-op when already planned for that size).
 * The first plan also settles the layout (see sr_executor.c): looked up
 * in the tuning file, or measured by running the network both ways. */
gboolean sr_executor_plan (SrExecutor *ex, int h, int w, GError **error);

/* FALSE until the first plan has settled the layout (for progress
 * messages: that plan may run the network several times). */
gboolean sr_executor_layout_settled (const SrExecutor *ex);

/* The bytes a plan for h x w inputs would hold, without making it. */
gboolean sr_executor_measure (const SrExecutor *ex, int h, int w,
    size_t *bytes, GError **error);

/* Device bytes of the convolutions' weights, as packed for their
 * strategies; of the larger of the two layouts' sets while both exist
 * (until the first plan settles the layout) and after, so that what is
 * planned around them does not depend on which set was kept. */
size_t sr_executor_weight_bytes (const SrExecutor *ex);

/* Device bytes the plan holds for intermediate values. */
size_t sr_executor_peak_bytes (const SrExecutor *ex);

/* Runs the network (planned for in's size): in has the graph's input
 * channels, out the output channels at scale times the size, both float32
 * (whole tensors with half storage). Enqueued on q, not waited for. */
SrStatus sr_executor_run (SrExecutor *ex, cl_command_queue q, SrView in,
    SrView out);

/* sr_executor_run, waiting for each node: ms[i] is node i's time (0 for
 * nodes that do nothing). For finding where time goes; the waits make the
 * whole slower than sr_executor_run. */
SrStatus sr_executor_profile (SrExecutor *ex, cl_command_queue q, SrView in,
    SrView out, double *ms);

/* Tap k of the graph (sr_graph_add_tap) as the last run left it: a view
 * into the plan's storage (float32), valid until the next plan; an
 * invalid view (NULL tensor) before a plan or for an unknown k. */
SrView sr_executor_tap (const SrExecutor *ex, guint k);

/* Value v's planned size. */
void sr_executor_value_size (const SrExecutor *ex, int v, int *h, int *w);

/* The conv2d op of node i (NULL for other nodes), e.g. to ask its
 * strategy. */
const SrNnConv2d *sr_executor_conv (const SrExecutor *ex, guint i);

/* The quantiser of node i (NULL for other nodes), e.g. for its last
 * run's code usage (sr_nn_vq_last_indices). */
SrNnVq *sr_executor_vq (const SrExecutor *ex, guint i);

/* TRUE when value v is stored channel-blocked (NCHW16c) rather than NCHW
 * (see sr_executor.c; settled by the first plan unless SR_NN_LAYOUT pins
 * it). */
gboolean sr_executor_value_blocked (const SrExecutor *ex, int v);

/* Bytes the plan copies per run to put concat inputs together (a value
 * that two concats read lives in one of them; the other copies it, unless
 * its readers read it in two parts). */
size_t sr_executor_copy_bytes (const SrExecutor *ex);

G_END_DECLS
