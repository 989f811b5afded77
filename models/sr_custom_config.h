/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* preset=custom: the Real-ESRGAN family's chain (sr_twostage.h) with every
 * range and probability settable, from a file or one key at a time.
 *
 * Keys are Real-ESRGAN's option names in kebab case, in three groups:
 *   [degradation]  stages, kernel-pad, second-blur-prob, final-sinc-prob,
 *                  final-reuses-mode
 *   [stage1] [stage2]  resize-prob (up;down;keep), resize-range,
 *                  gaussian-noise-prob, noise-range, poisson-scale-range,
 *                  gray-noise-prob, jpeg-range, kernel-prob (iso, aniso,
 *                  generalized-iso, generalized-aniso, plateau-iso,
 *                  plateau-aniso), kernel-sizes (min;max, odd), sinc-prob,
 *                  blur-sigma, betag-range, betap-range
 * A file is either a GKeyFile (`resize-prob = 0.2;0.7;0.1`) or, when its
 * first non-blank character is `{`, strict JSON (RFC 8259) with the same names
 * (`{"stage1": {"resize-prob": [0.2, 0.7, 0.1]}}`). Keys left out keep the
 * values already in the config (the caller starts from Real-ESRGAN x4plus).
 * Errors name the file, the line, the key and the allowed values. */
#pragma once

#include "sr_twostage.h"

G_BEGIN_DECLS

/* Reads path on top of *cfg, then checks the result's consistency
 * (sr_twostage_config_check). *cfg is unchanged on failure. */
gboolean sr_custom_config_load_file (SrTwoStageConfig *cfg, const char *path,
    GError **error);

/* The same from memory; `name` stands for the file in messages. */
gboolean sr_custom_config_load_data (SrTwoStageConfig *cfg, const char *data,
    gsize len, const char *name, GError **error);

/* Sets one key from text: numbers separated by ',' or ';', or true/false.
 * stage: 0 for a [degradation] key, 1 or 2 for a stage key, -1 for a stage
 * key given once for both stages ("0.4") or per stage ("0.4,0.3"; only for
 * single-number keys). Errors name the key and its allowed values; no
 * consistency check (call sr_twostage_config_check when done). */
gboolean sr_custom_config_set (SrTwoStageConfig *cfg, int stage,
    const char *key, const char *text, GError **error);

G_END_DECLS
