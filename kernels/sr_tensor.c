/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_tensor.h"

#include <stdlib.h>
#include <sys/mman.h>

/* Free buffers kept for reuse, oldest first; past this many bytes the
 * oldest are released. Without a bound, work whose sizes wander (the
 * realbasicvsr preset's per-frame resize walk, tiles of changing frames)
 * would keep a buffer of every size it ever met. */
#define POOL_FREE_LIMIT ((gsize) 256 << 20)

typedef struct {
  gsize capacity;
  cl_mem mem;
} FreeBuffer;

struct SrTensorPool {
  SrRuntime *rt;          /* not a reference: the runtime owns the pool */
  GMutex lock;
  GQueue free;            /* FreeBuffer, oldest first */
  gsize free_bytes;
  guint allocations;
  gint live;              /* tensors handed out and not yet returned */
};

size_t
sr_dtype_size (SrDType dtype)
{
  switch (dtype) {
    case SR_DTYPE_F32:
    case SR_DTYPE_I32:
      return 4;
    case SR_DTYPE_F16:
      return 2;
    case SR_DTYPE_U8:
      return 1;
    case SR_DTYPE_F64:
      return 8;
  }
  return 4;
}

static void
release_free_buffer (gpointer data)
{
  FreeBuffer *b = data;
  clReleaseMemObject (b->mem);
  g_free (b);
}

SrTensorPool *
sr_tensor_pool_new (SrRuntime *rt)
{
  SrTensorPool *pool = g_new0 (SrTensorPool, 1);
  pool->rt = rt;
  g_mutex_init (&pool->lock);
  g_queue_init (&pool->free);
  return pool;
}

void
sr_tensor_pool_trim (SrTensorPool *pool)
{
  g_mutex_lock (&pool->lock);
  g_queue_clear_full (&pool->free, release_free_buffer);
  pool->free_bytes = 0;
  g_mutex_unlock (&pool->lock);
}

void
sr_tensor_pool_free (SrTensorPool *pool)
{
  if (!pool)
    return;
  if (g_atomic_int_get (&pool->live) != 0)
    g_warning ("gst-sr: %d tensors still alive when their runtime was freed",
        g_atomic_int_get (&pool->live));
  sr_tensor_pool_trim (pool);
  g_mutex_clear (&pool->lock);
  g_free (pool);
}

/* The most recently freed buffer of this capacity, taken out; NULL if none.
 * Called with the lock held. */
static cl_mem
take_free (SrTensorPool *pool, gsize capacity)
{
  for (GList *l = pool->free.tail; l; l = l->prev) {
    FreeBuffer *b = l->data;
    if (b->capacity == capacity) {
      cl_mem mem = b->mem;
      g_queue_delete_link (&pool->free, l);
      pool->free_bytes -= capacity;
      g_free (b);
      return mem;
    }
  }
  return NULL;
}

guint
sr_tensor_pool_allocations (SrTensorPool *pool)
{
  return pool->allocations;
}

/* Rounds capacities up so that tensors of nearly equal size (frames whose
 * resize factor differs by a pixel) share buffers. */
static size_t
bucket_capacity (size_t bytes)
{
  const size_t page = 4096;
  if (bytes <= page)
    return page;
  size_t cap = page;
  while (cap < bytes)
    cap += cap < (1u << 20) ? cap : (cap / 8);
  return (cap + page - 1) / page * page;
}

static void CL_CALLBACK
free_host_memory (cl_mem mem, void *host)
{
  (void) mem;
  free (host);
}

/* On a CPU device the kernels read the buffers' memory itself, and the
 * networks' NCHW tensors have one 4 KiB page per channel row block: a
 * work-item that walks 64-640 channel planes touches as many pages, more
 * than the TLB holds. So large buffers are our own memory, 2 MiB aligned
 * and offered to the kernel as huge pages (transparent huge pages are
 * often "madvise" only), handed to the driver with CL_MEM_USE_HOST_PTR,
 * which a CPU device uses in place. GPUs keep driver-allocated memory. */
static cl_mem
create_buffer (SrRuntime *rt, size_t cap, cl_int *err)
{
  const size_t huge = 2 << 20;
  if (sr_runtime_is_gpu (rt) || cap < huge)
    return clCreateBuffer (sr_runtime_context (rt), CL_MEM_READ_WRITE, cap,
        NULL, err);
  const size_t size = (cap + huge - 1) / huge * huge;
  void *host = aligned_alloc (huge, size);
  if (!host) {
    *err = CL_OUT_OF_HOST_MEMORY;
    return NULL;
  }
#ifdef MADV_HUGEPAGE
  madvise (host, size, MADV_HUGEPAGE);
#endif
  cl_mem mem = clCreateBuffer (sr_runtime_context (rt),
      CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR, cap, host, err);
  if (!mem || clSetMemObjectDestructorCallback (mem, free_host_memory,
          host) != CL_SUCCESS) {
    if (mem)
      clReleaseMemObject (mem);
    free (host);
    if (mem)
      *err = CL_OUT_OF_RESOURCES;
    return NULL;
  }
  return mem;
}

SrTensor *
sr_tensor_new (SrRuntime *rt, int n, int c, int h, int w, SrDType dtype,
    GError **error)
{
  if (n <= 0 || c <= 0 || h <= 0 || w <= 0) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "Invalid tensor shape [%d,%d,%d,%d]", n, c, h, w);
    return NULL;
  }
  SrTensorPool *pool = sr_runtime_pool (rt);
  size_t bytes = (size_t) n * c * h * w * sr_dtype_size (dtype);
  size_t cap = bucket_capacity (bytes);
  cl_mem mem = NULL;

  g_mutex_lock (&pool->lock);
  mem = take_free (pool, cap);
  g_mutex_unlock (&pool->lock);

  if (!mem) {
    cl_int err;
    mem = create_buffer (rt, cap, &err);
    if (!mem) {
      sr_set_cl_error (error, err, "clCreateBuffer");
      return NULL;
    }
    g_atomic_int_inc ((gint *) & pool->allocations);
  }

  SrTensor *t = g_new0 (SrTensor, 1);
  t->mem = mem;
  t->n = n;
  t->c = c;
  t->h = h;
  t->w = w;
  t->dtype = dtype;
  t->bytes = bytes;
  t->capacity = cap;
  t->refcount = 1;
  t->pool = pool;
  sr_runtime_ref (rt);
  g_atomic_int_inc (&pool->live);
  return t;
}

SrTensor *
sr_tensor_new_alias (SrTensor *base, int n, int c, int h, int w,
    SrDType dtype, GError **error)
{
  const size_t bytes = (size_t) MAX (n, 0) * MAX (c, 0) * MAX (h, 0)
      * MAX (w, 0) * sr_dtype_size (dtype);
  if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || bytes > base->capacity) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "Tensor shape [%d,%d,%d,%d] does not fit a %zu-byte buffer", n, c, h,
        w, base->capacity);
    return NULL;
  }
  SrTensor *t = g_new0 (SrTensor, 1);
  *t = *base;
  t->n = n;
  t->c = c;
  t->h = h;
  t->w = w;
  t->dtype = dtype;
  t->bytes = bytes;
  t->refcount = 1;
  t->alias_of = sr_tensor_ref (base);
  return t;
}

SrTensor *
sr_tensor_ref (SrTensor *t)
{
  g_atomic_int_inc (&t->refcount);
  return t;
}

void
sr_tensor_unref (SrTensor *t)
{
  if (!t || !g_atomic_int_dec_and_test (&t->refcount))
    return;
  if (t->alias_of) {
    sr_tensor_unref (t->alias_of);
    g_free (t);
    return;
  }
  SrTensorPool *pool = t->pool;
  SrRuntime *rt = pool->rt;
  FreeBuffer *b = g_new (FreeBuffer, 1);
  b->capacity = t->capacity;
  b->mem = t->mem;
  g_mutex_lock (&pool->lock);
  g_queue_push_tail (&pool->free, b);
  pool->free_bytes += b->capacity;
  while (pool->free_bytes > POOL_FREE_LIMIT && pool->free.length > 1) {
    FreeBuffer *old = g_queue_pop_head (&pool->free);
    pool->free_bytes -= old->capacity;
    release_free_buffer (old);
  }
  g_mutex_unlock (&pool->lock);
  g_atomic_int_add (&pool->live, -1);
  g_free (t);
  sr_runtime_unref (rt);   /* may free the pool: do it last */
}

size_t
sr_tensor_numel (const SrTensor *t)
{
  return (size_t) t->n * t->c * t->h * t->w;
}

SrStatus
sr_tensor_write (cl_command_queue q, SrTensor *t, const void *host)
{
  return sr_status_from_cl (clEnqueueWriteBuffer (q, t->mem, CL_TRUE, 0,
          t->bytes, host, 0, NULL, NULL));
}

SrStatus
sr_tensor_write_async (cl_command_queue q, SrTensor *t, const void *host,
    size_t bytes)
{
  if (bytes > t->capacity)
    return SR_ERR_INVALID_ARGUMENT;
  return sr_status_from_cl (clEnqueueWriteBuffer (q, t->mem, CL_FALSE, 0,
          bytes, host, 0, NULL, NULL));
}

SrStatus
sr_tensor_read (cl_command_queue q, const SrTensor *t, void *host)
{
  return sr_status_from_cl (clEnqueueReadBuffer (q, t->mem, CL_TRUE, 0,
          t->bytes, host, 0, NULL, NULL));
}

SrTensor *
sr_tensor_reuse (SrRuntime *rt, cl_command_queue q, SrTensor **slot, int n,
    int c, int h, int w, SrDType dtype)
{
  const size_t bytes = (size_t) n * c * h * w * sr_dtype_size (dtype);
  if (*slot && (*slot)->capacity >= bytes && (*slot)->refcount == 1) {
    SrTensor *t = *slot;
    t->n = n;
    t->c = c;
    t->h = h;
    t->w = w;
    t->dtype = dtype;
    t->bytes = bytes;
    return t;
  }
  if (*slot) {
    clFinish (q);               /* commands queued on the old buffer must end
                                   before the pool can hand it to another queue */
    sr_tensor_unref (*slot);
  }
  *slot = sr_tensor_new (rt, n, c, h, w, dtype, NULL);
  return *slot;
}

