// Package serve runs the shop's servers the way Kubernetes expects: serve until SIGTERM,
// report unhealthy and keep serving while the endpoints drop the pod, then stop.
package serve

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// Health is what /health answers: 200 until draining starts, 503 after.
type Health struct{ draining atomic.Bool }

// ServeHTTP answers the health check.
func (h *Health) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	if h.draining.Load() {
		http.Error(w, "draining", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// Drain makes the health check fail from now on.
func (h *Health) Drain() { h.draining.Store(true) }

// Getenv returns the variable, or def when it is unset or empty.
func Getenv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Server builds an http.Server with a header timeout.
func Server(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
}

// Run serves every server until SIGTERM (or ctx ends), then calls drain, waits DRAIN_DELAY
// (default 5s) and shuts the servers down.
func Run(ctx context.Context, drain func(), servers ...*http.Server) {
	delay, err := time.ParseDuration(Getenv("DRAIN_DELAY", "5s"))
	if err != nil {
		log.Fatalf("DRAIN_DELAY: %v", err)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	for _, s := range servers {
		s := s
		go func() {
			log.Printf("listening on %s", s.Addr)
			if err := s.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Fatal(err)
			}
		}()
	}
	<-ctx.Done()
	drain()
	log.Printf("draining for %s", delay)
	time.Sleep(delay)
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(shutdown)
	}
	log.Print("shut down")
}
