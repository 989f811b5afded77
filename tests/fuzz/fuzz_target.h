/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every fuzz target of tests/fuzz shares: the libFuzzer entry point
 * (fuzz_<target>.c), the outcome the smoke test's main (fuzz_smoke.c) reads
 * after each seed, and the helpers of fuzz_common.c. */
#pragma once

#include "sr_graph.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* One input. Aborts on a load that fails without an error (or with an error
 * of another domain than SR_MODEL_ERROR). */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Whether the last input loaded; when it did not, the first 200 bytes of
 * the loader's message. */
extern int sr_fuzz_loaded;
extern char sr_fuzz_message[200];

/* Once per process: makes GLib criticals and warnings abort (a finding
 * libFuzzer saves) and returns a temp folder, removed at exit, for the
 * files an input is written as. */
const gchar *sr_fuzz_setup (const char *name);
/* Writes the bytes to path; a failure to write is fatal. */
void sr_fuzz_write_file (const char *path, const uint8_t *data, size_t size);
/* Records a refusal: aborts unless error is a non-empty SR_MODEL_ERROR,
 * keeps its message, frees it. */
void sr_fuzz_refused (const char *loader, GError *error);
/* Writes an input that holds two files, the first's bytes, then optionally
 * a NUL byte and the second's (without one, second_path is removed). */
void sr_fuzz_write_pair (const uint8_t *data, size_t size,
    const char *first_path, const char *second_path);
/* Works out a loaded graph's sizes (at a size that divides, and at a small
 * odd one that may be refused only with an SR_MODEL_ERROR), reach and cost;
 * aborts on anything inconsistent. */
void sr_fuzz_check_graph (const SrGraph *g);
