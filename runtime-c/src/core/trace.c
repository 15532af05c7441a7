/* trace.c: prints the trace of an uncaught exception: symbolizes captured return addresses with
 * libdw (inlined calls expanded through dwarf_getscopes), keeps only frames from `.tul` files and
 * folds runs of identical frames (deep recursion). Runs once, at exit, never on a hot path.
 * Without libdw (macOS; Linux with -DTULPAR_WITH_LIBDW=OFF) it looks return addresses up in the
 * call-site tables that tulc links into the program (codegen/toolchain/linetable.ts), and names functions
 * from dladdr's symbols, with no file or line, for addresses no table holds. */
#ifndef TUL_HAVE_LIBDW /* CMake defines it to 1 or 0; without CMake: libdw everywhere but macOS */
#ifdef __APPLE__
#define TUL_HAVE_LIBDW 0
#else
#define TUL_HAVE_LIBDW 1
#endif
#endif
#if TUL_HAVE_LIBDW
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#else
#include <dlfcn.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "rt_int.h"

typedef struct frame {
  const char *fn;
  const char *file;
  int line;
  int64_t gap; /* > 0: this many frames left out here; -1: some, not counted */
  int created; /* the call that created a task (printed as `created by`) */
  int rethrown; /* the first frame of a re-throw (printed as `re-thrown at`) */
} frame;

typedef struct frames {
  frame *v;
  int64_t n, cap;
} frames;

static void add(frames *fs, frame f) {
  if (fs->n == fs->cap) {
    fs->cap = fs->cap ? fs->cap * 2 : 64;
    frame *v = realloc(fs->v, (size_t)fs->cap * sizeof *v);
    if (!v) return;
    fs->v = v;
  }
  fs->v[fs->n++] = f;
}

/* The Tulpar name of a function from its symbol or DWARF name: codegen names user functions
 * `tul_fn_<name>` and the main program `tul_user_main` (DWARF says `<main>`). */
static const char *tulpar_name(const char *sym) {
  if (!sym) return NULL;
  if (strcmp(sym, "tul_user_main") == 0) return "<main>";
  if (strncmp(sym, "tul_fn_", 7) == 0) return sym + 7;
  return sym;
}

/* A call-site table (codegen/toolchain/linetable.ts writes one per program into an object linked with it,
 * whose constructor registers it): for each return address in user code, the `.tul` frames it
 * stands for, innermost first (inlined calls expanded), with names already in Tulpar form. */
typedef struct tul__line_table {
  const char *anchor;     /* a function of the object; rows count from its address */
  int64_t nrows;
  const int32_t *rows;    /* nrows triples: offset from anchor, first frame, frame count; by offset */
  const int32_t *frames;  /* triples: function name and file (offsets into strings), line */
  const char *strings;
} tul__line_table;

void tul__trace_add_lines(const tul__line_table *t);

static const tul__line_table *line_tables[16];
static int nline_tables;

/* Called by the constructors of the linked tables, before main. */
void tul__trace_add_lines(const tul__line_table *t) {
  if (nline_tables < (int)(sizeof line_tables / sizeof *line_tables)) line_tables[nline_tables++] = t;
}

#if TUL_HAVE_LIBDW
static int is_tul(const char *file) {
  size_t n = file ? strlen(file) : 0;
  return n >= 4 && strcmp(file + n - 4, ".tul") == 0;
}

static void add_tul(frames *fs, const char *fn, const char *file, int line) {
  if (is_tul(file)) add(fs, (frame){fn ? fn : "<unknown>", file, line, 0});
}

static Dwfl *open_self(void) {
  static char *debuginfo_path;
  static const Dwfl_Callbacks callbacks = {
      .find_elf = dwfl_linux_proc_find_elf,
      .find_debuginfo = dwfl_standard_find_debuginfo,
      .debuginfo_path = &debuginfo_path,
  };
  Dwfl *d = dwfl_begin(&callbacks);
  if (!d) return NULL;
  dwfl_report_begin(d);
  if (dwfl_linux_proc_report(d, getpid()) != 0 || dwfl_report_end(d, NULL, NULL) != 0) {
    dwfl_end(d);
    return NULL;
  }
  return d;
}

static const char *die_name(Dwarf_Die *die) {
  Dwarf_Attribute a;
  return dwarf_attr_integrate(die, DW_AT_name, &a) ? dwarf_formstring(&a) : NULL;
}

static int die_udata(Dwarf_Die *die, int name, Dwarf_Word *out) {
  Dwarf_Attribute a;
  return dwarf_attr(die, name, &a) && dwarf_formudata(&a, out) == 0;
}

static const char *symbol_name(Dwfl_Module *mod, Dwarf_Addr addr) {
  return tulpar_name(dwfl_module_addrname(mod, addr));
}

/* The compile unit holding `addr`. clang emits no .debug_aranges by default, which
 * dwfl_module_addrdie relies on, so fall back to asking each unit whether it covers the address. */
static Dwarf_Die *find_cu(Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Addr *bias) {
  Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, bias);
  if (cu) return cu;
  while ((cu = dwfl_module_nextcu(mod, cu, bias)))
    if (dwarf_haspc(cu, addr - *bias) == 1) return cu;
  return NULL;
}

/* Adds the frames at return address `pc`, innermost first: inlined calls, then the function. */
static void symbolize(Dwfl *d, uintptr_t pc, frames *fs) {
  Dwarf_Addr addr = (Dwarf_Addr)pc - 1, bias = 0;
  Dwfl_Module *mod = dwfl_addrmodule(d, addr);
  Dwarf_Die *cu = mod ? find_cu(mod, addr, &bias) : NULL;
  if (!cu) return;
  const char *file = NULL;
  int line = 0;
  Dwarf_Line *l = dwarf_getsrc_die(cu, addr - bias);
  if (l) {
    file = dwarf_linesrc(l, NULL, NULL);
    dwarf_lineno(l, &line);
  }
  Dwarf_Files *files = NULL;
  size_t nfiles = 0;
  if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0) files = NULL;
  Dwarf_Die *scopes = NULL;
  int n = dwarf_getscopes(cu, addr - bias, &scopes);
  /* Inside an inlined call, dwarf_getscopes continues with the abstract definition's scopes;
   * the concrete chain (inlined calls, then the function that holds them) starts at that DIE. */
  for (int i = 0; i < n; i++) {
    int tag = dwarf_tag(&scopes[i]);
    if (tag == DW_TAG_subprogram) break;
    if (tag == DW_TAG_inlined_subroutine) {
      Dwarf_Die inner = scopes[i];
      free(scopes);
      scopes = NULL;
      n = dwarf_getscopes_die(&inner, &scopes);
      break;
    }
  }
  int found = 0;
  for (int i = 0; i < n && !found; i++) {
    int tag = dwarf_tag(&scopes[i]);
    if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine) continue;
    const char *name = tulpar_name(die_name(&scopes[i]));
    if (tag == DW_TAG_subprogram) {
      found = 1;
      if (!name) name = symbol_name(mod, addr);
    }
    add_tul(fs, name, file, line);
    Dwarf_Word w;
    if (die_udata(&scopes[i], DW_AT_call_file, &w) && files && w < nfiles) file = dwarf_filesrc(files, w, NULL, NULL);
    if (die_udata(&scopes[i], DW_AT_call_line, &w)) line = (int)w;
  }
  /* Line tables only (no -g): functions without inlined calls have no DIE; use the symbol. */
  if (!found) add_tul(fs, symbol_name(mod, addr), file, line);
  free(scopes);
}
#else
typedef void Dwfl; /* no libdw: the linked call-site tables, then dladdr's symbols */

static Dwfl *open_self(void) { return (Dwfl *)1; }

static void dwfl_end(Dwfl *d) {}

/* Adds the .tul frames a call-site table lists for return address `pc`; 0 when no table has it. */
static int symbolize_from_table(uintptr_t pc, frames *fs) {
  for (int k = 0; k < nline_tables; k++) {
    const tul__line_table *t = line_tables[k];
    intptr_t off = (intptr_t)(pc - (uintptr_t)t->anchor);
    if (off < INT32_MIN || off > INT32_MAX) continue;
    int64_t lo = 0, hi = t->nrows;
    while (lo < hi) { /* rows are sorted by offset */
      int64_t mid = lo + (hi - lo) / 2;
      if (t->rows[3 * mid] < off) lo = mid + 1;
      else hi = mid;
    }
    if (lo == t->nrows || t->rows[3 * lo] != off) continue;
    const int32_t *f = t->frames + 3 * t->rows[3 * lo + 1];
    for (int32_t i = 0; i < t->rows[3 * lo + 2]; i++, f += 3)
      add(fs, (frame){t->strings + f[0], t->strings + f[1], f[2], 0, 0});
    return 1;
  }
  return 0;
}

/* Adds the frames at return address `pc`: from a call-site table, else the user function holding
 * it (the symbol table's nearest name: inlined calls are not seen), without a location. */
static void symbolize(Dwfl *d, uintptr_t pc, frames *fs) {
  if (symbolize_from_table(pc, fs)) return;
  Dl_info info;
  if (!dladdr((void *)(pc - 1), &info) || !info.dli_sname) return;
  const char *sym = info.dli_sname;
  if (sym[0] == '_' && strncmp(sym + 1, "tul_", 4) == 0) sym++; /* Mach-O's leading underscore */
  if (strcmp(sym, "tul_user_main") != 0 && strncmp(sym, "tul_fn_", 7) != 0) return;
  add(fs, (frame){tulpar_name(sym), "", 0, 0, 0});
}
#endif

static int same_place(const frame *a, const frame *b) {
  return !a->gap && !b->gap && a->line == b->line && strcmp(a->fn, b->fn) == 0 && strcmp(a->file, b->file) == 0;
}

static int same(const frame *a, const frame *b) {
  return !a->created && !b->created && !a->rethrown && !b->rethrown && same_place(a, b);
}

/* Prints frames, folding each run of identical ones (and gaps inside such a run). */
static void print_folded(const frames *fs) {
  for (int64_t i = 0; i < fs->n;) {
    const frame *f = &fs->v[i];
    if (f->gap) {
      if (i > 0 && i + 1 < fs->n && f->gap < 0) fprintf(stderr, "    ... more frames\n");
      else if (i > 0 && i + 1 < fs->n) fprintf(stderr, "    ... %lld more frames\n", (long long)f->gap);
      i++;
      continue;
    }
    const char *verb = f->created ? "created by" : f->rethrown ? "re-thrown at" : "at";
    if (f->file[0]) fprintf(stderr, "    %s %s (%s:%d)\n", verb, f->fn, f->file, f->line);
    else fprintf(stderr, "    %s %s\n", verb, f->fn); /* no line information (no libdw) */
    int64_t j = i + 1, more = 0;
    int uncounted = 0; /* the run goes on into frames that were never walked */
    for (;;) {
      if (j < fs->n && same(&fs->v[j], f)) {
        more++;
        j++;
      } else if (j + 1 < fs->n && fs->v[j].gap && same(&fs->v[j + 1], f)) {
        uncounted |= fs->v[j].gap < 0;
        more += fs->v[j].gap + 1;
        j += 2;
      } else if (more && j + 1 < fs->n && fs->v[j].gap < 0) {
        uncounted = 1;
        j++;
        break;
      } else {
        break;
      }
    }
    if (uncounted) fprintf(stderr, "    ... more frames\n");
    else if (more) fprintf(stderr, "    ... %lld more frames\n", (long long)more);
    i = j;
  }
}

/* The first .tul frames of a re-throw, [at, fs->n), right after those of the last return address
 * of the first throw, [from, at): both are the frame that caught and threw again (with the calls
 * inlined into it), so the outer frames they share are shown once, after the re-throw site. */
static void join_rethrow(frames *fs, int64_t from, int64_t at) {
  int64_t k = 0;
  while (at - 1 - k > from && fs->n - 1 - k > at && same_place(&fs->v[at - 1 - k], &fs->v[fs->n - 1 - k])) k++;
  if (k) {
    memmove(&fs->v[at - k], &fs->v[at], (size_t)(fs->n - at) * sizeof(frame));
    fs->n -= k;
  }
  fs->v[at - k].rethrown = 1;
}

void tul__trace_print(void *const *const *lists, const int64_t *counts, int nlists) {
  Dwfl *d = open_self();
  if (!d) return;
  frames fs = {NULL, 0, 0};
  int rethrown = 0;         /* the next .tul frame is where a re-throw happened */
  int64_t last_from = -1;   /* frames of the last return address that had any: [last_from, fs.n) */
  int64_t origin_from = -1, origin_to = -1; /* those before the re-throw marker */
  for (int k = 0; k < nlists; k++) {
    void *const *pcs = lists[k];
    for (int64_t i = 0; pcs && i < counts[k]; i++) {
      if (!pcs[i]) { /* gap marker: NULL, then the count */
        if (i + 1 < counts[k]) {
          int64_t gap = pcs[i + 1] == TUL__TRACE_UNKNOWN_GAP ? -1 : (int64_t)(uintptr_t)pcs[i + 1];
          add(&fs, (frame){"", "", 0, gap, 0, 0});
        }
        i++;
        continue;
      }
      if (pcs[i] == TUL__TRACE_RETHROWN) {
        rethrown = 1;
        origin_from = last_from;
        origin_to = fs.n;
        continue;
      }
      if (pcs[i] == TUL__TRACE_CREATED) { /* task-creation marker, then the spawn call's address */
        int64_t before = fs.n;
        if (i + 1 < counts[k]) symbolize(d, (uintptr_t)pcs[i + 1], &fs);
        if (fs.n > before) fs.v[before].created = 1;
        i++;
        continue;
      }
      int64_t before = fs.n;
      symbolize(d, (uintptr_t)pcs[i], &fs);
      if (fs.n == before) continue;
      last_from = before;
      if (!rethrown) continue;
      rethrown = 0;
      if (origin_from >= 0 && origin_to == before) join_rethrow(&fs, origin_from, before);
      else fs.v[before].rethrown = 1;
    }
  }
  print_folded(&fs);
  free(fs.v);
  dwfl_end(d);
}

/* "file:line" of the user code at return address pc (the innermost frame, inlined calls
 * expanded); the function name alone without line information; "?" for runtime code. */
void tul__trace_site(void *pc, char *buf, size_t n) {
  snprintf(buf, n, "?");
  Dwfl *d = open_self();
  if (!d) return;
  frames fs = {NULL, 0, 0};
  symbolize(d, (uintptr_t)pc, &fs);
  if (fs.n > 0 && fs.v[0].file[0]) snprintf(buf, n, "%s:%d", fs.v[0].file, fs.v[0].line);
  else if (fs.n > 0) snprintf(buf, n, "%s", fs.v[0].fn);
  free(fs.v);
  dwfl_end(d);
}
