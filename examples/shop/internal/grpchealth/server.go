// Package grpchealth serves the standard gRPC health service, grpc.health.v1.Health/Check,
// over h2c (HTTP/2 without TLS, prior knowledge) with the standard library and the vendored
// golang.org/x/net/http2/hpack: enough for the kubelet's native gRPC probe and any gRPC
// client's health check, nothing more.
//
// One goroutine per connection reads frames and answers each request when its stream ends.
// Health/Watch and every other method answer UNIMPLEMENTED. Requests are tiny, so flow
// control only has to give the client its window back.
package grpchealth

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"

	"golang.org/x/net/http2/hpack"
)

// ServingStatus is grpc.health.v1.HealthCheckResponse.ServingStatus.
type ServingStatus int32

// The statuses a service can have.
const (
	Unknown    ServingStatus = 0
	Serving    ServingStatus = 1
	NotServing ServingStatus = 2
)

// CheckPath is the HTTP/2 :path of Health/Check.
const CheckPath = "/grpc.health.v1.Health/Check"

// gRPC status codes the server answers with.
const (
	codeOK            = 0
	codeNotFound      = 5
	codeUnimplemented = 12
	codeInternal      = 13
)

// Server answers health checks with the status set for each service; "" is the whole server.
type Server struct {
	mu     sync.Mutex
	status map[string]ServingStatus
}

// NewServer returns a server whose overall status ("") is SERVING.
func NewServer() *Server {
	return &Server{status: map[string]ServingStatus{"": Serving}}
}

// SetServingStatus sets the status of a service ("" for the whole server).
func (s *Server) SetServingStatus(service string, status ServingStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[service] = status
}

func (s *Server) lookup(service string) (ServingStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.status[service]
	return st, ok
}

// Serve accepts connections until the listener is closed.
func (s *Server) Serve(l net.Listener) error {
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go func() {
			defer c.Close()
			_ = s.ServeConn(c)
		}()
	}
}

type stream struct {
	path string
	body []byte
}

// ServeConn speaks HTTP/2 on one connection until the client goes away.
func (s *Server) ServeConn(c io.ReadWriter) error {
	r := bufio.NewReader(c)
	preface := make([]byte, len(clientPreface))
	if _, err := io.ReadFull(r, preface); err != nil {
		return err
	}
	if string(preface) != clientPreface {
		return errors.New("not an HTTP/2 prior-knowledge connection")
	}
	w := bufio.NewWriter(c)
	if err := writeFrame(w, frameSettings, 0, 0, nil); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	conn := &connection{server: s, w: w, streams: map[uint32]*stream{}}
	conn.dec = hpack.NewDecoder(4096, nil)
	for {
		f, err := readFrame(r)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		done, err := conn.handle(f)
		if err == nil {
			err = w.Flush()
		}
		if err != nil || done {
			return err
		}
	}
}

type connection struct {
	server  *Server
	w       *bufio.Writer
	dec     *hpack.Decoder
	streams map[uint32]*stream
	// headerBlock collects a HEADERS frame's block until END_HEADERS.
	headerBlock []byte
	headerFlags byte
	headerID    uint32
}

// handle reacts to one frame; done is true when the client said goodbye.
func (c *connection) handle(f frame) (done bool, err error) {
	switch f.typ {
	case frameSettings:
		if f.flags&flagAck == 0 {
			return false, writeFrame(c.w, frameSettings, flagAck, 0, nil)
		}
	case framePing:
		if f.flags&flagAck == 0 {
			return false, writeFrame(c.w, framePing, flagAck, 0, f.payload)
		}
	case frameHeaders:
		block, err := unpad(f)
		if err != nil {
			return true, err
		}
		c.headerBlock, c.headerFlags, c.headerID = append([]byte(nil), block...), f.flags, f.streamID
		if f.flags&flagEndHeaders != 0 {
			return false, c.endHeaders()
		}
	case frameContinuation:
		if f.streamID != c.headerID {
			return true, errors.New("CONTINUATION for another stream")
		}
		c.headerBlock = append(c.headerBlock, f.payload...)
		if f.flags&flagEndHeaders != 0 {
			return false, c.endHeaders()
		}
	case frameData:
		data, err := unpad(f)
		if err != nil {
			return true, err
		}
		if len(f.payload) > 0 {
			// Give the window back, to the connection and the stream.
			if err := c.windowUpdate(0, len(f.payload)); err != nil {
				return true, err
			}
			if err := c.windowUpdate(f.streamID, len(f.payload)); err != nil {
				return true, err
			}
		}
		st := c.streams[f.streamID]
		if st == nil {
			return false, nil
		}
		st.body = append(st.body, data...)
		if f.flags&flagEndStream != 0 {
			return false, c.respond(f.streamID)
		}
	case frameRSTStream:
		delete(c.streams, f.streamID)
	case frameGoAway:
		return true, nil
	}
	return false, nil
}

func (c *connection) endHeaders() error {
	fields, err := c.dec.DecodeFull(c.headerBlock)
	if err != nil {
		return err
	}
	st := &stream{}
	for _, hf := range fields {
		if hf.Name == ":path" {
			st.path = hf.Value
		}
	}
	c.streams[c.headerID] = st
	if c.headerFlags&flagEndStream != 0 {
		return c.respond(c.headerID)
	}
	return nil
}

func (c *connection) windowUpdate(streamID uint32, n int) error {
	return writeFrame(c.w, frameWindowUpdate, 0, streamID, []byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// respond answers a request whose stream the client has ended.
func (c *connection) respond(id uint32) error {
	st := c.streams[id]
	delete(c.streams, id)
	if st.path != CheckPath {
		return c.trailersOnly(id, codeUnimplemented, "unknown method "+st.path)
	}
	service, err := decodeCheckRequest(st.body)
	if err != nil {
		return c.trailersOnly(id, codeInternal, err.Error())
	}
	status, ok := c.server.lookup(service)
	if !ok {
		return c.trailersOnly(id, codeNotFound, "unknown service")
	}
	if err := c.headers(id, 0, ":status", "200", "content-type", "application/grpc"); err != nil {
		return err
	}
	if err := writeFrame(c.w, frameData, 0, id, encodeCheckResponse(status)); err != nil {
		return err
	}
	return c.headers(id, flagEndStream, "grpc-status", strconv.Itoa(codeOK))
}

// trailersOnly is a gRPC answer without a message: one HEADERS frame that ends the stream.
func (c *connection) trailersOnly(id uint32, code int, message string) error {
	return c.headers(id, flagEndStream, ":status", "200", "content-type", "application/grpc",
		"grpc-status", strconv.Itoa(code), "grpc-message", percentEncode(message))
}

func (c *connection) headers(id uint32, flags byte, pairs ...string) error {
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for i := 0; i < len(pairs); i += 2 {
		if err := enc.WriteField(hpack.HeaderField{Name: pairs[i], Value: pairs[i+1]}); err != nil {
			return err
		}
	}
	return writeFrame(c.w, frameHeaders, flags|flagEndHeaders, id, block.Bytes())
}

// percentEncode encodes a grpc-message as the gRPC HTTP/2 protocol asks.
func percentEncode(s string) string {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < 0x20 || ch > 0x7e || ch == '%' {
			b.WriteString("%" + strconv.FormatUint(uint64(ch)|0x100, 16)[1:])
		} else {
			b.WriteByte(ch)
		}
	}
	return b.String()
}
