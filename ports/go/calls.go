package main

// calls are the spec operations of a session, by op name.
var calls = map[string]func(d *driver, req fields) (interface{}, *Error){
	"tcp": func(d *driver, req fields) (interface{}, *Error) {
		s, err := openTCP(d.policy, req)
		return d.added(s, err)
	},
	"ssl": func(d *driver, req fields) (interface{}, *Error) {
		s, err := openSSL(d.policy, req, d.env)
		return d.added(s, err)
	},
	"tcp_listen": func(d *driver, req fields) (interface{}, *Error) {
		l, err := openListener(d.policy, req)
		if err != nil {
			return nil, err
		}
		return d.add(l), nil
	},
	"udp": func(d *driver, req fields) (interface{}, *Error) {
		u, err := openUDP(d.policy, req)
		if err != nil {
			return nil, err
		}
		return d.add(u), nil
	},
	"udp_listen": func(d *driver, req fields) (interface{}, *Error) {
		u, err := openUDPListener(d.policy, req)
		if err != nil {
			return nil, err
		}
		return d.add(u), nil
	},
	"send": func(d *driver, req fields) (interface{}, *Error) {
		h, data, err := d.withBytes(req)
		if err != nil {
			return nil, err
		}
		switch h := h.(type) {
		case *Stream:
			n, err := h.send(data)
			return valueInt(int64(n)), err
		case *UDP:
			n, err := h.send(data)
			return valueInt(n), err
		}
		return nil, noSuch("send")
	},
	"send_all": func(d *driver, req fields) (interface{}, *Error) {
		h, data, err := d.withBytes(req)
		if err != nil {
			return nil, err
		}
		if s, ok := h.(*Stream); ok {
			return "nil", s.sendAll(data)
		}
		return nil, noSuch("send_all")
	},
	"recv": func(d *driver, req fields) (interface{}, *Error) {
		h, opts, err := d.withOpts(req)
		if err != nil {
			return nil, err
		}
		maxBytes, err := req.integer("max_bytes", true)
		if err != nil {
			return nil, err
		}
		switch h := h.(type) {
		case *Stream:
			return bytesOrError(h.recv(maxBytes, opts))
		case *UDP:
			data, _, err := h.recvFrom(maxBytes, opts)
			return bytesOrError(data, err)
		}
		return nil, noSuch("recv")
	},
	"recv_line": func(d *driver, req fields) (interface{}, *Error) {
		h, opts, err := d.withOpts(req)
		if err != nil {
			return nil, err
		}
		if s, ok := h.(*Stream); ok {
			return bytesOrError(s.recvLine(opts))
		}
		return nil, noSuch("recv_line")
	},
	"recv_exact": func(d *driver, req fields) (interface{}, *Error) {
		h, opts, err := d.withOpts(req)
		if err != nil {
			return nil, err
		}
		n, err := req.integer("n", true)
		if err != nil {
			return nil, err
		}
		if s, ok := h.(*Stream); ok {
			return bytesOrError(s.recvExact(n, opts))
		}
		return nil, noSuch("recv_exact")
	},
	"close": func(d *driver, req fields) (interface{}, *Error) {
		h, err := d.lookup(req)
		if err != nil {
			return nil, err
		}
		h.close()
		return "nil", nil
	},
	"shutdown": func(d *driver, req fields) (interface{}, *Error) {
		h, err := d.lookup(req)
		if err != nil {
			return nil, err
		}
		direction, err := req.str("direction", true)
		if err != nil {
			return nil, err
		}
		if s, ok := h.(*Stream); ok {
			return "nil", s.shutdown(direction)
		}
		return nil, noSuch("shutdown")
	},
	"starttls": func(d *driver, req fields) (interface{}, *Error) {
		h, err := d.lookup(req)
		if err != nil {
			return nil, err
		}
		s, ok := h.(*Stream)
		if !ok {
			return nil, argumentError("handle", "starttls needs a tcp socket")
		}
		return d.added(starttls(s, req, d.env))
	},
	"accept": func(d *driver, req fields) (interface{}, *Error) {
		h, opts, err := d.withOpts(req)
		if err != nil {
			return nil, err
		}
		if l, ok := h.(*Listener); ok {
			return d.added(l.accept(opts))
		}
		return nil, noSuch("accept")
	},
	"send_to": func(d *driver, req fields) (interface{}, *Error) {
		h, data, err := d.withBytes(req)
		if err != nil {
			return nil, err
		}
		if u, ok := h.(*UDP); ok {
			n, err := u.sendToHost(data, req)
			return valueInt(n), err
		}
		return nil, noSuch("send_to")
	},
	"recv_from": func(d *driver, req fields) (interface{}, *Error) {
		h, opts, err := d.withOpts(req)
		if err != nil {
			return nil, err
		}
		maxBytes, err := req.integer("max_bytes", true)
		if err != nil {
			return nil, err
		}
		if u, ok := h.(*UDP); ok {
			data, from, err := u.recvFrom(maxBytes, opts)
			if err != nil {
				return nil, err
			}
			return map[string]interface{}{"datagram": map[string]interface{}{
				"bytes": valueBytes(data).(map[string]interface{})["bytes"],
				"host":  from.Addr().String(), "port": from.Port()}}, nil
		}
		return nil, noSuch("recv_from")
	},
	"get": func(d *driver, req fields) (interface{}, *Error) {
		h, err := d.lookup(req)
		if err != nil {
			return nil, err
		}
		property, err := req.str("property", true)
		if err != nil {
			return nil, err
		}
		return h.get(property)
	},
	"set_timeout": func(d *driver, req fields) (interface{}, *Error) {
		h, err := d.lookup(req)
		if err != nil {
			return nil, err
		}
		if _, found := req["timeout"]; !found {
			return nil, protocolError("field timeout: missing")
		}
		timeout, err := req.wait("timeout", wait{forever: true}, wait{forever: true})
		if err != nil {
			return nil, err
		}
		switch h := h.(type) {
		case *Stream:
			h.timeout = timeout
		case *UDP:
			h.timeout = timeout
		default:
			return nil, argumentError("handle", "a listener has no .timeout; give accept a timeout: option")
		}
		return "nil", nil
	},
}

func noSuch(op string) *Error {
	return argumentError("handle", "this socket has no %s", op)
}

func bytesOrError(data []byte, err *Error) (interface{}, *Error) {
	if err != nil {
		return nil, err
	}
	return valueBytes(data), nil
}

// added registers a new socket, or passes its error on.
func (d *driver) added(s *Stream, err *Error) (interface{}, *Error) {
	if err != nil {
		return nil, err
	}
	return d.add(s), nil
}

func (d *driver) withBytes(req fields) (handle, []byte, *Error) {
	h, err := d.lookup(req)
	if err != nil {
		return nil, nil, err
	}
	data, err := req.bytes("bytes")
	return h, data, err
}

func (d *driver) withOpts(req fields) (handle, fields, *Error) {
	h, err := d.lookup(req)
	if err != nil {
		return nil, nil, err
	}
	opts, err := req.object("opts")
	return h, opts, err
}
