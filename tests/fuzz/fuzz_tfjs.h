/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TF.js loader's fuzz target, shared by libFuzzer's driver and the
 * smoke test's main (fuzz_tfjs_smoke.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* One input: model.json's text, then optionally a NUL byte and the bytes of
 * the weight shard "w.bin" beside it. Aborts on a load that fails without
 * an error (or with an error of another domain). */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Whether the last input loaded into a graph; when it did not, the first
 * 200 bytes of the loader's message. */
extern int sr_fuzz_tfjs_loaded;
extern char sr_fuzz_tfjs_message[200];
