package grpchealth

import (
	"encoding/binary"
	"errors"
)

// decodeCheckRequest reads a length-prefixed gRPC message holding a HealthCheckRequest
// (field 1: string service) and returns the service. Unknown fields are skipped.
func decodeCheckRequest(body []byte) (string, error) {
	if len(body) < 5 {
		return "", errors.New("request shorter than a gRPC message prefix")
	}
	if body[0] != 0 {
		return "", errors.New("compressed requests are not supported")
	}
	n := binary.BigEndian.Uint32(body[1:5])
	msg := body[5:]
	if uint32(len(msg)) != n {
		return "", errors.New("request length does not match its prefix")
	}
	service := ""
	for len(msg) > 0 {
		key, k := binary.Uvarint(msg)
		if k <= 0 {
			return "", errors.New("bad field key")
		}
		msg = msg[k:]
		switch key & 7 {
		case 0: // varint
			_, k = binary.Uvarint(msg)
			if k <= 0 {
				return "", errors.New("bad varint")
			}
			msg = msg[k:]
		case 2: // length-delimited
			l, k := binary.Uvarint(msg)
			if k <= 0 || uint64(len(msg)-k) < l {
				return "", errors.New("bad length")
			}
			if key>>3 == 1 {
				service = string(msg[k : k+int(l)])
			}
			msg = msg[k+int(l):]
		default:
			return "", errors.New("unexpected wire type")
		}
	}
	return service, nil
}

// encodeCheckResponse is a length-prefixed HealthCheckResponse (field 1: enum status).
func encodeCheckResponse(status ServingStatus) []byte {
	var msg []byte
	if status != 0 {
		msg = binary.AppendUvarint([]byte{0x08}, uint64(status))
	}
	out := make([]byte, 5, 5+len(msg))
	binary.BigEndian.PutUint32(out[1:5], uint32(len(msg)))
	return append(out, msg...)
}
