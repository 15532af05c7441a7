// The Go twin of tiny.tul: N goroutines each add two ints and send the sum on one channel.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func add(a, b int) int { return a + b }

func main() {
	n := 100000
	if s := os.Getenv("N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ch := make(chan int)
	for i := 0; i < n; i++ {
		go func(i int) { ch <- add(i, 1) }(i)
	}
	total := 0
	for i := 0; i < n; i++ {
		total += <-ch
	}
	fmt.Println(total)
}
