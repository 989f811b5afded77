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

/* dst ([1,3,h,w] f32) = the w x h region at (x0, y0) of frame, / 255. */
SrStatus sr_upload_packed8 (SrConvert *op, cl_command_queue q,
    const SrHostFrame *frame, int x0, int y0, SrTensor *dst);

/* Writes src ([1,3,h,w]) into out (w x h of out->layout, out->stride bytes
 * per row, alpha set to 255), rounding as asked; blocks until done. */
SrStatus sr_download_packed8 (SrConvert *op, cl_command_queue q,
    const SrTensor *src, guint8 *out, int stride, const SrPackedLayout *layout,
    SrRoundMode round_mode);

G_END_DECLS
