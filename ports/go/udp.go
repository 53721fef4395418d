package main

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// maxDatagram is the largest UDP payload over IPv4 (D7).
const maxDatagram = 65507

// UDP is a udp socket: from `udp` (bound to an ephemeral port at once, so .local_port is known,
// D8) or `udp_listen`. With a default peer it stays unconnected and drops datagrams from anyone
// else itself (IO-UDP-PEER-FILTER), so every send stays checked (PERM-UDP-PEER).
type UDP struct {
	c         *net.UDPConn
	rc        syscall.RawConn
	policy    *Policy
	peerHost  string
	peerPort  int64
	peer      netip.AddrPort // invalid without a default peer
	localHost string
	localPort int64
	timeout   wait
	closed    bool
}

func bindUDP(policy *Policy, ip netip.Addr, port int64, host string) (*UDP, *Error) {
	c, err := net.ListenUDP(network(ip, "udp"), net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
	if err != nil {
		return nil, bindError(err, host, port)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		c.Close()
		return nil, bindError(err, host, port)
	}
	localHost, localPort := canonicalIP(c.LocalAddr())
	return &UDP{c: c, rc: rc, policy: policy, localHost: localHost, localPort: localPort, timeout: defaultTimeout}, nil
}

// openUDP is `%net.udp` (no host nor port) or a socket with a default peer (both).
func openUDP(p *Policy, req fields) (*UDP, *Error) {
	hasHost, hasPort := req.present("host"), req.present("port")
	if !hasHost && !hasPort {
		return bindUDP(p, netip.IPv4Unspecified(), 0, "0.0.0.0")
	}
	if !hasHost {
		return nil, argumentError("host", "a udp socket with a port needs a host")
	}
	if !hasPort {
		return nil, argumentError("port", "a udp socket with a host needs a port")
	}
	host, err := req.str("host", true)
	if err != nil {
		return nil, err
	}
	port, err := req.integer("port", true)
	if err != nil {
		return nil, err
	}
	if err := checkHost("host", host); err != nil {
		return nil, err
	}
	if err := checkPort(port, false, host); err != nil {
		return nil, err
	}
	if err := p.checkConnect(host, port); err != nil {
		return nil, err
	}
	ip, err := resolve(host, port, time.Now().Add(defaultResolveWait))
	if err != nil {
		return nil, err
	}
	unspecified := netip.IPv4Unspecified()
	if ip.Is6() {
		unspecified = netip.IPv6Unspecified()
	}
	u, err := bindUDP(p, unspecified, 0, unspecified.String())
	if err != nil {
		return nil, err
	}
	u.peerHost, u.peerPort, u.peer = host, port, netip.AddrPortFrom(ip, uint16(port))
	return u, nil
}

func openUDPListener(p *Policy, req fields) (*UDP, *Error) {
	host, port, ip, err := bindAddress(p, req)
	if err != nil {
		return nil, err
	}
	return bindUDP(p, ip, port, host)
}

func (u *UDP) target() string {
	if u.peer.IsValid() {
		return target(u.peerHost, u.peerPort)
	}
	return target(u.localHost, u.localPort)
}

func (u *UDP) ensureOpen() *Error {
	if u.closed {
		return newError("Closed", "udp socket %s is closed", u.target())
	}
	return nil
}

func checkDatagram(data []byte) *Error {
	if len(data) > maxDatagram {
		return argumentError("bytes", "a datagram holds at most %d bytes, got %d", maxDatagram, len(data))
	}
	return nil
}

func (u *UDP) sendTo(data []byte, dest netip.AddrPort, t string) (int64, *Error) {
	local, _ := netip.ParseAddr(u.localHost)
	if dest.Addr().Is4() != local.Is4() {
		return 0, argumentError("host", "%s is not reachable from a socket bound to %s", t, u.localHost)
	}
	_ = u.c.SetWriteDeadline(time.Time{})
	if _, err := u.c.WriteToUDPAddrPort(data, dest); err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return 0, newError("ConnectionRefused", "datagram to %s refused", t)
		}
		return 0, newError("ConnectionReset", "send to %s failed: %v", t, err)
	}
	return int64(len(data)), nil
}

// send sends to the default peer; without one it is an ArgumentError naming peer (D7).
func (u *UDP) send(data []byte) (int64, *Error) {
	if err := checkDatagram(data); err != nil {
		return 0, err
	}
	if err := u.ensureOpen(); err != nil {
		return 0, err
	}
	if !u.peer.IsValid() {
		return 0, argumentError("peer", "this udp socket has no default peer: use send_to")
	}
	if err := u.policy.checkConnect(u.peerHost, u.peerPort); err != nil {
		return 0, err
	}
	return u.sendTo(data, u.peer, u.target())
}

func (u *UDP) sendToHost(data []byte, req fields) (int64, *Error) {
	host, err := req.str("host", true)
	if err != nil {
		return 0, err
	}
	port, err := req.integer("port", true)
	if err != nil {
		return 0, err
	}
	if err := checkHost("host", host); err != nil {
		return 0, err
	}
	if err := checkPort(port, false, host); err != nil {
		return 0, err
	}
	if err := checkDatagram(data); err != nil {
		return 0, err
	}
	if err := u.ensureOpen(); err != nil {
		return 0, err
	}
	if err := u.policy.checkConnect(host, port); err != nil {
		return 0, err
	}
	ip, err := resolve(host, port, time.Now().Add(defaultResolveWait))
	if err != nil {
		return 0, err
	}
	return u.sendTo(data, netip.AddrPortFrom(ip, uint16(port)), target(host, port))
}

// readOne reads one datagram (truncated to len(p), the kernel's way) before the deadline; a
// deadline already past is one non-blocking look.
func (u *UDP) readOne(p []byte, deadline time.Time) (int, netip.AddrPort, error) {
	if !isPoll(deadline) {
		_ = u.c.SetReadDeadline(deadline)
		return u.c.ReadFromUDPAddrPort(p)
	}
	_ = u.c.SetReadDeadline(time.Time{})
	var n int
	var from syscall.Sockaddr
	var err error
	if rawErr := u.rc.Read(func(fd uintptr) bool {
		for {
			n, from, err = syscall.Recvfrom(int(fd), p, 0)
			if err != syscall.EINTR {
				return true
			}
		}
	}); rawErr != nil {
		return 0, netip.AddrPort{}, rawErr
	}
	if err == syscall.EAGAIN {
		return 0, netip.AddrPort{}, errTimeout
	}
	if err != nil {
		return 0, netip.AddrPort{}, err
	}
	switch sa := from.(type) {
	case *syscall.SockaddrInet4:
		return n, netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)), nil
	case *syscall.SockaddrInet6:
		return n, netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port)), nil
	}
	return n, netip.AddrPort{}, nil
}

// recvFrom returns one datagram and its sender, waiting at most the call's timeout.
func (u *UDP) recvFrom(maxBytes int64, opts fields) ([]byte, netip.AddrPort, *Error) {
	if err := checkCount("max_bytes", maxBytes, 1); err != nil {
		return nil, netip.AddrPort{}, err
	}
	timeout, err := opts.wait("timeout", u.timeout, wait{forever: true})
	if err != nil {
		return nil, netip.AddrPort{}, err
	}
	if err := u.ensureOpen(); err != nil {
		return nil, netip.AddrPort{}, err
	}
	deadline := timeout.deadline(time.Now())
	buf := make([]byte, min64(maxBytes, 65536))
	for {
		n, from, readErr := u.readOne(buf, deadline)
		switch {
		case readErr == nil:
			from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
			if !u.peer.IsValid() || from == u.peer {
				return buf[:n], from, nil
			}
		case isTimeout(readErr):
			return nil, netip.AddrPort{}, newError("Timeout", "recv on udp socket %s timed out", u.target())
		case errors.Is(readErr, syscall.ECONNREFUSED):
			// An ICMP error for an earlier datagram is not a datagram: keep waiting.
		default:
			return nil, netip.AddrPort{}, newError("ConnectionReset", "recv on udp socket %s failed: %v", u.target(), readErr)
		}
		if isPoll(deadline) && readErr != nil {
			return nil, netip.AddrPort{}, newError("Timeout", "recv on udp socket %s timed out", u.target())
		}
	}
}

func (u *UDP) close() {
	if !u.closed {
		u.closed = true
		_ = u.c.Close()
	}
}

func (u *UDP) get(property string) (interface{}, *Error) {
	switch property {
	case "local_host":
		return valueStr(u.localHost), nil
	case "local_port":
		return valueInt(u.localPort), nil
	case "timeout":
		return u.timeout.value(), nil
	}
	return nil, argumentError("property", "%s is not a property of a udp socket", property)
}
