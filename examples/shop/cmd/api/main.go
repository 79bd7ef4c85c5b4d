// Command api is the shop's HTTP API: it serves on PORT, exposes metrics on METRICS_PORT and
// reads its signing key from a file mounted from a Secret (`/` reports whether it could).
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"sync/atomic"

	"example.com/shop/internal/serve"
)

func main() {
	health := &serve.Health{}
	var requests atomic.Int64
	keyFile := serve.Getenv("SIGNING_KEY_FILE", "/etc/shop/signing/key")

	mux := http.NewServeMux()
	mux.Handle("/health", health)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		key, err := os.ReadFile(keyFile)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"service": "api", "signingKey": err == nil && len(key) > 0})
	})
	metrics := http.NewServeMux()
	metrics.Handle("/health", health)
	metrics.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("# TYPE shop_api_requests_total counter\nshop_api_requests_total " + itoa(requests.Load()) + "\n"))
	})
	serve.Run(context.Background(), health.Drain,
		serve.Server(":"+serve.Getenv("PORT", "8080"), mux),
		serve.Server(":"+serve.Getenv("METRICS_PORT", "9090"), metrics))
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
