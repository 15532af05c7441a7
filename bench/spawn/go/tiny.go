// The Go twin of tiny.tul: N goroutines each add two ints; the sums come back on one channel, or
// with MODE=wg into a slice the main goroutine reads after a sync.WaitGroup.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

func add(a, b int) int { return a + b }

func main() {
	n := 100000
	if s := os.Getenv("N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	total := 0
	if os.Getenv("MODE") == "wg" {
		sums := make([]int, n)
		var wg sync.WaitGroup
		wg.Add(n)
		for i := 0; i < n; i++ {
			go func(i int) { sums[i] = add(i, 1); wg.Done() }(i)
		}
		wg.Wait()
		for _, s := range sums {
			total += s
		}
	} else {
		ch := make(chan int)
		for i := 0; i < n; i++ {
			go func(i int) { ch <- add(i, 1) }(i)
		}
		for i := 0; i < n; i++ {
			total += <-ch
		}
	}
	fmt.Println(total)
}
