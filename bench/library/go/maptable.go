// maptable.go: Go's map with the workload of map_table.c (N string keys and N int keys inserted,
// looked up, deleted), in ns per operation.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key" + strconv.Itoa(i)
	}
	m := map[string]int{}
	t0 := time.Now()
	for i, k := range keys {
		m[k] = i
	}
	t1 := time.Now()
	sum := 0
	for _, k := range keys {
		sum += m[k]
	}
	t2 := time.Now()
	for _, k := range keys {
		delete(m, k)
	}
	t3 := time.Now()
	ns := func(a, b time.Time) float64 { return float64(b.Sub(a).Nanoseconds()) / float64(n) }
	fmt.Printf("str keys: insert %.1f ns, lookup %.1f ns, delete %.1f ns (sum %d)\n", ns(t0, t1), ns(t1, t2), ns(t2, t3), sum)
	mi := map[int]int{}
	t0 = time.Now()
	for i := 0; i < n; i++ {
		mi[i*7919] = i
	}
	t1 = time.Now()
	sum = 0
	for i := 0; i < n; i++ {
		sum += mi[i*7919]
	}
	t2 = time.Now()
	for i := 0; i < n; i++ {
		delete(mi, i*7919)
	}
	t3 = time.Now()
	fmt.Printf("int keys: insert %.1f ns, lookup %.1f ns, delete %.1f ns (sum %d)\n", ns(t0, t1), ns(t1, t2), ns(t2, t3), sum)
}
