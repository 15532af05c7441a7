// bench/cancel/go: the errgroup pattern with the standard library only: 100,000 goroutines
// blocked in select on ctx.Done() and a timer; one returns an error after 10 ms, which cancels
// the context; Wait returns once every goroutine has returned. Prints the time from start to the
// error, in ms.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

type group struct {
	wg     sync.WaitGroup
	once   sync.Once
	err    error
	cancel context.CancelFunc
}

func (g *group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.once.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}

func main() {
	n := 100000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	t0 := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	g := &group{cancel: cancel}
	for i := 0; i < n; i++ {
		g.Go(func() error {
			t := time.NewTimer(1000 * time.Second)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		})
	}
	g.Go(func() error {
		time.Sleep(10 * time.Millisecond)
		return errors.New("failed")
	})
	err := g.Wait()
	fmt.Printf("%.1f ms %v\n", float64(time.Since(t0).Microseconds())/1000, err)
}
