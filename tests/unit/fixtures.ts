// Source fixtures shared by several unit-test files (kept in one place so they cannot drift apart).

/** Functions with and without a base case: self-recursion at top level and nested, through a lambda,
 *  and a lambda that only mentions its function. Used by ast.test.ts and recursion.test.ts. */
export const RECURSION_SAMPLE = `func fib(int n): int { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }
func spin(int n): int { return spin(n + 1); }
func loop(int n) { loop(n + 1); }
func leaf(): int { return 1; }
func lazy(int n): int { var k = () => lazy(n); return 0; }
func outer() {
  func down(int n): int { if (n == 0) { return 0; } return down(n - 1); }
  func forever(int n): int { return forever(n); }
  print(down(3), forever(1));
}`;
