/* loopsum: a tight integer loop with division and remainder; N from the environment. */
#include <stdio.h>
#include <stdlib.h>
int main(void) {
  long n = atol(getenv("N")), s = 0;
  for (long i = 0; i < n; i++) s += i % 7 * 3 + i / 5;
  printf("%ld\n", s);
  return 0;
}
