package chat

import (
	"errors"
	"fmt"
)

// Code is a stable error code shared by the REST API (mapped to HTTP statuses) and the
// realtime API (sent in error frames).
type Code string

// Error codes. Keep them stable: clients switch on them.
const (
	EInvalid      Code = "invalid"
	EUnauthorized Code = "unauthorized"
	EForbidden    Code = "forbidden"
	ENotFound     Code = "not_found"
	EConflict     Code = "conflict"
	ETooLarge     Code = "too_large"
	ERateLimited  Code = "rate_limited"
	EHistoryGone  Code = "history_gone"
	EUnavailable  Code = "unavailable"
	EInternal     Code = "internal"
)

// Temporary reports whether retrying the same request later may succeed.
func (c Code) Temporary() bool {
	return c == ERateLimited || c == EUnavailable || c == EInternal
}

// Error is an application error: a code, a message safe to show to the user, and the
// internal cause for the log.
type Error struct {
	Code    Code
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted user-facing message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or EInternal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err; internal errors never leak details.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Common errors the store returns.
var (
	ErrNotFound = &Error{Code: ENotFound, Message: "not found"}
	ErrConflict = &Error{Code: EConflict, Message: "conflict"}
)
