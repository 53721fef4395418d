package main

import (
	"bytes"
	"errors"
	"io"
	"time"
)

const (
	defaultMaxLine = 1 << 20 // IO-LINE-MAX: recv_line's default max_length
	readChunk      = 64 << 10
)

// transport is the byte stream under a Stream: a TCP connection or a TLS session over one.
// A zero deadline waits forever; a deadline already past is a poll (one look, no wait).
type transport interface {
	// read returns n > 0, or io.EOF, errTimeout, or the connection's error.
	read(p []byte, deadline time.Time) (int, error)
	// write writes some of p (n > 0), or returns errTimeout or the connection's error.
	write(p []byte, deadline time.Time) (int, error)
	closeWrite() error
	close() error
}

// Stream is a tcp or ssl socket: its own receive buffer and framing over a transport, so that
// nothing is lost on Timeout, EndOfStream or a line too long (IO-NOTHING-LOST).
type Stream struct {
	kind      string // "tcp" or "ssl"
	conn      transport
	tcp       *tcpTransport // the TCP connection under it (starttls hands it over)
	host      string        // as the script named it; an accepted peer's IP (D2)
	port      int64
	localHost string
	localPort int64
	timeout   wait
	tls       *tlsInfo // ssl sockets only

	buf      []byte
	eof      bool
	closed   bool
	moved    bool // upgraded by starttls: the ssl socket owns the connection
	shutRecv bool
	shutSend bool
	reset    bool
}

func (s *Stream) target() string { return target(s.host, s.port) }

func (s *Stream) ensureOpen() *Error {
	if s.moved {
		return newError("Closed", "socket to %s was upgraded by starttls: use the ssl socket", s.target())
	}
	if s.closed {
		return newError("Closed", "socket to %s is closed", s.target())
	}
	return nil
}

// callTimeout is the call's own `timeout:` when given, else the socket's.
func (s *Stream) callTimeout(opts fields) (wait, *Error) {
	return opts.wait("timeout", s.timeout, wait{forever: true})
}

func (s *Stream) resetError() *Error {
	s.reset = true
	return newError("ConnectionReset", "connection to %s was reset by the peer", s.target())
}

// more reads what is available into the buffer (at most limit bytes), waiting until the
// deadline. It answers "data", "eof" or "timeout".
func (s *Stream) more(deadline time.Time, limit int) (string, *Error) {
	if s.eof {
		return "eof", nil
	}
	if limit < 1 || limit > readChunk {
		limit = readChunk
	}
	if cap(s.buf)-len(s.buf) < limit {
		grown := make([]byte, len(s.buf), len(s.buf)+limit+len(s.buf)/2)
		copy(grown, s.buf)
		s.buf = grown
	}
	n, err := s.conn.read(s.buf[len(s.buf):len(s.buf)+limit], deadline)
	if n > 0 {
		s.buf = s.buf[:len(s.buf)+n]
		return "data", nil
	}
	switch {
	case err == errTimeout:
		return "timeout", nil
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		s.eof = true
		return "eof", nil
	case isReset(err):
		return "", s.resetError()
	case s.tls != nil:
		return "", newError("TlsError", "TLS error on %s while receiving: %v", s.target(), err)
	}
	return "", newError("ConnectionReset", "connection to %s failed while receiving: %v", s.target(), err)
}

func (s *Stream) take(n int) []byte {
	out := append([]byte(nil), s.buf[:n]...)
	s.buf = s.buf[:copy(s.buf, s.buf[n:])]
	return out
}

func checkCount(name string, n int64, min int64) *Error {
	if n < min {
		return argumentError(name, "must be an integer >= %d, got %d", min, n)
	}
	return nil
}

// recv returns 1..max_bytes bytes as soon as any are there, or empty at end of stream (IO-EOF).
func (s *Stream) recv(maxBytes int64, opts fields) ([]byte, *Error) {
	if err := checkCount("max_bytes", maxBytes, 1); err != nil {
		return nil, err
	}
	timeout, err := s.callTimeout(opts)
	if err != nil {
		return nil, err
	}
	if err := s.ensureOpen(); err != nil {
		return nil, err
	}
	if s.shutRecv {
		return []byte{}, nil
	}
	deadline := timeout.deadline(time.Now())
	for len(s.buf) == 0 {
		status, err := s.more(deadline, int(min64(maxBytes, readChunk)))
		if err != nil {
			return nil, err
		}
		if status == "eof" {
			return []byte{}, nil
		}
		if status == "timeout" {
			return nil, newError("Timeout", "recv from %s timed out", s.target())
		}
	}
	return s.take(int(min64(maxBytes, int64(len(s.buf))))), nil
}

// recvLine returns one line with its newline. A line longer than max_length raises
// ArgumentError with reason line_too_long and consumes nothing (D1, IO-LINE-MAX).
func (s *Stream) recvLine(opts fields) ([]byte, *Error) {
	timeout, err := s.callTimeout(opts)
	if err != nil {
		return nil, err
	}
	max := int64(defaultMaxLine)
	if opts.present("max_length") {
		if max, err = opts.integer("max_length", true); err != nil {
			return nil, err
		}
		if err := checkCount("max_length", max, 1); err != nil {
			return nil, err
		}
	}
	if err := s.ensureOpen(); err != nil {
		return nil, err
	}
	if s.shutRecv {
		return nil, newError("EndOfStream", "recv_line on %s: receiving was shut down", s.target())
	}
	deadline := timeout.deadline(time.Now())
	searched := 0
	for {
		if i := bytes.IndexByte(s.buf[searched:], '\n'); i >= 0 && int64(searched+i+1) <= max {
			line := s.take(searched + i + 1)
			if naive["newline"] {
				line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
			}
			return line, nil
		}
		if int64(len(s.buf)) >= max {
			return nil, &Error{Class: "ArgumentError", Reason: "line_too_long",
				Message: "line from " + s.target() + " is longer than max_length " + itoa(max) + ": nothing was consumed"}
		}
		searched = len(s.buf)
		status, err := s.more(deadline, int(min64(max-int64(len(s.buf)), readChunk)))
		if err != nil {
			return nil, err
		}
		switch status {
		case "eof":
			return nil, newError("EndOfStream", "end of stream from %s before a newline (%d bytes buffered)", s.target(), len(s.buf))
		case "timeout":
			if naive["newline"] {
				s.buf = s.buf[:0] // a reader that drops its partial line on timeout
			}
			return nil, newError("Timeout", "recv_line from %s timed out", s.target())
		}
	}
}

// recvExact returns exactly n bytes; on Timeout or EndOfStream they stay buffered.
func (s *Stream) recvExact(n int64, opts fields) ([]byte, *Error) {
	if err := checkCount("n", n, 0); err != nil {
		return nil, err
	}
	timeout, err := s.callTimeout(opts)
	if err != nil {
		return nil, err
	}
	if err := s.ensureOpen(); err != nil {
		return nil, err
	}
	if n == 0 {
		return []byte{}, nil
	}
	if s.shutRecv {
		return nil, newError("EndOfStream", "recv_exact on %s: receiving was shut down", s.target())
	}
	deadline := timeout.deadline(time.Now())
	for int64(len(s.buf)) < n {
		status, err := s.more(deadline, int(min64(n-int64(len(s.buf)), readChunk)))
		if err != nil {
			return nil, err
		}
		switch status {
		case "eof":
			return nil, newError("EndOfStream", "end of stream from %s after %d of %d bytes", s.target(), len(s.buf), n)
		case "timeout":
			return nil, newError("Timeout", "recv_exact(%d) from %s timed out with %d bytes", n, s.target(), len(s.buf))
		}
	}
	return s.take(int(n)), nil
}

func (s *Stream) checkSend() *Error {
	if err := s.ensureOpen(); err != nil {
		return err
	}
	if s.shutSend {
		return newError("Closed", "sending to %s was shut down", s.target())
	}
	if s.reset {
		return newError("ConnectionReset", "connection to %s was reset by the peer", s.target())
	}
	return nil
}

// writeSome writes part of data before the deadline and returns how much.
func (s *Stream) writeSome(data []byte, deadline time.Time) (int, *Error) {
	n, err := s.conn.write(data, deadline)
	switch {
	case n > 0:
		return n, nil
	case err == errTimeout:
		return 0, newError("Timeout", "send to %s timed out", s.target())
	case isReset(err):
		return 0, s.resetError()
	case s.tls != nil:
		return 0, newError("TlsError", "TLS error on %s while sending: %v", s.target(), err)
	}
	return 0, newError("ConnectionReset", "connection to %s failed while sending: %v", s.target(), err)
}

// send writes what fits before the socket's timeout and returns the count (TCP-SEND).
func (s *Stream) send(data []byte) (int, *Error) {
	if err := s.checkSend(); err != nil {
		return 0, err
	}
	if len(data) == 0 {
		return 0, nil
	}
	return s.writeSome(data, s.timeout.deadline(time.Now()))
}

// sendAll writes everything, all of it within the socket's timeout (TCP-SEND-ALL, D18).
func (s *Stream) sendAll(data []byte) *Error {
	if err := s.checkSend(); err != nil {
		return err
	}
	deadline := s.timeout.deadline(time.Now())
	for len(data) > 0 {
		n, err := s.writeSome(data, deadline)
		if err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// shutdown half-closes (D4): :recv drops the buffer and every read then reports the end;
// :send sends the FIN and later writes raise Closed. Twice is not an error.
func (s *Stream) shutdown(direction string) *Error {
	var read, write bool
	switch direction {
	case ":send", "send":
		write = true
	case ":recv", "recv":
		read = true
	case ":both", "both":
		read, write = true, true
	default:
		return argumentError("direction", "must be :send, :recv or :both, got %q", direction)
	}
	if err := s.ensureOpen(); err != nil {
		return err
	}
	if read {
		s.shutRecv = true
		s.buf = nil
	}
	if write && !s.shutSend {
		s.shutSend = true
		_ = s.conn.closeWrite()
	}
	return nil
}

// close is idempotent (IO-CLOSE-IDEMPOTENT); an ssl socket sends close_notify first (D14).
func (s *Stream) close() {
	if s.closed {
		return
	}
	s.closed = true
	s.buf = nil
	if !s.moved {
		_ = s.conn.close()
	}
}

func (s *Stream) get(property string) (interface{}, *Error) {
	switch property {
	case "host":
		return valueStr(s.host), nil
	case "port":
		return valueInt(s.port), nil
	case "local_host":
		return valueStr(s.localHost), nil
	case "local_port":
		return valueInt(s.localPort), nil
	case "connected":
		return valueBool(!s.closed && !s.moved), nil
	case "timeout":
		return s.timeout.value(), nil
	}
	if s.tls != nil {
		if v, ok := s.tls.get(property); ok {
			return v, nil
		}
	}
	return nil, argumentError("property", "%s is not a property of a %s socket", property, s.kind)
}

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}
