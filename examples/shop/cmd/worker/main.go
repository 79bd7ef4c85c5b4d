// Command worker is the shop's queue worker: it serves nothing, and answers its health and
// metrics on METRICS_PORT. Its health fails when the work loop stalls. With -once it drains
// the queue once and exits, as the shop's CronJob runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"sync/atomic"
	"time"

	"example.com/shop/internal/serve"
)

func main() {
	queue := flag.String("queue", "default", "the queue to consume")
	interval := flag.Duration("interval", time.Second, "how often to poll the queue")
	once := flag.Bool("once", false, "drain the queue once and exit (a CronJob run) instead of serving")
	flag.Parse()
	if *once {
		log.Printf("drained %q once", *queue)
		return
	}

	var processed atomic.Int64
	var lastTick atomic.Int64
	lastTick.Store(time.Now().UnixNano())
	health := &serve.Health{}

	metrics := http.NewServeMux()
	metrics.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if stalled := time.Since(time.Unix(0, lastTick.Load())); stalled > 3**interval {
			http.Error(w, fmt.Sprintf("work loop stalled for %s", stalled), http.StatusServiceUnavailable)
			return
		}
		health.ServeHTTP(w, r)
	})
	metrics.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "# TYPE shop_worker_processed_total counter\nshop_worker_processed_total{queue=%q} %d\n", *queue, processed.Load())
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		log.Printf("consuming %q every %s", *queue, *interval)
		for t := time.NewTicker(*interval); ; {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				processed.Add(1)
				lastTick.Store(time.Now().UnixNano())
			}
		}
	}()
	serve.Run(ctx, func() { health.Drain(); cancel() }, serve.Server(":"+serve.Getenv("METRICS_PORT", "9090"), metrics))
}
