// Command grpc is the shop's gRPC service. It serves the standard health service
// (grpc.health.v1, from google.golang.org/grpc) on PORT, which the kubelet's native gRPC
// probe asks. On SIGTERM it reports NOT_SERVING, keeps serving for DRAIN_DELAY while the
// endpoints drop the pod, then stops gracefully.
package main

import (
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"example.com/shop/internal/serve"
)

func main() {
	delay, err := time.ParseDuration(serve.Getenv("DRAIN_DELAY", "5s"))
	if err != nil {
		log.Fatalf("DRAIN_DELAY: %v", err)
	}
	l, err := net.Listen("tcp", ":"+serve.Getenv("PORT", "8080"))
	if err != nil {
		log.Fatal(err)
	}
	server := grpc.NewServer()
	status := health.NewServer()
	status.SetServingStatus("shop.v1.Catalog", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(server, status)
	go func() {
		log.Printf("gRPC health on %s", l.Addr())
		if err := server.Serve(l); err != nil {
			log.Fatal(err)
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	status.Shutdown() // every service NOT_SERVING from now on
	log.Printf("draining for %s", delay)
	time.Sleep(delay)
	server.GracefulStop()
	log.Print("shut down")
}
