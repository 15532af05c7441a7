/* sieve: Eratosthenes over N numbers, repeated R times on one bool array; N and R from the environment. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
static long sieve(bool *composite, long n) {
  for (long i = 0; i <= n; i++) composite[i] = false;
  long count = 0;
  for (long i = 2; i <= n; i++) {
    if (!composite[i]) {
      count++;
      for (long j = i * i; j <= n; j += i) composite[j] = true;
    }
  }
  return count;
}
int main(void) {
  long n = atol(getenv("N")), rounds = atol(getenv("R")), count = 0;
  bool *composite = calloc(n + 1, 1);
  for (long r = 0; r < rounds; r++) count = sieve(composite, n);
  printf("%ld\n", count);
  return 0;
}
