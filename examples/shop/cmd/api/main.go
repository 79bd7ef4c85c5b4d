// Command api is the shop's HTTP API: it serves on PORT, exports Prometheus metrics
// (github.com/prometheus/client_golang) on METRICS_PORT and reads its signing key from a file
// mounted from a Secret (`/` reports whether it could).
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"example.com/shop/internal/serve"
)

var requests = promauto.NewCounter(prometheus.CounterOpts{
	Name: "shop_api_requests_total",
	Help: "Requests the API answered.",
})

func main() {
	health := &serve.Health{}
	keyFile := serve.Getenv("SIGNING_KEY_FILE", "/etc/shop/signing/key")

	mux := http.NewServeMux()
	mux.Handle("/health", health)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		requests.Inc()
		key, err := os.ReadFile(keyFile)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"service": "api", "signingKey": err == nil && len(key) > 0})
	})
	metrics := http.NewServeMux()
	metrics.Handle("/health", health)
	metrics.Handle("/metrics", promhttp.Handler())
	serve.Run(context.Background(), health.Drain,
		serve.Server(":"+serve.Getenv("PORT", "8080"), mux),
		serve.Server(":"+serve.Getenv("METRICS_PORT", "9090"), metrics))
}

