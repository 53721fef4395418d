// Command caspian-go-port is a Caspian raw-socket layer on Go's standard library (net,
// crypto/tls, crypto/x509), driven by the conformance suite's driver protocol 1.1: JSON Lines
// on stdin and stdout, one reply per line, in order, many sessions per process. Diagnostics go
// to stderr only.
//
// Test-only switches: CASPIAN_GO_NAIVE=newline,hostcheck,verify,permissions,sni turns parts of
// the port back into a naive pass-through of Go's library (see README.md). Never set it
// otherwise.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

const (
	engineName    = "caspian-go-port"
	engineVersion = "0.1.0"
	minorVersion  = 1
	maxLine       = 16 << 20 // a longer line is read through, dropped and refused
)

// naive holds the test-only switches of CASPIAN_GO_NAIVE.
var naive = map[string]bool{}

func main() {
	for _, word := range strings.Split(os.Getenv("CASPIAN_GO_NAIVE"), ",") {
		if word = strings.TrimSpace(word); word != "" {
			naive[word] = true
		}
	}
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	out := bufio.NewWriter(os.Stdout)
	d := &driver{out: out}
	for {
		line, tooLong, err := readLine(in)
		if tooLong {
			d.reply(nil, nil, protocolError("the line is longer than %d bytes", maxLine))
		} else if len(bytes.TrimSpace(line)) > 0 {
			d.handle(line)
		}
		if err != nil {
			break
		}
	}
	d.endSession()
}

// readLine reads one line, bounded: a longer one is read through and reported too long.
func readLine(in *bufio.Reader) ([]byte, bool, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := in.ReadSlice('\n')
		if !tooLong {
			line = append(line, chunk...)
			if len(line) > maxLine {
				tooLong, line = true, nil
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(line) == 0 && !tooLong {
			return nil, false, err
		}
		return line, tooLong, err
	}
}

// handle is anything a session holds.
type handle interface {
	get(property string) (interface{}, *Error)
	close()
}

type driver struct {
	out     *bufio.Writer
	started bool
	policy  *Policy
	env     map[string]string
	handles map[int64]handle
	next    int64
}

func (d *driver) reply(id *uint64, ok interface{}, err *Error) {
	line, marshalErr := json.Marshal(reply{ID: id, OK: ok, Error: err})
	if marshalErr != nil {
		fmt.Fprintln(os.Stderr, "cannot encode a reply:", marshalErr)
		line, _ = json.Marshal(reply{ID: id, Error: protocolError("cannot encode the reply")})
	}
	d.out.Write(line)
	d.out.WriteByte('\n')
	d.out.Flush()
}

func (d *driver) handle(line []byte) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var cmd map[string]interface{}
	if err := dec.Decode(&cmd); err != nil || cmd == nil || dec.More() {
		d.reply(nil, nil, protocolError("the line is not a JSON object"))
		return
	}
	req := fields(cmd)
	num, ok := req["id"].(json.Number)
	var id uint64
	var parseErr error
	if ok {
		_, parseErr = fmt.Sscan(num.String(), &id)
	}
	if !ok || parseErr != nil || strings.ContainsAny(num.String(), ".eE-") {
		d.reply(nil, nil, protocolError("the line has no id (a non-negative integer)"))
		return
	}
	op, opErr := req.str("op", true)
	if opErr != nil {
		d.reply(&id, nil, opErr)
		return
	}
	value, err := d.dispatchSafely(op, req)
	if err != nil {
		d.reply(&id, nil, err)
		return
	}
	d.reply(&id, value, nil)
}

// dispatchSafely runs one command; a bug of the port that panics is reported on stderr and
// answered as an error of the call, and the port keeps serving.
func (d *driver) dispatchSafely(op string, req fields) (value interface{}, err *Error) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(os.Stderr, "internal error in %s: %v\n%s", op, p, debug.Stack())
			value, err = nil, newError("ArgumentError", "internal error in %s: %v", op, p)
		}
	}()
	return d.dispatch(op, req)
}

func (d *driver) dispatch(op string, req fields) (interface{}, *Error) {
	switch op {
	case "hello":
		return d.hello(req)
	case "start":
		return d.start(req)
	case "end":
		d.endSession()
		return "nil", nil
	}
	call, known := calls[op]
	if !known {
		return nil, protocolError("unknown op %q", op)
	}
	if !d.started {
		return nil, protocolError("op %s before start: the session has not started", op)
	}
	return call(d, req)
}

func (d *driver) hello(req fields) (interface{}, *Error) {
	major, err := req.integer("protocol", true)
	if err != nil {
		return nil, err
	}
	if major != 1 {
		return nil, protocolError("this port speaks protocol 1, not %d", major)
	}
	minor, err := req.integer("minor", false)
	if err != nil {
		return nil, err
	}
	if minor > minorVersion {
		minor = minorVersion
	}
	hello := map[string]interface{}{"protocol": 1, "minor": minor, "engine": engineName,
		"version": engineVersion, "features": []string{"tcp", "listen", "udp", "tls"}}
	if minor >= 1 {
		hello["sessions"] = "many"
	}
	return hello, nil
}

func (d *driver) start(req fields) (interface{}, *Error) {
	if d.started {
		return nil, protocolError("a session has already started")
	}
	flag := func(name string) (*string, *Error) {
		if !req.present(name) {
			return nil, nil
		}
		v, err := req.str(name, true)
		return &v, err
	}
	allowNet, err := flag("allow_net")
	if err != nil {
		return nil, err
	}
	allowListen, err := flag("allow_listen")
	if err != nil {
		return nil, err
	}
	envObj, err := req.object("env")
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for k, v := range envObj {
		s, ok := v.(string)
		if !ok {
			return nil, protocolError("field env.%s: expected a string", k)
		}
		env[k] = s
	}
	policy, err := parsePolicy(allowNet, allowListen)
	if err != nil {
		return nil, err
	}
	d.started, d.policy, d.env, d.handles = true, policy, env, map[int64]handle{}
	return "nil", nil
}

// endSession closes and forgets every handle and drops the flags and env.
func (d *driver) endSession() {
	for _, h := range d.handles {
		h.close()
	}
	d.started, d.policy, d.env, d.handles = false, nil, nil, nil
}

func (d *driver) add(h handle) interface{} {
	d.next++
	d.handles[d.next] = h
	return valueHandle(d.next)
}

func (d *driver) lookup(req fields) (handle, *Error) {
	n, err := req.integer("handle", true)
	if err != nil {
		return nil, err
	}
	h, ok := d.handles[n]
	if !ok {
		return nil, argumentError("handle", "no socket has handle %d", n)
	}
	return h, nil
}
