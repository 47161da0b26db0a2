package sdk

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSchemaValidate(t *testing.T) {
	cases := []struct {
		name  string
		attrs []Attribute
		want  string
	}{
		{"ok", []Attribute{{Name: "url", Type: TypeString, Required: true}, {Name: "timeout", Type: TypeDuration, Default: MustDefault("30s")}}, ""},
		{"empty name", []Attribute{{Type: TypeString}}, "empty name"},
		{"twice", []Attribute{{Name: "a", Type: TypeString}, {Name: "a", Type: TypeBool}}, "declared twice"},
		{"bad type", []Attribute{{Name: "a", Type: "int"}}, "unknown type"},
		{"required with default", []Attribute{{Name: "a", Type: TypeString, Required: true, Default: MustDefault("x")}}, "required and has a default"},
		{"default of wrong type", []Attribute{{Name: "a", Type: TypeBool, Default: MustDefault("yes")}}, "default of"},
		{"bad duration default", []Attribute{{Name: "a", Type: TypeDuration, Default: MustDefault("soon")}}, "default of"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Schema{Attributes: tc.attrs}.Validate()
			if tc.want == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestConfigGettersAndRedaction(t *testing.T) {
	s := Schema{Attributes: []Attribute{
		{Name: "url", Type: TypeString},
		{Name: "secret", Type: TypeString, Sensitive: true},
		{Name: "n", Type: TypeNumber},
		{Name: "on", Type: TypeBool},
		{Name: "d", Type: TypeDuration},
		{Name: "l", Type: TypeStringList},
		{Name: "m", Type: TypeStringMap},
	}}
	c := Config{}.Set("url", "http://x").Set("secret", "hunter2").Set("n", 100).Set("on", true).
		Set("d", "15m").Set("l", []string{"a", "b"}).Set("m", map[string]string{"k": "v"})
	if c.String("url") != "http://x" || c.Int("n") != 100 || !c.Bool("on") || c.Duration("d") != 15*time.Minute ||
		len(c.StringList("l")) != 2 || c.StringMap("m")["k"] != "v" {
		t.Fatalf("getters: %+v", c)
	}
	if c.String("absent") != "" || c.Int("absent") != 0 || c.StringList("absent") != nil {
		t.Fatal("absent attributes must read as zero values")
	}
	red := c.Redacted(s)
	if strings.Contains(red, "hunter2") || !strings.Contains(red, "secret=(sensitive)") || !strings.Contains(red, `url="http://x"`) {
		t.Fatalf("Redacted = %s", red)
	}
	// An attribute the schema does not know is treated as sensitive.
	c["extra"] = json.RawMessage(`"leak"`)
	if strings.Contains(c.Redacted(s), "leak") {
		t.Fatal("an undeclared attribute was printed")
	}
}

func TestErrorKinds(t *testing.T) {
	e := &Error{Kind: KindRetryable, Code: "ALG-0001", Message: "too many requests", RetryAfter: time.Second}
	wrapped := errors.Join(errors.New("context"), e)
	cases := []struct {
		err       error
		kind      ErrorKind
		retryable bool
	}{
		{nil, "", false},
		{e, KindRetryable, true},
		{wrapped, KindRetryable, true},
		{Errorf(KindOutcomeUnknown, "lost"), KindOutcomeUnknown, true},
		{Errorf(KindPermanent, "bad"), KindPermanent, false},
		{errors.New("plain"), KindPermanent, false},
	}
	for _, tc := range cases {
		if KindOf(tc.err) != tc.kind || IsRetryable(tc.err) != tc.retryable {
			t.Fatalf("%v: kind %q retryable %v", tc.err, KindOf(tc.err), IsRetryable(tc.err))
		}
	}
	if RetryAfterOf(wrapped) != time.Second || e.Error() != "ALG-0001: too many requests" {
		t.Fatalf("RetryAfterOf/Error: %v %q", RetryAfterOf(wrapped), e.Error())
	}
}
