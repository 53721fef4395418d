package main

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// acceptPollGrace is how long an accept with timeout 0 looks for a pending connection: Go's
// deadlines refuse to try at all once passed.
const acceptPollGrace = 5 * time.Millisecond

// Listener is a tcp listener (LST-*).
type Listener struct {
	l         *net.TCPListener
	localHost string
	localPort int64
	closed    bool
}

// bindAddress checks a bind's arguments and permission (before any I/O), then resolves it.
func bindAddress(p *Policy, req fields) (string, int64, netip.Addr, *Error) {
	host, err := req.str("host", true)
	if err != nil {
		return "", 0, netip.Addr{}, err
	}
	port, err := req.integer("port", true)
	if err != nil {
		return "", 0, netip.Addr{}, err
	}
	if err := checkHost("host", host); err != nil {
		return "", 0, netip.Addr{}, err
	}
	if err := checkPort(port, true, host); err != nil {
		return "", 0, netip.Addr{}, err
	}
	if err := p.checkListen(host, port); err != nil {
		return "", 0, netip.Addr{}, err
	}
	ip, err := resolve(host, port, time.Now().Add(defaultResolveWait))
	return host, port, ip, err
}

// bindError classifies a failed bind: in use, refused by the system, or not an address of this
// machine (an ArgumentError, D17).
func bindError(err error, host string, port int64) *Error {
	t := target(host, port)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return newError("AddressInUse", "address in use: %s", t)
	case errors.Is(err, syscall.EACCES):
		return newError("PermissionDenied", "the system refused to bind %s: %v", t, err)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return argumentError("host", "cannot bind %s, not an address of this machine", t)
	}
	return newError("AddressInUse", "cannot bind %s: %v", t, err)
}

func network(ip netip.Addr, base string) string {
	if ip.Is4() {
		return base + "4"
	}
	return base + "6"
}

func openListener(p *Policy, req fields) (*Listener, *Error) {
	host, port, ip, err := bindAddress(p, req)
	if err != nil {
		return nil, err
	}
	l, listenErr := net.ListenTCP(network(ip, "tcp"), net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
	if listenErr != nil {
		return nil, bindError(listenErr, host, port)
	}
	localHost, localPort := canonicalIP(l.Addr())
	return &Listener{l: l, localHost: localHost, localPort: localPort}, nil
}

func (l *Listener) target() string { return target(l.localHost, l.localPort) }

// accept waits forever unless given a timeout (IO-ACCEPT-TIMEOUT); the socket it returns
// starts with the 30 s default (D9) and names its peer by IP (D2).
func (l *Listener) accept(opts fields) (*Stream, *Error) {
	timeout, err := opts.wait("timeout", wait{forever: true}, wait{forever: true})
	if err != nil {
		return nil, err
	}
	if l.closed {
		return nil, newError("Closed", "listener on %s is closed", l.target())
	}
	deadline := timeout.deadline(time.Now())
	if isPoll(deadline) {
		deadline = time.Now().Add(acceptPollGrace)
	}
	_ = l.l.SetDeadline(deadline)
	c, acceptErr := l.l.AcceptTCP()
	if acceptErr != nil {
		if isTimeout(acceptErr) {
			return nil, newError("Timeout", "accept on %s timed out", l.target())
		}
		return nil, newError("ConnectionReset", "accept on %s failed: %v", l.target(), acceptErr)
	}
	t, rawErr := newTCPTransport(c)
	if rawErr != nil {
		c.Close()
		return nil, newError("ConnectionReset", "accept on %s failed: %v", l.target(), rawErr)
	}
	peerHost, peerPort := canonicalIP(c.RemoteAddr())
	return newStream("tcp", t, peerHost, peerPort, defaultTimeout), nil
}

func (l *Listener) close() {
	if !l.closed {
		l.closed = true
		_ = l.l.Close()
	}
}

func (l *Listener) get(property string) (interface{}, *Error) {
	switch property {
	case "local_host":
		return valueStr(l.localHost), nil
	case "local_port":
		return valueInt(l.localPort), nil
	}
	return nil, argumentError("property", "%s is not a property of a listener", property)
}
