#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Embeds kernels/*.cl and *.clh into a C table (sr_embedded_sources)."""
import os
import sys

out_c = sys.argv[1]
with open(out_c, "w") as out:
    out.write('#include "sr_cl_sources.h"\n\n')
    out.write("const SrEmbeddedSource sr_embedded_sources[] = {\n")
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        out.write('  { "%s",\n' % os.path.basename(path))
        for line in text.splitlines(keepends=True):
            esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            out.write('    "%s"\n' % esc)
        out.write("  },\n")
    out.write("  { NULL, NULL }\n};\n")
