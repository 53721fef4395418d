package main

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Host kinds, after strict classification (PERM-LITERAL, D13).
const (
	kindIPv4  = "ipv4"
	kindIPv6  = "ipv6"
	kindName  = "name"
	kindOther = "other"
)

// parseIP reads a strict IP literal: a dotted quad of decimal octets without leading zeros, or
// full IPv6 syntax without a zone. `::ffff:a.b.c.d` is the IPv4 address a.b.c.d. Go's net
// package is already strict about leading zeros; zones and brackets are refused here.
func parseIP(text string) (netip.Addr, bool) {
	if strings.ContainsAny(text, "%[]") {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(text)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// ipKind is kindIPv4 or kindIPv6 of a parsed address.
func ipKind(ip netip.Addr) string {
	if ip.Is4() {
		return kindIPv4
	}
	return kindIPv6
}

// normalName is the normal form of a DNS name (lowercase, no trailing dot): labels of letters,
// digits, '-' and '_', 1..63 bytes, not starting or ending with '-'. ok is false otherwise.
func normalName(text string) (string, bool) {
	t := strings.TrimSuffix(text, ".")
	if t == "" || len(t) > 253 {
		return "", false
	}
	for _, label := range strings.Split(t, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", false
			}
		}
	}
	return strings.ToLower(t), true
}

// classify gives a target host's kind and the normal form grants are compared with.
func classify(host string) (string, string) {
	if ip, ok := parseIP(host); ok {
		return ipKind(ip), ip.String()
	}
	if name, ok := normalName(host); ok {
		return kindName, name
	}
	return kindOther, host
}

// target spells host:port as messages and grants do, an IPv6 host in brackets.
func target(host string, port int64) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		return "[" + host + "]:" + strconv.FormatInt(port, 10)
	}
	return host + ":" + strconv.FormatInt(port, 10)
}

// checkHost refuses a host that is empty or holds a NUL or white space (D13).
func checkHost(name, host string) *Error {
	if host == "" || strings.ContainsAny(host, "\x00 \t\n\v\f\r") {
		return argumentError(name, "%q is not a host name or address", host)
	}
	return nil
}

// checkPort keeps a port in 1..65535 (0..65535 for a bind).
func checkPort(port int64, allowZero bool, host string) *Error {
	low := int64(1)
	if allowZero {
		low = 0
	}
	if port < low || port > 65535 {
		return argumentError("port", "must be in %d..65535, got %d (target %s)", low, port, target(host, port))
	}
	return nil
}

// defaultResolveWait bounds a lookup that no call's timeout bounds (a bind, a datagram).
const defaultResolveWait = 30 * time.Second

// resolve turns a permitted host into an address, after the permission check and never before.
// localhost and names below it are loopback, names under .invalid fail without a query (D5);
// every other failure is HostNotFound. The deadline bounds the lookup.
func resolve(host string, port int64, deadline time.Time) (netip.Addr, *Error) {
	notFound := newError("HostNotFound", "host not found: %s", target(host, port))
	kind, value := classify(host)
	switch kind {
	case kindIPv4, kindIPv6:
		ip, _ := parseIP(host)
		return ip, nil
	case kindOther:
		return netip.Addr{}, notFound
	}
	if value == "localhost" || strings.HasSuffix(value, ".localhost") {
		return netip.MustParseAddr("127.0.0.1"), nil
	}
	if value == "invalid" || strings.HasSuffix(value, ".invalid") {
		return netip.Addr{}, notFound
	}
	ctx := context.Background()
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", value)
	if err != nil || len(addrs) == 0 {
		if ctx.Err() != nil {
			return netip.Addr{}, newError("Timeout", "resolving %s timed out", target(host, port))
		}
		return netip.Addr{}, notFound
	}
	for _, a := range addrs {
		if a.Unmap().Is4() {
			return a.Unmap(), nil
		}
	}
	return addrs[0], nil
}

// canonicalIP is an address's canonical text (RFC 5952 for IPv6; IPv4-mapped as IPv4).
func canonicalIP(addr net.Addr) (string, int64) {
	if ap, err := netip.ParseAddrPort(addr.String()); err == nil {
		return ap.Addr().Unmap().WithZone("").String(), int64(ap.Port())
	}
	return addr.String(), 0
}
