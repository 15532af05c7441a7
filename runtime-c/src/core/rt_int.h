/* rt_int.h: internal declarations shared by the synchronous runtime (exc.c, trace.c, str.c, fmt.c,
 * array.c, json.c, io.c, numbers.c, gc.c, main.c). Nothing here is part of the ABI codegen sees. */
#ifndef TUL_RT_INT_H
#define TUL_RT_INT_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "tulrt.h"
#include "tulrt_async.h"

/* ---------------------------------------------------------------- handler layout (exc.c)
 * A handler is a jmp_buf at offset 0 followed by three links (enclosing handler, value in flight,
 * its trace) at TUL__HANDLER_LINKS. glibc's _setjmp never writes the signal-mask part of its
 * jmp_buf (only sigsetjmp(env, 1) does; _longjmp reads it only when that flag is set), except the
 * first 16 bytes: the mask word and, with CET, the shadow-stack pointer. The links go right after
 * those there, so a handler needs TUL__HANDLER_BYTES (112 on x86-64), not sizeof(jmp_buf) + 24:
 * every task's base handler lives on its stack, and suspended stacks are copied when evicted. */
#include <setjmp.h>
#if defined(__GLIBC__)
#define TUL__HANDLER_LINKS (offsetof(struct __jmp_buf_tag, __saved_mask) + 16)
#else
#define TUL__HANDLER_LINKS sizeof(jmp_buf)
#endif
#define TUL__HANDLER_BYTES ((TUL__HANDLER_LINKS + 3 * sizeof(void *) + 15) & ~(size_t)15)

void tul__huge_pages(void *p, size_t bytes); /* gc.c: THP hint for blocks of 4 MiB or more */
int64_t tul__alloc_limit(void);                 /* gc.c: the most bytes one value can take */

#define TUL_LIKELY(x) __builtin_expect(!!(x), 1)
#define TUL_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---------------------------------------------------------------- json representation (json.c)
 * A json value is NULL (null) or a pointer to one of these. Scalars are immutable (and may be
 * shared static constants); arrays and objects are mutable containers with reference semantics.
 * A json array wraps a tul_arr whose element type is tul_type_json, so `json[]` boxes and unboxes
 * without copying.
 *
 * An object is its values plus a shape: its keys in insertion order, with an open-addressing hash
 * index once there are more than a few. Objects with the same keys in the same order (the records
 * of a parsed document) share one shape, so a key costs its 8-byte pointer once per document, not
 * once per record. A shared shape never changes: an object that adds or removes a key first takes
 * a private copy (updating a value does not touch the shape). Read objects through tul__jobj_len,
 * tul__jobj_key and tul__jobj_val. */
typedef struct tul__jshape {
  int64_t len, cap;   /* keys, room for keys (a private shape grows in place) */
  int64_t shared;     /* 1: other objects use it too, so it is immutable */
  int64_t index_cap;  /* slots of index, a power of two; 0 while there is no index */
  int32_t *index;     /* slot -> key position + 1 (0 = empty) */
  tul_str *keys[];
} tul__jshape;

/* An object's values, vals[i] belonging to shape->keys[i]. A new object's sits in the same block
 * as its tul_json; a bigger one replaces it when it fills up. */
typedef struct tul__jobj {
  tul__jshape *shape;
  int64_t cap;        /* room in vals */
  tul_json *vals[];
} tul__jobj;

struct tul_json {
  int64_t tag; /* enum tul_jtag */
  union {
    _Bool b;
    int64_t i;
    double f;
    tul_str *s;
    tul_arr *a;
    tul__jobj *o;
  } u;
};

tul_json *tul__json_int(int64_t v);
tul_json *tul__json_float(double v);
tul_json *tul__json_bool(_Bool v);
tul_json *tul__json_str(tul_str *s);
tul_json *tul__json_array(tul_arr *a);   /* a: json[] (shared) */
tul_json *tul__json_object(void);        /* new empty object */
tul_json *tul__json_object_sized(int64_t cap); /* new empty object with room for cap keys */
tul_json *tul__json_obj_get(const tul_json *o, const tul_str *key); /* NULL when absent */
void tul__json_obj_set(tul_json *o, tul_str *key, tul_json *val);
const char *tul__json_kind_name(const tul_json *j); /* "null", "int", "object", ... */
static inline int64_t tul__jobj_len(const tul_json *o) { return o->u.o->shape->len; }
static inline tul_str *tul__jobj_key(const tul_json *o, int64_t i) { return o->u.o->shape->keys[i]; }
static inline tul_json *tul__jobj_val(const tul_json *o, int64_t i) { return o->u.o->vals[i]; }
/* For the parser: the shape of the n keys keys[0], keys[stride], ... from a small cache of recent
 * shapes (or a new one, entered into the cache), or NULL when a key repeats; then an object of
 * that shape whose values (vals[0..n)) the caller fills in. */
typedef struct tul__shape_cache { tul__jshape *slots[64]; } tul__shape_cache;
tul__jshape *tul__json_shape(tul__shape_cache *cache, void *const *keys, int64_t stride, int64_t n);
tul_json *tul__json_object_shaped(tul__jshape *shape);

/* ---------------------------------------------------------------- strings (str.c) */
/* Byte equality without a call for short runs (overlapping word loads): hash-table key compares. */
static inline int tul__bytes_eq(const char *a, const char *b, int64_t n) {
  uint64_t x, y, u, v;
  if (n >= 8 && n <= 16) {
    memcpy(&x, a, 8), memcpy(&y, b, 8), memcpy(&u, a + n - 8, 8), memcpy(&v, b + n - 8, 8);
    return x == y && u == v;
  }
  if (n >= 4 && n < 8) {
    uint32_t p, q, r, s;
    memcpy(&p, a, 4), memcpy(&q, b, 4), memcpy(&r, a + n - 4, 4), memcpy(&s, b + n - 4, 4);
    return p == q && r == s;
  }
  return memcmp(a, b, (size_t)n) == 0;
}
tul_str *tul__str_alloc(int64_t len);                    /* len bytes + NUL, cplen -1, atomic */
tul_str *tul__str_from(const char *p, int64_t n);        /* copies */
tul_str *tul__str_c(const char *p);                      /* copies a C string */
int64_t tul__cplen(const tul_str *s);                    /* computes and caches cplen */
int64_t tul__utf8_count(const char *p, int64_t n);       /* code points in valid-ish UTF-8 */
/* Length of the well-formed UTF-8 sequence (RFC 3629) starting at s, or 0 when it is not one. */
int tul__utf8_seq(const unsigned char *s, const unsigned char *end);

/* A growable byte buffer for building strings: starts in an inline buffer, spills to malloc. */
typedef struct tul__sb {
  char *p;
  int64_t len, cap;
  char inline_buf[256];
} tul__sb;
void tul__sb_init(tul__sb *b);
void tul__sb_free(tul__sb *b);
void tul__sb_grow(tul__sb *b, int64_t extra);
static inline void tul__sb_add(tul__sb *b, const char *p, int64_t n) {
  if (TUL_UNLIKELY(b->len + n + 1 > b->cap)) tul__sb_grow(b, n + 1);
  memcpy(b->p + b->len, p, (size_t)n);
  b->len += n;
}
static inline void tul__sb_ch(tul__sb *b, char c) {
  if (TUL_UNLIKELY(b->len + 2 > b->cap)) tul__sb_grow(b, 2);
  b->p[b->len++] = c;
}
static inline void tul__sb_cstr(tul__sb *b, const char *s) { tul__sb_add(b, s, (int64_t)strlen(s)); }
tul_str *tul__sb_finish(tul__sb *b); /* copies into a new tul_str and frees the buffer */

/* ---------------------------------------------------------------- formatting (fmt.c) */
int tul__fmt_float(double v, char out[40]);              /* Python repr; returns the length */
void tul__sb_float(tul__sb *b, double v);
void tul__sb_int(tul__sb *b, int64_t v);
/* A JSON string literal: `"`, `\\` and control characters escaped, and each byte that is not part of
 * well-formed UTF-8 replaced by U+FFFD, so the text is always valid JSON (and valid UTF-8). */
void tul__sb_quoted(tul__sb *b, const char *p, int64_t n);
void tul__sb_escaped(tul__sb *b, const char *p, int64_t n); /* the same without the quotes */
/* Throws `<before><p, escaped as in a JSON string><after>`: run-time error messages that quote user
 * text (a NUL or a control character in it never cuts or garbles the message). */
TUL_NORETURN void tul__throw_quoting(const char *before, const char *p, int64_t n, const char *after);
/* Appends the string form of the value at `slot`; `quoted`: strings as JSON literals (inside
 * containers). */
void tul__sb_value(tul__sb *b, const void *slot, const tul_type *type, int quoted);
void tul__sb_json(tul__sb *b, const tul_json *j, int quoted);
void tul__sb_json_text(tul__sb *b, const tul_json *j); /* toJson's form: non-finite floats as null */
const char *tul__type_name(const tul_type *t, char *buf, size_t n); /* "int", "int[]", "Point" */
/* format(v, spec) appended to a builder (fmtspec.c); throws ValueError on a bad spec. */
void tul__sb_format(tul__sb *b, const void *slot, const tul_type *type, const tul_str *spec);

/* ---------------------------------------------------------------- maps (map.c) */
typedef struct tul__mentry {
  uint64_t hash; /* 0: deleted */
  uint64_t key;  /* int64_t, or tul_str* */
  uint64_t val;  /* the value's slot */
} tul__mentry;
struct tul_map {
  int64_t len;            /* live entries */
  int64_t used;           /* entries in use, deleted ones included */
  int64_t cap;            /* room in entries */
  tul__mentry *entries;   /* insertion order */
  uint64_t *index;        /* 2 * cap slots: (hash >> 32) << 32 | entry + 1; 0 empty */
  uint64_t mask;          /* slots - 1 */
  int64_t key_kind;       /* TUL_K_INT or TUL_K_STR */
  const tul_type *val;
  int64_t version;        /* counts insertions of new keys (iteration checks it) */
};
uint64_t tul__hash_bytes(const char *p, int64_t n); /* seeded per process, never 0 */
uint64_t tul__hash_int(int64_t k);
void tul__sb_map(tul__sb *b, const tul_map *m);     /* {"a":1} / {1:"a"} */
_Bool tul__map_eq(const tul_map *a, const tul_map *b);
tul_json *tul__map_box(const tul_map *m);
/* json -> static type with the path of the value inside the one converted, for error messages
 * (json.c): a step is an array index, a struct field or a map key. */
typedef struct tul__jpath {
  const struct tul__jpath *up;
  const char *field;     /* a struct field, or NULL */
  const tul_str *key;    /* a map key, or NULL */
  int64_t index;         /* an array index (when field and key are NULL) */
} tul__jpath;
void tul__json_unbox_at(const tul_json *j, const tul_type *type, void *out, const tul__jpath *path);
TUL_NORETURN void tul__unbox_mismatch(const char *want, const tul_json *got, const tul__jpath *path);
TUL_NORETURN void tul__unbox_bad_key(const tul_str *key, const tul__jpath *path);
tul_map *tul__map_unbox(const tul_json *j, const tul_type *type, const tul__jpath *path); /* j: an object */

/* ---------------------------------------------------------------- exceptions (exc.c, trace.c) */
TUL_NORETURN void tul__throw_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
TUL_NORETURN void tul__throw_str(tul_str *s);
/* MemoryError: out of memory, without allocating (tul_throw_msg with that text comes here too). */
TUL_NORETURN void tul__throw_oom(void);
tul_json *tul__oom_value(void); /* the value it throws (a task that cannot start is rejected with it) */
/* `value` is thrown afresh: it no longer has the async origin of its last re-throw by an await
 * (promise.c; MemoryError is one shared value). */
void tul__async_origin_forget(const tul_json *value);
/* tul_caught without its collection after a MemoryError: for runtime code that passes the value on
 * (a task's promise, a spawn job) instead of handling it (a chain of tasks would collect per task). */
tul_json *tul__caught_raw(void);
/* gc.c: Boehm GC's warnings go to stderr only with TULPAR_GC_WARNINGS=1 (call before GC_INIT). */
void tul__gc_quiet(void);
/* Prints `Uncaught Exception: <value>` and the trace of the value just caught to stderr. */
void tul__report_uncaught(tul_json *value);
/* The same with another first-line prefix and an explicit async origin (a rejected promise's);
 * `caught`: also the trace of the value tul_caught returned last. */
void tul__report_error(const char *prefix, tul_json *value, const tul_async_origin *origin, int caught);
/* The async runtime's hooks (declared weak in async_int.h). */
extern const int64_t tul__exc_state_size;
void *tul__exc_state_swap(void *state);
int64_t tul__exc_caught_frames(void *const **frames);
/* Checks the stack in runtime code that recurses on user data (printing, equality, boxing). */
static inline void tul__check_stack(void) {
  if (TUL_UNLIKELY((uintptr_t)__builtin_frame_address(0) < tul_stack_limit)) tul_stack_overflow();
}

/* A captured trace: `pcs` holds return addresses innermost first; a NULL entry followed by a
 * count stands for that many frames left out in the middle (deep recursion; the count is
 * TUL__TRACE_UNKNOWN_GAP where they were never walked), TUL__TRACE_RETHROWN marks where the frames
 * of a re-throw start. */
typedef struct tul__trace {
  int64_t n;
  int64_t origin_n;   /* entries that belong to the first throw (what a re-throw keeps) */
  uintptr_t end_cfa;  /* CFA of the outermost frame walked; 0 when the walk reached the stack's end */
  int64_t truncated;  /* the walk stopped at its frame limit, before the handler's frame */
  void *pcs[];
} tul__trace;
#define TUL__TRACE_RETHROWN ((void *)2)
#define TUL__TRACE_UNKNOWN_GAP ((void *)(intptr_t)-1)
/* capture.c. A throw's trace: from the caller up to the frame of `handler` (at most a few dozen
 * frames), or the whole stack when `handler` is NULL; with `origin`, the frames of the first throw
 * of the same value come first. */
tul__trace *tul__trace_capture(const void *handler, const tul__trace *origin);
/* The trace `t` continued from where its walk stopped up to `handler` (NULL: the stack's end). */
tul__trace *tul__trace_extend(const tul__trace *t, const void *handler);
extern TUL_TLS int64_t tul__trace_walked; /* frames walked by this thread's captures (for tests) */
/* Prints the `.tul` frames of the given address lists (each innermost first; lists in order) to
 * stderr, folding runs of identical frames. */
/* Prints the `.tul` frames of several lists of return addresses, innermost first. In a list, NULL
 * followed by a count marks left-out frames; TUL__TRACE_CREATED followed by an address marks the
 * call that created a task (printed as `created by f (file:line)`). */
#define TUL__TRACE_CREATED ((void *)1)
void tul__trace_print(void *const *const *lists, const int64_t *counts, int nlists);

/* ---------------------------------------------------------------- I/O and process (io.c, main.c) */
void tul__set_args(int argc, char **argv);
void tul__flush_stdout(void);
void tul__stack_limit_init_main(void); /* the calling thread's limit (spawn workers use it too) */

/* ---------------------------------------------------------------- arrays (array.c) */
int tul__is_pointer_kind(int64_t kind);

/* ---------------------------------------------------------------- deep copies (copy.c)
 * Copies the value at `slot` (of static type `t`) into `out` for another thread: arrays, structs
 * and json containers are copied (sharing and cycles kept across every value copied with the
 * same copier), strings and json scalars shared; a function value or promise throws RuntimeError. */
typedef struct tul__copier tul__copier;
tul__copier *tul__copier_new(void);
void tul__copier_free(tul__copier *c);
void tul__copy_value(tul__copier *c, const void *slot, const tul_type *t, void *out);

/* ---------------------------------------------------------------- threads (gc.c, spawn.c)
 * Nonzero once spawn workers exist (set on the loop thread before the first one starts): print
 * then locks stdout, and the loop thread guards its stack switches (async_int.h). Hidden (the
 * runtime is only ever linked into executables), so it is read %rip-relative: with its address
 * from the GOT, clang kept that address in a callee-saved register across stack switches, and
 * every suspended task's stack grew by the extra saved registers (bench/async yields: 376 bytes
 * copied per eviction, 360 as before spawn existed). */
#ifndef TUL_INTERNAL
#define TUL_INTERNAL __attribute__((visibility("hidden")))
#endif
extern TUL_INTERNAL int tul__threads_live;

#endif
