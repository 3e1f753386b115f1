// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// rt-go-exit: a Go program that ends as containerd-shim and runc do under
// dockerd: its goroutines start children (on whichever threads the runtime
// runs them), and the program exits (os.Exit: exit_group) while they live.
// For the go_exit_group scenario (tests/scenarios_threads.c).
//
// Usage: rt-go-exit N. Starts N children, /bin/cat with fd 3 as stdin
// (they exit at its end of file), writes their pids to stdout, one a line,
// then "ready" once goroutines spin on every P. Then it spins until fd 4
// reads a byte or its end of file (non-blocking: no call blocks, so the
// runtime seldom starts a thread from here on) and exits 0.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func main() {
	n, err := strconv.Atoi(os.Args[len(os.Args)-1])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "usage: rt-go-exit N")
		os.Exit(2)
	}
	release := os.NewFile(3, "release")
	pids := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := exec.Command("/bin/cat")
			cmd.Stdin = release
			if err := cmd.Start(); err != nil {
				fmt.Fprintln(os.Stderr, "rt-go-exit:", err)
				os.Exit(1)
			}
			pids[i] = cmd.Process.Pid
		}(i)
	}
	wg.Wait()
	for _, pid := range pids {
		fmt.Println(pid)
	}
	var spinning sync.WaitGroup
	for i := 1; i < runtime.GOMAXPROCS(0); i++ { // and the main goroutine: every P
		spinning.Add(1)
		go func() {
			spinning.Done()
			for {
			}
		}()
	}
	spinning.Wait()
	fmt.Println("ready")
	if err := syscall.SetNonblock(4, true); err != nil {
		os.Exit(1)
	}
	buf := make([]byte, 1)
	for {
		// A byte, or the end of file: the harness is gone.
		if k, err := syscall.Read(4, buf); k >= 0 && err == nil {
			break
		}
	}
	for t0 := time.Now(); time.Since(t0) < 2*time.Millisecond; {
	}
	os.Exit(0)
}
