// Copyright 2026 The acme_exporter Authors
// SPDX-License-Identifier: Apache-2.0

// Command flood opens many connections to an HTTP server and holds them
// the way a hostile client would: idle (connect, send nothing) or
// slowloris (send a request line, then one header byte every few seconds).
// It prints "ready" once every connection was attempted, then, when -hold
// ends, one summary line: attempted, opened, failed, closed by the server.
// scripts/flood.sh and the exporter's tests use it.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:10190", "server address")
	n := flag.Int("n", 20000, "connections")
	mode := flag.String("mode", "idle", "idle or slowloris")
	hold := flag.Duration("hold", 30*time.Second, "how long to hold the connections")
	every := flag.Duration("every", 2*time.Second, "slowloris: interval between header bytes")
	sources := flag.Int("sources", 64, "spread connections over this many 127.0.0.x source addresses (0: let the kernel pick)")
	flag.Parse()
	if *mode != "idle" && *mode != "slowloris" {
		fmt.Fprintln(os.Stderr, "flood: -mode must be idle or slowloris")
		os.Exit(2)
	}
	raiseNofile(uint64(*n) + 256)

	var opened, failed, closed atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	sem := make(chan struct{}, 256) // dials in flight
	for i := 0; i < *n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			d := net.Dialer{Timeout: 5 * time.Second}
			if *sources > 0 {
				k := i % *sources
				d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, byte(1+k/250), byte(2+k%250))}
			}
			c, err := d.Dial("tcp", *addr)
			<-sem
			if err != nil {
				failed.Add(1)
				return
			}
			opened.Add(1)
			defer c.Close()
			done := make(chan struct{})
			go func() { // notices the server closing the connection
				b := make([]byte, 512)
				for {
					if _, err := c.Read(b); err != nil {
						closed.Add(1)
						close(done)
						return
					}
				}
			}()
			if *mode == "slowloris" {
				if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n")); err != nil {
					return
				}
				t := time.NewTicker(*every)
				defer t.Stop()
				for {
					select {
					case <-t.C:
						if _, err := c.Write([]byte("X")); err != nil {
							return
						}
					case <-done:
						return
					case <-stop:
						return
					}
				}
			}
			select {
			case <-done:
			case <-stop:
			}
		}(i)
	}
	for i := 0; i < cap(sem); i++ { // every dial has ended
		sem <- struct{}{}
	}
	fmt.Printf("ready attempted=%d opened=%d failed=%d\n", *n, opened.Load(), failed.Load())
	time.Sleep(*hold)
	fmt.Printf("summary attempted=%d opened=%d failed=%d closed_by_server=%d\n", *n, opened.Load(), failed.Load(), closed.Load())
	close(stop)
}

// raiseNofile lifts the fd limit so one process can hold want connections
// (the hard limit too when running as root).
func raiseNofile(want uint64) {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) != nil {
		return
	}
	if r.Max < want {
		r.Max = want
	}
	r.Cur = r.Max
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r) != nil {
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
		r.Cur = r.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	}
}
