/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SrRecord: the parameters of one degraded frame, step by step, in the
 * names and units of the manifest (docs/dataset.md). Fixed-size so that
 * recording allocates nothing; the gst layer turns it into the
 * `sr-degradation` GstStructure. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SR_VALUE_INT,
  SR_VALUE_DOUBLE,
  SR_VALUE_STRING,    /* a static string */
  SR_VALUE_BOOL,
  SR_VALUE_SIZE,      /* <w, h> */
} SrValueType;

typedef struct {
  const char *key;
  SrValueType type;
  union {
    gint64 i;
    double d;
    const char *s;
    gboolean b;
    int size[2];
  } v;
} SrField;

#define SR_MAX_FIELDS 16   /* a correlated noise step holds 14 */
#define SR_MAX_OPS 48

typedef struct {
  const char *name;           /* step name: blur, resize, noise, jpeg, ... */
  int n_fields;
  SrField fields[SR_MAX_FIELDS];
} SrOpRecord;

typedef struct {
  int n_ops;
  SrOpRecord ops[SR_MAX_OPS];
} SrRecord;

void sr_record_clear (SrRecord *r);
/* Appends a step; returns NULL (and records nothing) when the record is full. */
SrOpRecord *sr_record_add (SrRecord *r, const char *name);
void sr_op_int (SrOpRecord *op, const char *key, gint64 v);
void sr_op_double (SrOpRecord *op, const char *key, double v);
void sr_op_string (SrOpRecord *op, const char *key, const char *v);
void sr_op_bool (SrOpRecord *op, const char *key, gboolean v);
void sr_op_size (SrOpRecord *op, const char *key, int w, int h);
/* The field `key` of op, or NULL. */
const SrField *sr_op_get (const SrOpRecord *op, const char *key);

G_END_DECLS
