package main

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestPrintToken(t *testing.T) {
	var a, b bytes.Buffer
	if err := printToken(&a, nil); err != nil {
		t.Fatal(err)
	}
	if err := printToken(&b, nil); err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSuffix(a.String(), "\n")
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) != 32 || strings.Count(a.String(), "\n") != 1 {
		t.Errorf("token %q: %v (%d bytes)", a.String(), err, len(raw))
	}
	if a.String() == b.String() {
		t.Error("two tokens are equal")
	}
	if err := printToken(&a, []string{"extra"}); err == nil {
		t.Error("an argument was accepted")
	}
}

func TestInfo(t *testing.T) {
	i := info()
	if i.Name != "onetoshop" || i.Version != version || i.Schema.Validate() != nil {
		t.Errorf("info %+v", i)
	}
	if a, ok := i.Schema.Attribute("token"); !ok || !a.Sensitive || !a.Required {
		t.Errorf("token attribute %+v", a)
	}
}
