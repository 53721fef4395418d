package main

import "fmt"

// Error is a Caspian exception: a class of clauses.md, a message naming the argument, host and
// port involved, and an optional reason (a CertificateError's reason, or line_too_long, D1).
type Error struct {
	Class   string `json:"class"`
	Message string `json:"message"`
	Reason  string `json:"reason,omitempty"`
}

func (e *Error) Error() string { return e.Class + ": " + e.Message }

func newError(class, format string, args ...interface{}) *Error {
	return &Error{Class: class, Message: fmt.Sprintf(format, args...)}
}

// argumentError names the argument as a word of its own.
func argumentError(name, format string, args ...interface{}) *Error {
	return &Error{Class: "ArgumentError", Message: "argument " + name + ": " + fmt.Sprintf(format, args...)}
}

// protocolError is the driver's answer to a line it cannot take; never a script's exception.
func protocolError(format string, args ...interface{}) *Error {
	return newError("ProtocolError", format, args...)
}

func certificateError(reason, format string, args ...interface{}) *Error {
	return &Error{Class: "CertificateError", Message: fmt.Sprintf(format, args...), Reason: reason}
}
