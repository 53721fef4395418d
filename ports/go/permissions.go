package main

import (
	"strconv"
	"strings"
)

// grantHost is the host part of an entry: an address, a name, or a `*.suffix` wildcard.
type grantHost struct {
	kind  string // kindIPv4, kindIPv6, kindName or "wildcard"
	value string // normal form
}

type grant struct {
	host   *grantHost // nil: any host (a listen entry of ports only)
	lo, hi int64
}

// flag is one parsed --allow-net or --allow-listen: absent, bare (all) or a list.
type flag struct {
	all     bool
	entries []grant
}

// Policy is a session's parsed flags (PERM-GRAMMAR).
type Policy struct {
	net, listen flag
}

func parsePort(text string, allowZero bool) (int64, bool) {
	if text == "" || len(text) > 5 || strings.Trim(text, "0123456789") != "" {
		return 0, false
	}
	n, _ := strconv.ParseInt(text, 10, 64)
	if n > 65535 || (n == 0 && !allowZero) {
		return 0, false
	}
	return n, true
}

// parsePorts reads "p" or "lo-hi".
func parsePorts(text string, allowZero bool) (int64, int64, string) {
	span := "1..65535"
	if allowZero {
		span = "0..65535"
	}
	if text == "" {
		return 0, 0, "empty port"
	}
	if lo, hi, found := strings.Cut(text, "-"); found {
		a, okA := parsePort(lo, allowZero)
		b, okB := parsePort(hi, allowZero)
		if !okA || !okB {
			return 0, 0, "port range must be two ports in " + span
		}
		if a > b {
			return 0, 0, "port range is reversed"
		}
		return a, b, ""
	}
	p, ok := parsePort(text, allowZero)
	if !ok {
		return 0, 0, "port out of range " + span
	}
	return p, p, ""
}

// parseGrantHost reads [IPv6], a dotted quad, `*.suffix` (when allowed) or a name.
func parseGrantHost(text string, wildcardOK bool) (*grantHost, string) {
	if strings.HasPrefix(text, "[") {
		if !strings.HasSuffix(text, "]") {
			return nil, "unbalanced brackets"
		}
		inner := text[1 : len(text)-1]
		ip, ok := parseIP(inner)
		if !ok || !strings.Contains(inner, ":") {
			return nil, "not an IPv6 address in brackets"
		}
		return &grantHost{ipKind(ip), ip.String()}, ""
	}
	if strings.ContainsAny(text, "[]") {
		return nil, "unbalanced brackets"
	}
	if ip, ok := parseIP(text); ok && ip.Is4() && !strings.Contains(text, ":") {
		return &grantHost{kindIPv4, ip.String()}, ""
	}
	if strings.Contains(text, "*") {
		if !wildcardOK {
			return nil, "wildcards are not allowed here"
		}
		suffix := strings.TrimPrefix(text, "*.")
		if !strings.HasPrefix(text, "*.") || strings.Contains(suffix, "*") {
			return nil, "a wildcard must be '*.' followed by a name"
		}
		name, ok := normalName(suffix)
		if !ok {
			return nil, "invalid name after '*.'"
		}
		return &grantHost{"wildcard", name}, ""
	}
	name, ok := normalName(text)
	if !ok {
		return nil, "invalid host name"
	}
	return &grantHost{kindName, name}, ""
}

// splitEntry splits "host", "host:ports", "[v6]" and "[v6]:ports"; ports is nil when absent.
func splitEntry(entry string) (string, *string, string) {
	if strings.HasPrefix(entry, "[") {
		end := strings.Index(entry, "]")
		if end < 0 {
			return "", nil, "unbalanced brackets"
		}
		host, rest := entry[:end+1], entry[end+1:]
		if rest == "" {
			return host, nil, ""
		}
		if rest[0] != ':' {
			return "", nil, "unexpected text after ']'"
		}
		ports := rest[1:]
		return host, &ports, ""
	}
	host, ports, found := strings.Cut(entry, ":")
	if !found {
		return entry, nil, ""
	}
	if strings.Contains(ports, ":") {
		return "", nil, "an IPv6 address must be in brackets"
	}
	return host, &ports, ""
}

func parseNetEntry(entry string) (grant, string) {
	host, ports, why := splitEntry(entry)
	if why != "" {
		return grant{}, why
	}
	if host == "" {
		return grant{}, "empty host"
	}
	h, why := parseGrantHost(host, true)
	if h == nil {
		return grant{}, why
	}
	g := grant{host: h, lo: 1, hi: 65535}
	if ports != nil {
		if g.lo, g.hi, why = parsePorts(*ports, false); why != "" {
			return grant{}, why
		}
	}
	return g, ""
}

func parseListenEntry(entry string) (grant, string) {
	if !strings.ContainsAny(entry, ":[") {
		lo, hi, why := parsePorts(entry, true)
		if why != "" {
			if strings.Trim(entry, "0123456789-") == "" {
				return grant{}, why
			}
			return grant{}, "a listen entry needs a port: port, lo-hi, host:port or host:lo-hi"
		}
		return grant{lo: lo, hi: hi}, ""
	}
	host, ports, why := splitEntry(entry)
	if why != "" {
		return grant{}, why
	}
	if host == "" {
		return grant{}, "empty host"
	}
	if ports == nil {
		return grant{}, "a listen entry needs a port"
	}
	h, why := parseGrantHost(host, false)
	if h == nil {
		return grant{}, why
	}
	lo, hi, why := parsePorts(*ports, true)
	if why != "" {
		return grant{}, why
	}
	return grant{host: h, lo: lo, hi: hi}, ""
}

// parseFlag reads one flag's raw value: nil is the flag absent, "" the bare flag.
func parseFlag(name string, value *string, parseEntry func(string) (grant, string)) (flag, *Error) {
	if value == nil {
		return flag{}, nil
	}
	if *value == "" {
		return flag{all: true}, nil
	}
	var f flag
	for _, entry := range strings.Split(*value, ",") {
		if entry == "" {
			return flag{}, newError("ArgumentError", "invalid %s value %q: empty entry", name, *value)
		}
		if strings.IndexFunc(entry, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
			return flag{}, newError("ArgumentError", "invalid %s entry %q: white space or a control character", name, entry)
		}
		g, why := parseEntry(entry)
		if why != "" {
			return flag{}, newError("ArgumentError", "invalid %s entry %q: %s", name, entry, why)
		}
		f.entries = append(f.entries, g)
	}
	return f, nil
}

// parsePolicy reads both flags; an invalid entry is an ArgumentError quoting it.
func parsePolicy(allowNet, allowListen *string) (*Policy, *Error) {
	n, err := parseFlag("--allow-net", allowNet, parseNetEntry)
	if err != nil {
		return nil, err
	}
	l, err := parseFlag("--allow-listen", allowListen, parseListenEntry)
	if err != nil {
		return nil, err
	}
	return &Policy{net: n, listen: l}, nil
}

func (h *grantHost) matches(kind, value string) bool {
	if h.kind == "wildcard" {
		return kind == kindName && strings.HasSuffix(value, "."+h.value)
	}
	return h.kind == kind && h.value == value
}

func (f flag) grants(host string, port int64) bool {
	if f.all {
		return true
	}
	kind, value := classify(host)
	if kind == kindOther {
		return false
	}
	for _, g := range f.entries {
		if port >= g.lo && port <= g.hi && (g.host == nil || g.host.matches(kind, value)) {
			return true
		}
	}
	return false
}

// checkConnect is PermissionDenied unless --allow-net grants host:port; it runs before any
// resolution, socket or packet (PERM-BEFORE-IO).
func (p *Policy) checkConnect(host string, port int64) *Error {
	if naive["permissions"] || p.net.grants(host, port) {
		return nil
	}
	t := target(host, port)
	return newError("PermissionDenied", "connect to %s denied: grant it with --allow-net=%s", t, t)
}

// checkListen is PermissionDenied unless --allow-listen grants host:port (port 0 needs a grant
// covering 0, D10).
func (p *Policy) checkListen(host string, port int64) *Error {
	if naive["permissions"] || p.listen.grants(host, port) {
		return nil
	}
	t := target(host, port)
	return newError("PermissionDenied", "listen on %s denied: grant it with --allow-listen=%s", t, t)
}
