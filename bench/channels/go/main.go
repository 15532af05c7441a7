// Go twins of the channel benchmarks (bench/channels/run.mjs): go run . <pingpong|buffered|select|idle>,
// N from the environment; run with GOMAXPROCS=1.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func count(def int) int {
	if s := os.Getenv("N"); s != "" {
		n, _ := strconv.Atoi(s)
		return n
	}
	return def
}

func pingpong(n int) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			v := <-ping
			pong <- v + 1
		}
	}()
	v := 0
	for i := 0; i < n; i++ {
		ping <- v
		v = <-pong
	}
	fmt.Println(v)
}

func buffered(n int) {
	ch := make(chan int, 128)
	go func() {
		for i := 0; i < n; i++ {
			ch <- i
		}
		close(ch)
	}()
	total := 0
	for v := range ch {
		total += v
	}
	fmt.Println(total)
}

func selects(n int) {
	a, b := make(chan int, 1), make(chan int, 1)
	wa, wb := 0, 0
	for i := 0; i < n; i++ {
		if len(a) == 0 {
			a <- i
		}
		if len(b) == 0 {
			b <- i
		}
		select {
		case <-a:
			wa++
		case <-b:
			wb++
		}
	}
	fmt.Println(wa + wb)
}

func idle(n int) {
	chans := []chan int{}
	for i := 0; i < n; i++ {
		chans = append(chans, make(chan int))
	}
	fmt.Println(len(chans))
}

func main() {
	switch os.Args[1] {
	case "pingpong":
		pingpong(count(1000000))
	case "buffered":
		buffered(count(10000000))
	case "select":
		selects(count(1000000))
	case "idle":
		idle(count(1000000))
	}
}
