/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_record.h"

#include <string.h>

void
sr_record_clear (SrRecord *r)
{
  r->n_ops = 0;
}

SrOpRecord *
sr_record_add (SrRecord *r, const char *name)
{
  if (r->n_ops >= SR_MAX_OPS)
    return NULL;
  SrOpRecord *op = &r->ops[r->n_ops++];
  op->name = name;
  op->n_fields = 0;
  return op;
}

static SrField *
add_field (SrOpRecord *op, const char *key, SrValueType type)
{
  if (!op || op->n_fields >= SR_MAX_FIELDS)
    return NULL;
  SrField *f = &op->fields[op->n_fields++];
  f->key = key;
  f->type = type;
  return f;
}

void
sr_op_int (SrOpRecord *op, const char *key, gint64 v)
{
  SrField *f = add_field (op, key, SR_VALUE_INT);
  if (f)
    f->v.i = v;
}

void
sr_op_double (SrOpRecord *op, const char *key, double v)
{
  SrField *f = add_field (op, key, SR_VALUE_DOUBLE);
  if (f)
    f->v.d = v;
}

void
sr_op_string (SrOpRecord *op, const char *key, const char *v)
{
  SrField *f = add_field (op, key, SR_VALUE_STRING);
  if (f)
    f->v.s = v;
}

void
sr_op_bool (SrOpRecord *op, const char *key, gboolean v)
{
  SrField *f = add_field (op, key, SR_VALUE_BOOL);
  if (f)
    f->v.b = v;
}

void
sr_op_size (SrOpRecord *op, const char *key, int w, int h)
{
  SrField *f = add_field (op, key, SR_VALUE_SIZE);
  if (f) {
    f->v.size[0] = w;
    f->v.size[1] = h;
  }
}

const SrField *
sr_op_get (const SrOpRecord *op, const char *key)
{
  for (int i = 0; i < op->n_fields; i++)
    if (!strcmp (op->fields[i].key, key))
      return &op->fields[i];
  return NULL;
}
