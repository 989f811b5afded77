/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Upload (frame bytes -> planar float tensor) and download (tensor -> frame
 * bytes) on the device. */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

/* Where R, G, B (and A, or -1) sit inside one pixel of a packed 8-bit
 * format, and how many bytes a pixel takes. */
typedef struct {
  int pixel_stride;
  int r, g, b, a;
} SrPackedLayout;

typedef enum {
  SR_ROUND_HALF_EVEN = 0,   /* torch.round / NumPy round (Real-ESRGAN) */
  SR_ROUND_HALF_AWAY = 1,   /* MATLAB uint8 conversion (bicubic preset) */
} SrRoundMode;

/* A frame in host memory. */
typedef struct {
  const guint8 *data;
  int width, height;
  int stride;               /* bytes per row */
  SrPackedLayout layout;
} SrHostFrame;

typedef struct SrConvert SrConvert;

SrConvert *sr_convert_new (SrRuntime *rt, GError **error);
void sr_convert_free (SrConvert *op);

/* Copies between host and device through `transfer`, a second queue on the
 * same device, without blocking: a device with copy engines then moves one
 * frame's bytes while another's kernels run, and the host goes on at once.
 * The uploads and downloads below still take the compute queue (their
 * kernels run there, ordered against the copies by events); the host
 * bytes they name must stay valid until an event from
 * sr_convert_transfer_marker completes. NULL (the default): every copy
 * blocks on the compute queue. The op keeps a reference to the queue. */
void sr_convert_set_transfer (SrConvert *op, cl_command_queue transfer);

/* An event that completes when every copy enqueued so far has (the caller
 * waits for it and releases it), or NULL without a transfer queue, whose
 * copies have all completed already. */
cl_event sr_convert_transfer_marker (SrConvert *op);

/* dst ([1,3,h,w] f32) = the w x h region at (x0, y0) of frame, / 255. */
SrStatus sr_upload_packed8 (SrConvert *op, cl_command_queue q,
    const SrHostFrame *frame, int x0, int y0, SrTensor *dst);

/* Writes src ([1,3,h,w]) into out (w x h of out->layout, out->stride bytes
 * per row, alpha set to 255), rounding as asked; blocks until done
 * (without a transfer queue). Bytes between rows are left as they were. */
SrStatus sr_download_packed8 (SrConvert *op, cl_command_queue q,
    const SrTensor *src, guint8 *out, int stride, const SrPackedLayout *layout,
    SrRoundMode round_mode);

/* The same for the w x h rect at (sx, sy) of src: out points at where the
 * rect's first pixel goes (a tile of a larger frame: nothing else of that
 * frame is written). */
SrStatus sr_download_packed8_rect (SrConvert *op, cl_command_queue q,
    const SrTensor *src, int sx, int sy, int w, int h, guint8 *out,
    int stride, const SrPackedLayout *layout, SrRoundMode round_mode);

/* ---- 8-bit YUV and gray (planar, semi-planar, packed 4:2:2, GRAY8) ---- */

/* The YCbCr matrix and range in plain numbers (GStreamer's video-converter
 * convention): Y = y_offset + y_scale * Y', U = c_offset + c_scale * Pb,
 * V = c_offset + c_scale * Pr, with Y' = Kr R + (1-Kr-Kb) G + Kb B,
 * Pb = (B-Y') / (2(1-Kb)), Pr = (R-Y') / (2(1-Kr)), all in 8-bit levels.
 * Limited range: 16, 219, 128, 224; full range: 0, 255, 128, 255. */
typedef struct {
  double kr, kb;
  double y_offset, y_scale;
  double c_offset, c_scale;
} SrColorMatrix;

/* Where one component's samples lie: sample (i, j) of the component's own
 * (possibly subsampled) grid is planes[plane][j * stride + i * pstride +
 * offset]. plane = -1: absent (GRAY8 chroma, read as neutral). */
typedef struct {
  int plane;
  int pstride;
  int offset;
} SrYuvComp;

typedef struct {
  guint8 *data[3];          /* planes; upload only reads them */
  int stride[3];            /* bytes per row of each plane */
  int n_planes;
  int width, height;        /* luma size of the whole frame */
  SrYuvComp comp[3];        /* Y, U, V */
  int sub_w, sub_h;         /* log2 chroma subsampling (I420: 1, 1) */
  gboolean cosited_h;       /* chroma on even luma columns (MPEG-2 siting) */
  gboolean cosited_v;       /* chroma on even luma rows */
  SrColorMatrix matrix;
} SrYuvFrame;

/* The BT.601 matrix (Kr 0.299, Kb 0.114) in limited or full range. */
void sr_color_matrix_bt601 (SrColorMatrix *m, gboolean full_range);

/* dst ([1,3,h,w] f32) = the w x h region at (x0, y0) of frame converted to
 * RGB, chroma upsampled bilinearly from its siting (edge samples repeated,
 * any crop parity), RGB clamped to [0,1]. */
SrStatus sr_upload_yuv8 (SrConvert *op, cl_command_queue q,
    const SrYuvFrame *frame, int x0, int y0, SrTensor *dst);

/* Writes src ([1,3,h,w], clamped to [0,1]) into frame (whose width and
 * height must be w x h): Y per pixel, U and V the mean of the pixels each
 * chroma sample covers, rounded as asked; blocks until done (without a
 * transfer queue). Row padding
 * comes back undefined, as for packed RGB. */
SrStatus sr_download_yuv8 (SrConvert *op, cl_command_queue q,
    const SrTensor *src, const SrYuvFrame *frame, SrRoundMode round_mode);

G_END_DECLS
