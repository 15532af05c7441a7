// sortslice.go: the workload of sort_structs.tul in Go: N structs sorted by an int field with
// sort.Slice; prints the sort's wall time and a checksum.
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"
)

type Rec struct{ key, id int }

func main() {
	n, _ := strconv.Atoi(os.Getenv("N"))
	xs := make([]Rec, 0)
	x := 12345
	for i := 0; i < n; i++ {
		x = (x * 48271) % 2147483647
		xs = append(xs, Rec{key: x % 1000000, id: i})
	}
	t0 := time.Now()
	sort.Slice(xs, func(i, j int) bool { return xs[i].key < xs[j].key })
	t1 := time.Now()
	fmt.Printf("sort_ms %.3f\n", float64(t1.Sub(t0).Microseconds())/1000)
	fmt.Println("check", xs[0].key, xs[n/2].key, xs[n-1].key)
}
