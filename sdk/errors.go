package sdk

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrorKind classifies a connector failure so the host knows what to do with the order or call
// that failed.
type ErrorKind string

const (
	// KindPermanent means the request was understood and refused (validation, unknown article,
	// a value too long). Repeating it unchanged fails again: the host parks the order with the
	// message and waits for the user.
	KindPermanent ErrorKind = "permanent"
	// KindRetryable means the service could not answer now (429, 5xx, timeout before anything
	// was sent, a connection refused). The host retries later with backoff. RetryAfter, when
	// set, is the service's own hint.
	KindRetryable ErrorKind = "retryable"
	// KindNotFound means the thing asked for does not exist. Look-ups return an empty result
	// rather than this error; it is used for calls on a single id.
	KindNotFound ErrorKind = "not_found"
	// KindAuth means the credentials were refused (bad key, expired or revoked token, missing
	// rights). Retrying does not help until the profile is fixed.
	KindAuth ErrorKind = "auth"
	// KindUnreachable means the host name did not resolve, the connection was refused or the URL
	// redirected elsewhere: a configuration or network problem, not a data problem.
	KindUnreachable ErrorKind = "unreachable"
	// KindOutcomeUnknown means a create may or may not have been committed: the request was sent
	// but no answer arrived (timeout, connection reset, 5xx after the request reached the
	// service). The host must look the object up by its reference before creating it again.
	KindOutcomeUnknown ErrorKind = "outcome_unknown"
	// KindProcessed means the ledger record was processed further and can no longer be changed
	// or deleted (a SnelStart sales order that was invoiced: VOR-0015). Code keeps the service's
	// code. The host then books a credit order instead of deleting (orders.on_cancel).
	KindProcessed ErrorKind = "processed"
	// KindConfig means the plugin configuration is invalid (a value the schema allows but the
	// service does not).
	KindConfig ErrorKind = "config"
)

// CodeCustomerGone is the Code of a KindPermanent refusal caused by the order's customer: the
// relatie is inactive (non-actief) or no longer exists in the ledger. The service's own code is
// in the Message. The host forgets its remembered match for that customer and matches again.
const CodeCustomerGone = "customer_gone"

// IsCustomerGone reports whether err is a refusal with CodeCustomerGone.
func IsCustomerGone(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeCustomerGone
}

// Error is the typed error connectors return. It survives the trip from plugin to host: the
// host sees the same Kind, Code, Message and RetryAfter.
type Error struct {
	// Kind says how the host should treat the failure.
	Kind ErrorKind
	// Code is the service's own error code when it gave one (SnelStart "VOR-0012",
	// WooCommerce "rest_invalid_param"); empty otherwise.
	Code string
	// Message is written for a bookkeeper: what is wrong and, where known, what to do.
	// It never contains a secret.
	Message string
	// RetryAfter is the service's requested wait for KindRetryable (429 Retry-After); zero
	// when unknown.
	RetryAfter time.Duration
	// Err is the underlying cause, if any; it is not sent across the plugin boundary.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if e.Code != "" {
		msg = e.Code + ": " + msg
	}
	if e.Err != nil && e.Message == "" {
		msg = e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error of the given kind with a formatted message.
func Errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err: the Kind of the first *Error in its chain, KindRetryable for a
// context deadline, and KindPermanent for anything else that is not nil. It returns "" for nil.
func KindOf(err error) ErrorKind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return KindRetryable
	}
	return KindPermanent
}

// IsRetryable reports whether the host may try the same call again later: KindRetryable, and
// KindOutcomeUnknown once the object has been looked up.
func IsRetryable(err error) bool {
	k := KindOf(err)
	return k == KindRetryable || k == KindOutcomeUnknown
}

// RetryAfterOf returns the service's requested wait, or zero.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
