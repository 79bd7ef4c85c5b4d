// Command hello is the example service goship ships: a small HTTP server that reports its
// version, the user it runs as and whether the runtime files a Go program expects are there.
package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// version is set at build time: go build -ldflags "-X main.version=<tag>".
var version = "dev"

func main() {
	addr := ":" + getenv("PORT", "8080")
	drainDelay, err := time.ParseDuration(getenv("DRAIN_DELAY", "5s"))
	if err != nil {
		log.Fatalf("DRAIN_DELAY: %v", err)
	}
	var draining atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		if draining.Load() {
			http.Error(w, "draining", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(report())
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	// Kubernetes sends SIGTERM and keeps routing traffic here for a moment while the endpoints
	// update. Fail readiness and keep serving for DRAIN_DELAY, then stop accepting, finish
	// what is in flight and exit: no request is refused during a rollout.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		log.Printf("hello %s listening on %s", version, addr)
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	<-ctx.Done()
	draining.Store(true)
	log.Printf("draining for %s", drainDelay)
	time.Sleep(drainDelay)
	log.Print("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Printf("shutdown: %v", err)
	}
}

type status struct {
	Version  string `json:"version"`
	UID      int    `json:"uid"`
	GID      int    `json:"gid"`
	TLSRoots bool   `json:"tlsRoots"`
	Zoneinfo bool   `json:"zoneinfo"`
	Greeting string `json:"greeting"`
}

func report() status {
	pool, err := x509.SystemCertPool()
	//nolint:staticcheck // Subjects is the only way to count roots on Go 1.19.
	roots := err == nil && len(pool.Subjects()) > 0
	_, tzErr := time.LoadLocation("Europe/Berlin")
	return status{
		Version:  version,
		UID:      os.Getuid(),
		GID:      os.Getgid(),
		TLSRoots: roots,
		Zoneinfo: tzErr == nil,
		Greeting: getenv("GREETING", "hello"),
	}
}

func getenv(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
