/* fib: naive doubly recursive Fibonacci; N from the environment. */
#include <stdio.h>
#include <stdlib.h>
static long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
int main(void) { printf("%ld\n", fib(atol(getenv("N")))); return 0; }
