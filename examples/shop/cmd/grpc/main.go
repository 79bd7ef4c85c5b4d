// Command grpc is the shop's gRPC service. It serves the standard health service
// (grpc.health.v1) on PORT over h2c, which the kubelet's native gRPC probe asks.
package main

import (
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/shop/internal/grpchealth"
	"example.com/shop/internal/serve"
)

func main() {
	delay, err := time.ParseDuration(serve.Getenv("DRAIN_DELAY", "5s"))
	if err != nil {
		log.Fatalf("DRAIN_DELAY: %v", err)
	}
	health := grpchealth.NewServer()
	health.SetServingStatus("shop.v1.Catalog", grpchealth.Serving)
	l, err := net.Listen("tcp", ":"+serve.Getenv("PORT", "8080"))
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		log.Printf("gRPC health on %s", l.Addr())
		if err := health.Serve(l); err != nil {
			log.Fatal(err)
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	health.SetServingStatus("", grpchealth.NotServing)
	health.SetServingStatus("shop.v1.Catalog", grpchealth.NotServing)
	log.Printf("draining for %s", delay)
	time.Sleep(delay)
	_ = l.Close()
	log.Print("shut down")
}
