/* map.c: typed maps `map<K, V>` (K is int or str): an insertion-ordered hash table. Entries live in
 * one array in insertion order (hash, key, value: 24 bytes); an open-addressing index with linear
 * probing maps a hash to an entry. Each index slot holds the entry number + 1 in its low 32 bits
 * and the hash's high 32 bits above, so a probe rejects most other keys without touching the entry.
 * The index has twice as many slots as the entry array has room for (load at most 1/2). Deleting
 * clears the entry (hash 0) and leaves a tombstone in its index slot; when the entry array is full
 * it is compacted (many deleted) or doubled, and the index is rebuilt. Iteration walks the entry
 * array; adding a key during iteration is an error at the next step (deleting is fine). */
#include <gc.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include "rt_int.h"

#define TOMB UINT32_MAX          /* low half of an index slot whose entry was deleted */
#define MAX_ENTRIES (1LL << 31)  /* entry numbers + 1 fit the low half of a slot */
#define MIN_CAP 8

/* ---------------------------------------------------------------- hashing */

static uint64_t seed;

static __attribute__((constructor)) void init_seed(void) {
  if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != sizeof seed) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    seed = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec;
  }
}

/* Folded 64x64->128 multiply: the mixing step of the hash. */
static inline uint64_t fold(uint64_t a, uint64_t b) {
  __uint128_t r = (__uint128_t)a * b;
  return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t load64(const char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static inline uint64_t load32(const char *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

#define K1 0xa0761d6478bd642full
#define K2 0xe7037ed1a0b428dbull
#define K3 0x8ebc6af09c88c6e3ull

/* Every byte is read once or twice through overlapping loads (no byte loop, no call): short keys
 * cost two multiplies. The length takes part, so the loads determine the string. */
uint64_t tul__hash_bytes(const char *p, int64_t n) {
  uint64_t h = seed ^ ((uint64_t)n * K1), a, b;
  if (TUL_LIKELY(n <= 16)) {
    if (n >= 8) a = load64(p), b = load64(p + n - 8);
    else if (n >= 4) a = load32(p), b = load32(p + n - 4);
    else if (n > 0) a = (uint64_t)(unsigned char)p[0] << 16 | (uint64_t)(unsigned char)p[n >> 1] << 8 | (unsigned char)p[n - 1], b = 0;
    else a = b = 0;
  } else {
    for (int64_t i = 0; i + 16 < n; i += 16) h = fold(load64(p + i) ^ K1 ^ h, load64(p + i + 8) ^ K2);
    a = load64(p + n - 16), b = load64(p + n - 8);
  }
  h = fold(a ^ K2 ^ h, b ^ K3);
  h = fold(h ^ K1, (uint64_t)n ^ K3);
  return h ? h : 1; /* never 0: a cleared entry has hash 0 */
}

uint64_t tul__hash_int(int64_t k) {
  uint64_t h = fold((uint64_t)k ^ seed ^ K2, K1);
  return h ? h : 1;
}

/* ---------------------------------------------------------------- layout */

static int val_is_pointer(const tul_map *m) { return tul__is_pointer_kind(m->val->kind); }

static tul__mentry *alloc_entries(const tul_map *m, int64_t cap) {
  size_t bytes = (size_t)cap * sizeof(tul__mentry);
  int atomic = m->key_kind == TUL_K_INT && !val_is_pointer(m);
  tul__mentry *e = atomic ? GC_MALLOC_ATOMIC(bytes) : GC_MALLOC(bytes);
  if (TUL_UNLIKELY(!e)) tul_throw_msg("MemoryError: out of memory");
  tul__huge_pages(e, bytes);
  return e;
}

static void index_put(tul_map *m, uint64_t h, int64_t entry) {
  for (uint64_t i = h & m->mask;; i = (i + 1) & m->mask)
    if (!m->index[i]) {
      m->index[i] = (h >> 32 << 32) | (uint64_t)(entry + 1);
      return;
    }
}

/* A fresh index for the live entries, which are first moved to the front (in order). */
static void rebuild(tul_map *m, int64_t cap) {
  tul__mentry *e = m->entries;
  if (cap != m->cap) {
    e = alloc_entries(m, cap);
    if (m->used) memcpy(e, m->entries, (size_t)m->used * sizeof *e);
  }
  int64_t live = 0;
  for (int64_t i = 0; i < m->used; i++)
    if (e[i].hash) e[live++] = e[i];
  memset(e + live, 0, (size_t)(cap - live) * sizeof *e);
  size_t slots = (size_t)cap * 2;
  uint64_t *index = GC_MALLOC_ATOMIC(slots * sizeof *index);
  if (TUL_UNLIKELY(!index)) tul_throw_msg("MemoryError: out of memory");
  memset(index, 0, slots * sizeof *index);
  tul__huge_pages(index, slots * sizeof *index);
  m->entries = e;
  m->cap = cap;
  m->used = live;
  m->index = index;
  m->mask = slots - 1;
  for (int64_t i = 0; i < live; i++) index_put(m, e[i].hash, i);
}

/* Room for one more entry: compact when at least a quarter is deleted, else double. */
static void make_room(tul_map *m) {
  int64_t cap = m->cap ? m->cap : MIN_CAP;
  if (m->cap && m->len > m->cap - m->cap / 4) cap = m->cap * 2;
  if (cap > MAX_ENTRIES) tul_throw_msg("MemoryError: map too large");
  rebuild(m, cap);
}

tul_map *tul_map_new(int64_t key_kind, const tul_type *val) {
  if (key_kind != TUL_K_INT && key_kind != TUL_K_STR) tul_throw_msg("TypeError: map keys must be int or str");
  tul_map *m = GC_MALLOC(sizeof *m);
  if (TUL_UNLIKELY(!m)) tul_throw_msg("MemoryError: out of memory");
  m->key_kind = key_kind;
  m->val = val;
  return m;
}

int64_t tul_map_len(const tul_map *m) { return m->len; }

/* ---------------------------------------------------------------- lookup */

static inline int str_key_eq(uint64_t stored, const tul_str *k) {
  const tul_str *s = (const tul_str *)(uintptr_t)stored;
  return s == k || (s->len == k->len && tul__bytes_eq(s->data, k->data, k->len));
}

/* The index slot of `key` (hash h), or of the empty slot ending its probe sequence. */
#define PROBE(m, h, MATCH)                                                                \
  uint64_t tag_ = (h) >> 32 << 32;                                                        \
  uint64_t i_ = (h) & (m)->mask;                                                          \
  for (;; i_ = (i_ + 1) & (m)->mask) {                                                    \
    uint64_t s_ = (m)->index[i_];                                                         \
    if (!s_) break;                                                                       \
    if ((s_ & 0xFFFFFFFF00000000ull) == tag_ && (uint32_t)s_ != TOMB) {                   \
      const tul__mentry *e_ = &(m)->entries[(uint32_t)s_ - 1];                            \
      if (e_->hash == (h) && (MATCH)) break;                                              \
    }                                                                                     \
  }

static int64_t slot_of_int(const tul_map *m, int64_t key, uint64_t h) {
  PROBE(m, h, (int64_t)e_->key == key)
  return (int64_t)i_;
}

static int64_t slot_of_str(const tul_map *m, const tul_str *key, uint64_t h) {
  PROBE(m, h, str_key_eq(e_->key, key))
  return (int64_t)i_;
}

/* Entry number in index slot i, or -1 when the slot is empty. */
static inline int64_t entry_at(const tul_map *m, int64_t i) {
  uint64_t s = m->index[i];
  return s ? (int64_t)(uint32_t)s - 1 : -1;
}

void *tul_map_find_int(const tul_map *m, int64_t key) {
  if (!m->index) return NULL;
  int64_t e = entry_at(m, slot_of_int(m, key, tul__hash_int(key)));
  return e < 0 ? NULL : &m->entries[e].val;
}

void *tul_map_find_str(const tul_map *m, const tul_str *key) {
  if (!m->index) return NULL;
  int64_t e = entry_at(m, slot_of_str(m, key, tul__hash_bytes(key->data, key->len)));
  return e < 0 ? NULL : &m->entries[e].val;
}

void *tul_map_at_int(const tul_map *m, int64_t key) {
  void *slot = tul_map_find_int(m, key);
  if (TUL_UNLIKELY(!slot)) tul__throw_fmt("KeyError: %lld", (long long)key);
  return slot;
}

void *tul_map_at_str(const tul_map *m, const tul_str *key) {
  void *slot = tul_map_find_str(m, key);
  if (TUL_UNLIKELY(!slot)) {
    tul__sb b;
    tul__sb_init(&b);
    tul__sb_cstr(&b, "KeyError: ");
    tul__sb_quoted(&b, key->data, key->len);
    tul__throw_str(tul__sb_finish(&b));
  }
  return slot;
}

/* ---------------------------------------------------------------- insertion */

static void *append(tul_map *m, uint64_t h, uint64_t key, int64_t slot) {
  int64_t e = m->used++;
  m->entries[e] = (tul__mentry){h, key, 0};
  if (m->val->kind == TUL_K_STR) m->entries[e].val = (uint64_t)(uintptr_t)&tul_empty_str;
  m->index[slot] = (h >> 32 << 32) | (uint64_t)(e + 1);
  m->len++;
  m->version++;
  return &m->entries[e].val;
}

void *tul_map_put_int(tul_map *m, int64_t key) {
  uint64_t h = tul__hash_int(key);
  if (TUL_LIKELY(m->index)) {
    int64_t i = slot_of_int(m, key, h), e = entry_at(m, i);
    if (e >= 0) return &m->entries[e].val;
    if (TUL_LIKELY(m->used < m->cap)) return append(m, h, (uint64_t)key, i);
  }
  make_room(m);
  return append(m, h, (uint64_t)key, slot_of_int(m, key, h));
}

void *tul_map_put_str(tul_map *m, const tul_str *key) {
  uint64_t h = tul__hash_bytes(key->data, key->len);
  if (TUL_LIKELY(m->index)) {
    int64_t i = slot_of_str(m, key, h), e = entry_at(m, i);
    if (e >= 0) return &m->entries[e].val;
    if (TUL_LIKELY(m->used < m->cap)) return append(m, h, (uint64_t)(uintptr_t)key, i);
  }
  make_room(m);
  return append(m, h, (uint64_t)(uintptr_t)key, slot_of_str(m, key, h));
}

/* ---------------------------------------------------------------- deletion */

static _Bool delete_slot(tul_map *m, int64_t i) {
  int64_t e = entry_at(m, i);
  if (e < 0) return 0;
  m->entries[e] = (tul__mentry){0, 0, 0}; /* hash 0: deleted; no stale pointers for the GC */
  m->index[i] = TOMB;
  m->len--;
  return 1;
}

_Bool tul_map_delete_int(tul_map *m, int64_t key) {
  return m->index && delete_slot(m, slot_of_int(m, key, tul__hash_int(key)));
}

_Bool tul_map_delete_str(tul_map *m, const tul_str *key) {
  return m->index && delete_slot(m, slot_of_str(m, key, tul__hash_bytes(key->data, key->len)));
}

/* ---------------------------------------------------------------- keys, values, iteration */

tul_arr *tul_map_keys(const tul_map *m) {
  tul_arr *r = tul_arr_new(m->key_kind == TUL_K_STR ? &tul_type_str : &tul_type_int, m->len);
  uint64_t *d = (uint64_t *)r->data;
  for (int64_t i = 0, k = 0; i < m->used; i++)
    if (m->entries[i].hash) d[k++] = m->entries[i].key;
  return r;
}

tul_arr *tul_map_values(const tul_map *m) {
  tul_arr *r = tul_arr_new(m->val, m->len);
  int64_t size = m->val->size;
  for (int64_t i = 0, k = 0; i < m->used; i++)
    if (m->entries[i].hash) memcpy(r->data + (k++) * size, &m->entries[i].val, (size_t)size);
  return r;
}

int64_t tul_map_version(const tul_map *m) { return m->version; }

int64_t tul_map_next(const tul_map *m, int64_t pos, int64_t version) {
  if (TUL_UNLIKELY(m->version != version))
    tul_throw_msg("RuntimeError: map changed during iteration (a key was added)");
  for (; pos < m->used; pos++)
    if (m->entries[pos].hash) return pos;
  return -1;
}

int64_t tul_map_key_int_at(const tul_map *m, int64_t pos) { return (int64_t)m->entries[pos].key; }
tul_str *tul_map_key_str_at(const tul_map *m, int64_t pos) { return (tul_str *)(uintptr_t)m->entries[pos].key; }
void *tul_map_value_at(const tul_map *m, int64_t pos) { return &m->entries[pos].val; }

/* ---------------------------------------------------------------- printing, equality, json */

void tul__sb_map(tul__sb *b, const tul_map *m) {
  if (!m) {
    tul__sb_cstr(b, "null");
    return;
  }
  tul__sb_ch(b, '{');
  int first = 1;
  for (int64_t i = 0; i < m->used; i++) {
    const tul__mentry *e = &m->entries[i];
    if (!e->hash) continue;
    if (!first) tul__sb_ch(b, ',');
    first = 0;
    if (m->key_kind == TUL_K_STR) tul__sb_quoted(b, ((tul_str *)(uintptr_t)e->key)->data, ((tul_str *)(uintptr_t)e->key)->len);
    else tul__sb_int(b, (int64_t)e->key);
    tul__sb_ch(b, ':');
    tul__sb_value(b, &e->val, m->val, 1);
  }
  tul__sb_ch(b, '}');
}

/* Same keys with equal values, in any order (like Python's dicts). */
_Bool tul__map_eq(const tul_map *a, const tul_map *b) {
  if (a == b) return 1;
  if (!a || !b || a->len != b->len || a->key_kind != b->key_kind) return 0;
  tul__check_stack();
  for (int64_t i = 0; i < a->used; i++) {
    const tul__mentry *e = &a->entries[i];
    if (!e->hash) continue;
    const void *other = a->key_kind == TUL_K_STR ? tul_map_find_str(b, (tul_str *)(uintptr_t)e->key)
                                                 : tul_map_find_int(b, (int64_t)e->key);
    if (!other || !tul_value_eq(&e->val, other, a->val)) return 0;
  }
  return 1;
}

/* A json object; int keys become their decimal text. */
tul_json *tul__map_box(const tul_map *m) {
  if (!m) return NULL;
  tul_json *j = tul__json_object();
  for (int64_t i = 0; i < m->used; i++) {
    const tul__mentry *e = &m->entries[i];
    if (!e->hash) continue;
    tul_str *k = m->key_kind == TUL_K_STR ? (tul_str *)(uintptr_t)e->key : tul_str_from_int((int64_t)e->key);
    tul__json_obj_set(j, k, tul_json_box(&e->val, m->val));
  }
  return j;
}

/* From a json object (the caller checked the tag); int maps need decimal keys. */
tul_map *tul__map_unbox(const tul_json *j, const tul_type *type, const tul__jpath *path) {
  tul_map *m = tul_map_new(type->nfields, type->elem);
  for (int64_t i = 0, n = tul__jobj_len(j); i < n; i++) {
    tul_str *k = tul__jobj_key(j, i);
    void *slot;
    if (m->key_kind == TUL_K_STR) slot = tul_map_put_str(m, k);
    else {
      char *end;
      errno = 0;
      long long v = strtoll(k->data, &end, 10);
      if (k->len == 0 || errno || end != k->data + k->len) tul__unbox_bad_key(k, path);
      slot = tul_map_put_int(m, v);
    }
    tul__jpath at = {path, NULL, k, 0};
    tul__json_unbox_at(tul__jobj_val(j, i), type->elem, slot, &at);
  }
  return m;
}
