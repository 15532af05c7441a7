/* ackermann: the Ackermann function A(M, N); M and N from the environment. */
#include <stdio.h>
#include <stdlib.h>
static long ack(long m, long n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}
int main(void) { printf("%ld\n", ack(atol(getenv("M")), atol(getenv("N")))); return 0; }
