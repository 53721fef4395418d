package main

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

// errTimeout is a transport's "the deadline passed"; a net.Error that is temporary, so that
// crypto/tls keeps its state across it.
var errTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// isReset: OS errors with no class of their own (reset, broken pipe, aborted) are
// ConnectionReset (D6).
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, net.ErrClosed)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// tcpTransport is a TCP connection read and written with Caspian's timeouts. Go's deadlines
// refuse to even try once passed, so a poll (deadline already past) is one non-blocking system
// call on the descriptor instead.
type tcpTransport struct {
	c  *net.TCPConn
	rc syscall.RawConn
}

func newTCPTransport(c *net.TCPConn) (*tcpTransport, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &tcpTransport{c: c, rc: rc}, nil
}

func isPoll(deadline time.Time) bool {
	return !deadline.IsZero() && !time.Now().Before(deadline)
}

// readOnce runs one non-blocking read system call on the descriptor (a poll).
func (t *tcpTransport) readOnce(call func(fd int) (int, error)) (int, error) {
	var n int
	var err error
	if rawErr := t.rc.Read(func(fd uintptr) bool {
		for {
			n, err = call(int(fd))
			if err != syscall.EINTR {
				return true
			}
		}
	}); rawErr != nil {
		return 0, rawErr
	}
	if err == syscall.EAGAIN {
		return 0, errTimeout
	}
	if err != nil {
		return 0, os.NewSyscallError("syscall", err)
	}
	return n, nil
}

func (t *tcpTransport) read(p []byte, deadline time.Time) (int, error) {
	if isPoll(deadline) {
		_ = t.c.SetReadDeadline(time.Time{})
		n, err := t.readOnce(func(fd int) (int, error) { return syscall.Read(fd, p) })
		if err == nil && n == 0 {
			return 0, io.EOF
		}
		return n, err
	}
	_ = t.c.SetReadDeadline(deadline)
	n, err := t.c.Read(p)
	if n == 0 && isTimeout(err) {
		return 0, errTimeout
	}
	return n, err
}

// write makes one write(2) of p: whatever the kernel takes, waiting for room until the deadline
// (net.Conn.Write would insist on writing everything).
func (t *tcpTransport) write(p []byte, deadline time.Time) (int, error) {
	poll := isPoll(deadline)
	if poll {
		_ = t.c.SetWriteDeadline(time.Time{})
	} else {
		_ = t.c.SetWriteDeadline(deadline)
	}
	var n int
	var err error
	rawErr := t.rc.Write(func(fd uintptr) bool {
		if poll && !writable(int(fd)) {
			err = syscall.EAGAIN
			return true
		}
		for {
			n, err = syscall.Write(int(fd), p)
			if err != syscall.EINTR {
				return poll || err != syscall.EAGAIN
			}
		}
	})
	switch {
	case rawErr != nil && isTimeout(rawErr):
		return 0, errTimeout
	case rawErr != nil:
		return 0, rawErr
	case err == syscall.EAGAIN:
		return 0, errTimeout
	case err != nil:
		return 0, os.NewSyscallError("write", err)
	}
	return n, nil
}

// writable asks poll(2) whether the socket is writable now: a stream socket is once a third of
// its send buffer is free, as select-based libraries see it. A poll into fuller buffers is a
// Timeout, though the kernel might take a few bytes.
func writable(fd int) bool {
	fds := [1]struct {
		fd      int32
		events  int16
		revents int16
	}{{fd: int32(fd), events: pollOut}}
	n, _, errno := syscall.Syscall(syscall.SYS_POLL, uintptr(unsafe.Pointer(&fds[0])), 1, 0)
	return errno != 0 || n > 0
}

const pollOut = 0x4

func (t *tcpTransport) closeWrite() error { return t.c.CloseWrite() }
func (t *tcpTransport) close() error      { return t.c.Close() }

// dial connects to an already permitted target before the deadline.
func dial(host string, port int64, deadline time.Time) (*tcpTransport, *Error) {
	ip, err := resolve(host, port, deadline)
	if err != nil {
		return nil, err
	}
	dialer := net.Dialer{Deadline: deadline}
	network := "tcp4"
	if ip.Is6() {
		network = "tcp6"
	}
	c, dialErr := dialer.Dial(network, netip.AddrPortFrom(ip, uint16(port)).String())
	t := target(host, port)
	switch {
	case dialErr == nil:
	case isTimeout(dialErr):
		return nil, newError("Timeout", "connect to %s timed out", t)
	case errors.Is(dialErr, syscall.ECONNREFUSED):
		return nil, newError("ConnectionRefused", "connection refused by %s", t)
	default:
		return nil, newError("ConnectionRefused", "cannot connect to %s: %v", t, dialErr)
	}
	tt, rawErr := newTCPTransport(c.(*net.TCPConn))
	if rawErr != nil {
		c.Close()
		return nil, newError("ConnectionReset", "connection to %s failed: %v", t, rawErr)
	}
	return tt, nil
}

// openTCP is `tcp(host, port)` / `.new(host:, port:, timeout:)`: arguments, then the
// permission, then the connection (PERM-BEFORE-IO).
func openTCP(p *Policy, req fields) (*Stream, *Error) {
	host, port, timeout, err := streamArguments(req)
	if err != nil {
		return nil, err
	}
	if err := p.checkConnect(host, port); err != nil {
		return nil, err
	}
	t, err := dial(host, port, timeout.deadline(time.Now()))
	if err != nil {
		return nil, err
	}
	return newStream("tcp", t, host, port, timeout), nil
}

// streamArguments reads and checks host, port and timeout of tcp and ssl.
func streamArguments(req fields) (string, int64, wait, *Error) {
	host, err := req.str("host", true)
	if err != nil {
		return "", 0, wait{}, err
	}
	port, err := req.integer("port", true)
	if err != nil {
		return "", 0, wait{}, err
	}
	if err := checkHost("host", host); err != nil {
		return "", 0, wait{}, err
	}
	if err := checkPort(port, false, host); err != nil {
		return "", 0, wait{}, err
	}
	timeout, err := req.wait("timeout", defaultTimeout, defaultTimeout)
	return host, port, timeout, err
}

func newStream(kind string, t *tcpTransport, host string, port int64, timeout wait) *Stream {
	localHost, localPort := canonicalIP(t.c.LocalAddr())
	return &Stream{kind: kind, conn: t, tcp: t, host: host, port: port,
		localHost: localHost, localPort: localPort, timeout: timeout}
}
