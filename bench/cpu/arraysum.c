// arraysum: a reduction over a growable int array, R rounds over N elements (the C twin of arraysum.tul:
// globals, as the Tulpar program's top-level variables are).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int64_t n, rounds, len, cap, *xs, total;

int main(void) {
    n = atoll(getenv("N"));
    rounds = atoll(getenv("R"));
    for (int64_t i = 0; i < n; i++) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4;
            xs = realloc(xs, sizeof *xs * cap);
            if (!xs) return 1;
        }
        xs[len++] = i % 1000;
    }
    for (int64_t r = 0; r < rounds; r++)
        for (int64_t i = 0; i < len; i++) total += xs[i] * 3;
    printf("%lld\n", (long long)total);
    return 0;
}
