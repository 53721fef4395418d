package main

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"
)

// fields is a decoded JSON object of the driver protocol (numbers kept as json.Number); its
// accessors answer a field of the wrong type with a ProtocolError naming it.
type fields map[string]interface{}

func (f fields) present(name string) bool { return f[name] != nil }

func (f fields) str(name string, required bool) (string, *Error) {
	v, ok := f[name].(string)
	if !ok && (f.present(name) || required) {
		return "", protocolError("field %s: expected a string", name)
	}
	return v, nil
}

func (f fields) integer(name string, required bool) (int64, *Error) {
	num, ok := f[name].(json.Number)
	if !ok {
		if f.present(name) || required {
			return 0, protocolError("field %s: expected an integer", name)
		}
		return 0, nil
	}
	n, err := num.Int64()
	if err != nil {
		return 0, protocolError("field %s: expected an integer, got %s", name, num)
	}
	return n, nil
}

func (f fields) object(name string) (fields, *Error) {
	if !f.present(name) {
		return fields{}, nil
	}
	v, ok := f[name].(map[string]interface{})
	if !ok {
		return nil, protocolError("field %s: expected an object", name)
	}
	return fields(v), nil
}

// bytes reads standard base64 with padding and no line breaks.
func (f fields) bytes(name string) ([]byte, *Error) {
	text, err := f.str(name, true)
	if err != nil {
		return nil, err
	}
	data, decodeErr := base64.StdEncoding.Strict().DecodeString(text)
	if decodeErr != nil || strings.ContainsAny(text, "\r\n") {
		return nil, protocolError("field %s: expected standard base64 with = padding", name)
	}
	return data, nil
}

// wait is a timeout: forever (the script's nil) or a number of seconds.
type wait struct {
	forever bool
	seconds float64
}

var defaultTimeout = wait{seconds: 30}

// deadline is when a call started at `start` must end; zero for forever (D18: the timeout
// bounds the whole call).
func (w wait) deadline(start time.Time) time.Time {
	if w.forever || w.seconds > 1e9 {
		return time.Time{}
	}
	return start.Add(time.Duration(w.seconds * float64(time.Second)))
}

// value is the property's value: "nil" forever, else a float.
func (w wait) value() interface{} {
	if w.forever {
		return "nil"
	}
	return map[string]interface{}{"float": w.seconds}
}

// wait reads a timeout field: "forever", {"seconds":x} or a bare number; null is `ifNull`,
// absent is `absent`. A negative or NaN number is the script's ArgumentError.
func (f fields) wait(name string, absent, ifNull wait) (wait, *Error) {
	raw, found := f[name]
	if !found {
		return absent, nil
	}
	if raw == nil {
		return ifNull, nil
	}
	if raw == "forever" {
		return wait{forever: true}, nil
	}
	if obj, ok := raw.(map[string]interface{}); ok && len(obj) == 1 {
		raw = obj["seconds"]
	}
	num, ok := raw.(json.Number)
	if !ok {
		return wait{}, protocolError("field %s: expected \"forever\" or {\"seconds\":x}", name)
	}
	seconds, err := num.Float64()
	if err != nil || math.IsNaN(seconds) || seconds < 0 {
		return wait{}, argumentError("timeout", "must be a non-negative number of seconds or nil, got %s", num)
	}
	return wait{seconds: seconds}, nil
}

// Values of the protocol.
func valueInt(n int64) interface{}  { return map[string]interface{}{"int": n} }
func valueStr(s string) interface{} { return map[string]interface{}{"str": s} }
func valueBool(b bool) interface{}  { return map[string]interface{}{"bool": b} }
func valueBytes(b []byte) interface{} {
	return map[string]interface{}{"bytes": base64.StdEncoding.EncodeToString(b)}
}
func valueHandle(h int64) interface{}    { return map[string]interface{}{"handle": h} }
func valueCert(c *certValue) interface{} { return map[string]interface{}{"cert": c} }

// reply is one line to the suite; a nil id is written null.
type reply struct {
	ID    *uint64     `json:"id"`
	OK    interface{} `json:"ok,omitempty"`
	Error *Error      `json:"error,omitempty"`
}
