package auth

import "sync"

// together runs fn(0) … fn(n-1), each in its own goroutine, released at
// once so that they overlap, and returns when all have. The tests that use
// it check the auth state that concurrent requests share; make test runs
// them under the race detector (docs/testing.md).
func together(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}
