package grpchealth

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// HTTP/2 frame types and flags (RFC 9113, section 6) that the health server reads or writes.
const (
	frameData         = 0x0
	frameHeaders      = 0x1
	frameRSTStream    = 0x3
	frameSettings     = 0x4
	framePing         = 0x6
	frameGoAway       = 0x7
	frameWindowUpdate = 0x8
	frameContinuation = 0x9

	flagAck        = 0x1
	flagEndStream  = 0x1
	flagEndHeaders = 0x4
	flagPadded     = 0x8
	flagPriority   = 0x20

	// maxFrameSize is the default SETTINGS_MAX_FRAME_SIZE; the server never raises it.
	maxFrameSize = 16384
)

// clientPreface opens every HTTP/2 connection (RFC 9113, section 3.4).
const clientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

type frame struct {
	typ      byte
	flags    byte
	streamID uint32
	payload  []byte
}

// readFrame reads one frame: a 9-byte header (24-bit length, type, flags, 31-bit stream id)
// and its payload.
func readFrame(r io.Reader) (frame, error) {
	var h [9]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return frame{}, err
	}
	length := uint32(h[0])<<16 | uint32(h[1])<<8 | uint32(h[2])
	if length > maxFrameSize {
		return frame{}, fmt.Errorf("frame of %d bytes is above the maximum frame size", length)
	}
	f := frame{typ: h[3], flags: h[4], streamID: binary.BigEndian.Uint32(h[5:]) & 0x7fffffff, payload: make([]byte, length)}
	_, err := io.ReadFull(r, f.payload)
	return f, err
}

// writeFrame writes one frame.
func writeFrame(w io.Writer, typ, flags byte, streamID uint32, payload []byte) error {
	h := [9]byte{byte(len(payload) >> 16), byte(len(payload) >> 8), byte(len(payload)), typ, flags}
	binary.BigEndian.PutUint32(h[5:], streamID&0x7fffffff)
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write(payload)
	return err
}

// unpad strips the padding of a DATA or HEADERS frame, and a HEADERS frame's priority fields.
func unpad(f frame) ([]byte, error) {
	p := f.payload
	pad := 0
	if f.flags&flagPadded != 0 {
		if len(p) < 1 {
			return nil, errors.New("padded frame without a pad length")
		}
		pad = int(p[0])
		p = p[1:]
	}
	if f.typ == frameHeaders && f.flags&flagPriority != 0 {
		if len(p) < 5 {
			return nil, errors.New("HEADERS frame too short for its priority fields")
		}
		p = p[5:]
	}
	if pad > len(p) {
		return nil, errors.New("padding longer than the payload")
	}
	return p[:len(p)-pad], nil
}
