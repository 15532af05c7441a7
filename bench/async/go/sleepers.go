// sleepers.go: the Go reference for the async targets. N goroutines each sleep 10 ms and are all
// waited for; or (MODE=yield) 1,000 goroutines each yield 1,000 times. Prints wall ms and peak RSS.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func main() {
	n := 100000
	if s := os.Getenv("TASKS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	t0 := time.Now()
	var wg sync.WaitGroup
	if os.Getenv("MODE") == "yield" {
		for i := 0; i < 1000; i++ {
			wg.Add(1)
			go func() {
				for j := 0; j < 1000; j++ {
					runtime.Gosched()
				}
				wg.Done()
			}()
		}
	} else {
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() { time.Sleep(10 * time.Millisecond); wg.Done() }()
		}
	}
	wg.Wait()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("go: %.1f ms, peak RSS %d KiB\n", float64(time.Since(t0).Microseconds())/1000, ru.Maxrss)
}
