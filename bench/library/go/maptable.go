// maptable.go: Go's map with the workload of map_table.c: N string keys "key0".. inserted, then
// looked up (and N int keys), wall ms per phase.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func ms(a, b time.Time) float64 { return float64(b.Sub(a).Microseconds()) / 1000 }

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key" + strconv.Itoa(i)
	}
	t0 := time.Now()
	m := map[string]int{}
	for i, k := range keys {
		m[k] = i
	}
	t1 := time.Now()
	sum := 0
	for _, k := range keys {
		sum += m[k]
	}
	t2 := time.Now()
	fmt.Printf("str insert_ms %.1f lookup_ms %.1f sum %d\n", ms(t0, t1), ms(t1, t2), sum)
	t0 = time.Now()
	mi := map[int]int{}
	for i := 0; i < n; i++ {
		mi[i*7919] = i
	}
	t1 = time.Now()
	sum = 0
	for i := 0; i < n; i++ {
		sum += mi[i*7919]
	}
	t2 = time.Now()
	fmt.Printf("int insert_ms %.1f lookup_ms %.1f sum %d\n", ms(t0, t1), ms(t1, t2), sum)
}
