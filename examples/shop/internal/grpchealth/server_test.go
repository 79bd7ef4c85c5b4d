package grpchealth

import (
	"bytes"
	"net"
	"testing"

	"golang.org/x/net/http2/hpack"
)

// call sends one request on a fresh connection, as a gRPC client does, and returns the
// response's messages and its trailers.
func call(t *testing.T, s *Server, path string, body []byte) (data []byte, trailers map[string]string) {
	t.Helper()
	client, server := net.Pipe()
	defer client.Close()
	go func() { _ = s.ServeConn(server) }()

	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":path", path}, {":authority", "x"}, {"content-type", "application/grpc"}, {"te", "trailers"}} {
		_ = enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	go func() {
		_, _ = client.Write([]byte(clientPreface))
		_ = writeFrame(client, frameSettings, 0, 0, nil)
		_ = writeFrame(client, frameHeaders, flagEndHeaders, 1, block.Bytes())
		_ = writeFrame(client, frameData, flagEndStream, 1, body)
	}()

	dec := hpack.NewDecoder(4096, nil)
	trailers = map[string]string{}
	for {
		f, err := readFrame(client)
		if err != nil {
			t.Fatalf("reading a frame: %v", err)
		}
		switch {
		case f.typ == frameData && f.streamID == 1:
			data = append(data, f.payload...)
		case f.typ == frameHeaders && f.streamID == 1:
			fields, err := dec.DecodeFull(f.payload)
			if err != nil {
				t.Fatal(err)
			}
			for _, hf := range fields {
				trailers[hf.Name] = hf.Value
			}
			if f.flags&flagEndStream != 0 {
				return data, trailers
			}
		}
	}
}

func request(service string) []byte {
	msg := []byte{}
	if service != "" {
		msg = append([]byte{0x0a, byte(len(service))}, service...)
	}
	return append([]byte{0, 0, 0, 0, byte(len(msg))}, msg...)
}

func TestCheckAnswersServing(t *testing.T) {
	data, trailers := call(t, NewServer(), CheckPath, request(""))
	if trailers["grpc-status"] != "0" || trailers["content-type"] != "application/grpc" {
		t.Fatalf("headers and trailers: %v", trailers)
	}
	if !bytes.Equal(data, []byte{0, 0, 0, 0, 2, 0x08, 0x01}) {
		t.Fatalf("response message: % x", data)
	}
}

func TestCheckAnswersTheStatusOfANamedService(t *testing.T) {
	s := NewServer()
	s.SetServingStatus("shop.v1.Catalog", NotServing)
	data, trailers := call(t, s, CheckPath, request("shop.v1.Catalog"))
	if trailers["grpc-status"] != "0" || !bytes.Equal(data, []byte{0, 0, 0, 0, 2, 0x08, 0x02}) {
		t.Fatalf("got % x, %v", data, trailers)
	}
}

func TestCheckOfAnUnknownServiceIsNotFound(t *testing.T) {
	_, trailers := call(t, NewServer(), CheckPath, request("nope"))
	if trailers["grpc-status"] != "5" {
		t.Fatalf("trailers: %v", trailers)
	}
}

func TestOtherMethodsAreUnimplemented(t *testing.T) {
	_, trailers := call(t, NewServer(), "/grpc.health.v1.Health/Watch", request(""))
	if trailers["grpc-status"] != "12" {
		t.Fatalf("trailers: %v", trailers)
	}
}
