/* json_ops.c: arithmetic, negation and ordering on dynamic json values (`j["n"] + 1`, `a < b`
 * where the checker's operand type is json). Rules: int op int stays int (wrapping, truncating
 * division, ZeroDivisionError), a float side makes the result float, `+` with a str side
 * concatenates string forms (like the static rule); anything else is a TypeError. */
#include <math.h>
#include "rt_int.h"

static const char OPS[] = "+-*/%";

static TUL_NORETURN void bad_operands(int64_t op, const tul_json *a, const tul_json *b) {
  tul__throw_fmt("TypeError: unsupported operand types for %c: %s and %s", OPS[op], tul__json_kind_name(a),
                 tul__json_kind_name(b));
}

static int is_num(const tul_json *j) { return j && (j->tag == TUL_J_INT || j->tag == TUL_J_FLOAT); }
static double as_f(const tul_json *j) { return j->tag == TUL_J_INT ? (double)j->u.i : j->u.f; }

static int64_t int_op(int64_t op, int64_t x, int64_t y) {
  uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
  switch (op) {
    case 0: return (int64_t)(ux + uy);
    case 1: return (int64_t)(ux - uy);
    case 2: return (int64_t)(ux * uy);
    case 3:
      if (y == 0) tul_throw_zero_div();
      return y == -1 ? (int64_t)(0 - ux) : x / y;
    default:
      if (y == 0) tul_throw_zero_mod();
      return y == -1 ? 0 : x % y;
  }
}

static double float_op(int64_t op, double x, double y) {
  switch (op) {
    case 0: return x + y;
    case 1: return x - y;
    case 2: return x * y;
    case 3: return x / y;
    default: return fmod(x, y);
  }
}

/* op: 0 +, 1 -, 2 *, 3 /, 4 % */
tul_json *tul_json_arith(int64_t op, const tul_json *a, const tul_json *b) {
  if (op == 0 && ((a && a->tag == TUL_J_STR) || (b && b->tag == TUL_J_STR)))
    return tul__json_str(tul_str_concat(tul_json_to_str(a), tul_json_to_str(b)));
  if (!is_num(a) || !is_num(b)) bad_operands(op, a, b);
  if (a->tag == TUL_J_INT && b->tag == TUL_J_INT) return tul__json_int(int_op(op, a->u.i, b->u.i));
  return tul__json_float(float_op(op, as_f(a), as_f(b)));
}

tul_json *tul_json_neg(const tul_json *a) {
  if (a && a->tag == TUL_J_INT) return tul__json_int((int64_t)(0 - (uint64_t)a->u.i));
  if (a && a->tag == TUL_J_FLOAT) return tul__json_float(-a->u.f);
  tul__throw_fmt("TypeError: bad operand type for unary -: %s", tul__json_kind_name(a));
}

/* -1, 0, 1, or 2 when unordered (a nan side): numbers by value, strings by code point. */
int64_t tul_json_cmp(const tul_json *a, const tul_json *b) {
  if (is_num(a) && is_num(b)) {
    if (a->tag == TUL_J_INT && b->tag == TUL_J_INT) return (a->u.i > b->u.i) - (a->u.i < b->u.i);
    double x = as_f(a), y = as_f(b);
    if (isnan(x) || isnan(y)) return 2;
    return (x > y) - (x < y);
  }
  if (a && b && a->tag == TUL_J_STR && b->tag == TUL_J_STR) {
    int64_t c = tul_str_cmp(a->u.s, b->u.s);
    return (c > 0) - (c < 0);
  }
  tul__throw_fmt("TypeError: cannot compare %s and %s", tul__json_kind_name(a), tul__json_kind_name(b));
}

/* ---------------------------------------------------------------- toInt / toFloat / toBool on json
 * Dispatch on the dynamic type with the static rules of docs/decisions.md (a json str parses like a
 * str, a json float truncates, a bool is 0/1); null, arrays and objects are a TypeError. */
static TUL_NORETURN void cannot_convert(const tul_json *j, const char *to) {
  tul__throw_fmt("TypeError: cannot convert %s to %s", tul__json_kind_name(j), to);
}

int64_t tul_json_to_int(const tul_json *j) {
  if (j && j->tag == TUL_J_INT) return j->u.i;
  if (j && j->tag == TUL_J_FLOAT) return tul_float_to_int(j->u.f);
  if (j && j->tag == TUL_J_BOOL) return j->u.b ? 1 : 0;
  if (j && j->tag == TUL_J_STR) return tul_str_to_int(j->u.s);
  cannot_convert(j, "int");
}

double tul_json_to_float(const tul_json *j) {
  if (j && j->tag == TUL_J_INT) return (double)j->u.i;
  if (j && j->tag == TUL_J_FLOAT) return j->u.f;
  if (j && j->tag == TUL_J_BOOL) return j->u.b ? 1.0 : 0.0;
  if (j && j->tag == TUL_J_STR) return tul_str_to_float(j->u.s);
  cannot_convert(j, "float");
}

_Bool tul_json_to_bool(const tul_json *j) {
  if (j && j->tag == TUL_J_BOOL) return j->u.b;
  if (j && j->tag == TUL_J_INT) return j->u.i != 0;
  if (j && j->tag == TUL_J_FLOAT) return j->u.f != 0.0;
  if (j && j->tag == TUL_J_STR) return tul_str_to_bool(j->u.s);
  cannot_convert(j, "bool");
}
