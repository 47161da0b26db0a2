package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/koppel-nl/koppel/sdk"
	pb "github.com/koppel-nl/koppel/sdk/internal/protocol/v1"
)

// kindUnknownInstance marks a call on an instance the plugin process does not know (it was
// restarted); the client configures the instance again and repeats the call once.
const kindUnknownInstance = "unknown_instance"

// toStatus converts a plugin-side error to a gRPC status carrying an ErrorDetail.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	var se *sdk.Error
	if !errors.As(err, &se) {
		kind := sdk.KindOf(err)
		se = &sdk.Error{Kind: kind, Message: err.Error()}
	}
	code := codes.Unknown
	switch se.Kind {
	case sdk.KindRetryable:
		code = codes.Unavailable
	case sdk.KindNotFound:
		code = codes.NotFound
	case sdk.KindAuth:
		code = codes.Unauthenticated
	case sdk.KindPermanent, sdk.KindConfig, sdk.KindProcessed:
		code = codes.InvalidArgument
	case sdk.KindUnreachable:
		code = codes.FailedPrecondition
	case sdk.KindOutcomeUnknown:
		code = codes.Aborted
	}
	msg := se.Message
	if msg == "" && se.Err != nil {
		msg = se.Err.Error()
	}
	// Protobuf strings must be UTF-8, and a message quoting a shop's answer may not be (Latin-1,
	// or cut inside a character): unrepaired, the detail is refused and the kind lost.
	msg = strings.ToValidUTF8(msg, "\uFFFD")
	st := status.New(code, msg)
	withDetail, derr := st.WithDetails(&pb.ErrorDetail{
		Kind:         string(se.Kind),
		Code:         strings.ToValidUTF8(se.Code, "\uFFFD"),
		Message:      msg,
		RetryAfterMs: se.RetryAfter.Milliseconds(),
	})
	if derr != nil {
		return st.Err()
	}
	return withDetail.Err()
}

func unknownInstance(id string) error {
	st := status.New(codes.FailedPrecondition, fmt.Sprintf("instance %q is not configured in this plugin process", id))
	st2, err := st.WithDetails(&pb.ErrorDetail{Kind: kindUnknownInstance, Message: st.Message()})
	if err != nil {
		return st.Err()
	}
	return st2.Err()
}

// detailOf returns the ErrorDetail of a status error, or nil.
func detailOf(err error) *pb.ErrorDetail {
	st, ok := status.FromError(err)
	if !ok {
		return nil
	}
	for _, d := range st.Details() {
		if ed, ok := d.(*pb.ErrorDetail); ok {
			return ed
		}
	}
	return nil
}

// fromStatus converts an error returned by a gRPC call into an *sdk.Error. A call that failed
// because the plugin process went away becomes KindRetryable, or KindOutcomeUnknown when the call
// could have created something (mutating is true), since the create may have been committed.
func fromStatus(ctx context.Context, plugin, method string, err error, mutating bool) error {
	if err == nil {
		return nil
	}
	if d := detailOf(err); d != nil && d.Kind != kindUnknownInstance {
		return &sdk.Error{
			Kind:       sdk.ErrorKind(d.Kind),
			Code:       d.Code,
			Message:    d.Message,
			RetryAfter: time.Duration(d.RetryAfterMs) * time.Millisecond,
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("plugin %s: %s: %w", plugin, method, ctx.Err())
	}
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.Unavailable, codes.Canceled, codes.Internal, codes.Unknown, codes.DeadlineExceeded:
		kind := sdk.KindRetryable
		what := "the call can be repeated"
		if mutating {
			kind = sdk.KindOutcomeUnknown
			what = "whether it took effect is unknown"
		}
		return &sdk.Error{
			Kind:    kind,
			Message: fmt.Sprintf("plugin %s stopped answering during %s (%s); %s; it is started again on the next call", plugin, method, st.Message(), what),
			Err:     err,
		}
	}
	return &sdk.Error{Kind: sdk.KindPermanent, Message: fmt.Sprintf("plugin %s: %s: %s", plugin, method, st.Message()), Err: err}
}

// scrub replaces, in the message and code of an *sdk.Error a plugin answered, the values cfg
// gives the attributes the plugin's schema (as Info answered) marks Sensitive, as they are and
// URL-escaped, by "(sensitive)", the mark the host shows for them everywhere. sdk.Attribute.Sensitive promises that the host never shows
// such a value; this keeps that promise for a plugin that quotes an error answer echoing its
// key or password without redacting it itself. Before Info, or for another error, err is
// returned as it is.
func (r *Remote) scrub(err error, cfg sdk.Config) error {
	var se *sdk.Error
	if !errors.As(err, &se) {
		return err
	}
	r.mu.Lock()
	schema := r.schema
	r.mu.Unlock()
	var secrets []string
	for _, a := range schema.Attributes {
		var v string
		if !a.Sensitive || json.Unmarshal(cfg[a.Name], &v) != nil || len(v) < minScrubLength {
			continue
		}
		secrets = append(secrets, v)
		if q := url.QueryEscape(v); q != v {
			secrets = append(secrets, q)
		}
	}
	if len(secrets) == 0 {
		return err
	}
	// Longest first, so a secret containing another is replaced whole.
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(secrets))
	for _, v := range secrets {
		pairs = append(pairs, v, scrubbed)
	}
	rep := strings.NewReplacer(pairs...)
	se.Message, se.Code = rep.Replace(se.Message), rep.Replace(se.Code)
	return err
}

// scrubbed replaces a sensitive value in an error (the host's mark for them, config.Redacted).
const scrubbed = "(sensitive)"

// minScrubLength is the shortest sensitive value scrub replaces: a shorter one would blank
// ordinary words from messages and is no secret worth the name.
const minScrubLength = 4

func isUnknownInstance(err error) bool {
	d := detailOf(err)
	return d != nil && d.Kind == kindUnknownInstance
}
