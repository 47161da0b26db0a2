package sdk

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// AttrType is the type of one configuration attribute a plugin declares.
type AttrType string

const (
	// TypeString is a string.
	TypeString AttrType = "string"
	// TypeNumber is a number; integers and decimals alike (sent as a JSON number).
	TypeNumber AttrType = "number"
	// TypeBool is true or false.
	TypeBool AttrType = "bool"
	// TypeDuration is a Go duration string ("30s", "15m"); the host checks it parses.
	TypeDuration AttrType = "duration"
	// TypeStringList is a list of strings.
	TypeStringList AttrType = "list(string)"
	// TypeStringMap is a map of string to string.
	TypeStringMap AttrType = "map(string)"
)

// Attribute declares one attribute of a plugin's shop or ledger block.
type Attribute struct {
	// Name is the HCL attribute name (snake_case).
	Name string `json:"name"`
	// Type is the attribute's type.
	Type AttrType `json:"type"`
	// Required attributes must be written in the profile.
	Required bool `json:"required,omitempty"`
	// Sensitive values (keys, secrets, passwords) are never printed, logged or shown; the host
	// redacts them everywhere.
	Sensitive bool `json:"sensitive,omitempty"`
	// Default is the value used when the attribute is absent, as the JSON value of its type
	// (e.g. `"https://api.snelstart.nl"`, `30`, `["processing"]`). Nil means no default.
	Default json.RawMessage `json:"default,omitempty"`
	// Enum, when not empty, lists the only values a string attribute (or every element of a
	// list) may take.
	Enum []string `json:"enum,omitempty"`
	// Description is one or two sentences for the documentation and for `koppel validate`
	// hints.
	Description string `json:"description"`
}

// Schema is the configuration a plugin accepts in its profile block.
type Schema struct {
	Attributes []Attribute `json:"attributes"`
}

// Attribute returns the declared attribute with that name, or false.
func (s Schema) Attribute(name string) (Attribute, bool) {
	for _, a := range s.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

// Names returns the attribute names, sorted.
func (s Schema) Names() []string {
	out := make([]string, 0, len(s.Attributes))
	for _, a := range s.Attributes {
		out = append(out, a.Name)
	}
	sort.Strings(out)
	return out
}

// Validate reports a schema that the host could not use: empty or duplicate names, an unknown
// type, a default that does not match its type, a required attribute with a default.
func (s Schema) Validate() error {
	seen := map[string]bool{}
	for _, a := range s.Attributes {
		if a.Name == "" {
			return fmt.Errorf("schema: attribute with empty name")
		}
		if seen[a.Name] {
			return fmt.Errorf("schema: attribute %q declared twice", a.Name)
		}
		seen[a.Name] = true
		switch a.Type {
		case TypeString, TypeNumber, TypeBool, TypeDuration, TypeStringList, TypeStringMap:
		default:
			return fmt.Errorf("schema: attribute %q has unknown type %q", a.Name, a.Type)
		}
		if a.Required && a.Default != nil {
			return fmt.Errorf("schema: attribute %q is required and has a default", a.Name)
		}
		if a.Default != nil {
			if _, err := (Config{a.Name: a.Default}).value(a); err != nil {
				return fmt.Errorf("schema: default of %q: %w", a.Name, err)
			}
		}
	}
	return nil
}

// Config is the decoded configuration of one plugin instance: attribute name to its JSON value.
// The host fills in defaults and checks types against the Schema before a plugin sees it, so the
// typed getters below only fail on a programming error (asking for an undeclared name).
type Config map[string]json.RawMessage

func (c Config) value(a Attribute) (any, error) {
	raw, ok := c[a.Name]
	if !ok || raw == nil {
		return nil, nil
	}
	var err error
	switch a.Type {
	case TypeString:
		var v string
		err = json.Unmarshal(raw, &v)
		return v, err
	case TypeDuration:
		var v string
		if err = json.Unmarshal(raw, &v); err == nil {
			_, err = time.ParseDuration(v)
		}
		return v, err
	case TypeNumber:
		var v json.Number
		err = json.Unmarshal(raw, &v)
		return v, err
	case TypeBool:
		var v bool
		err = json.Unmarshal(raw, &v)
		return v, err
	case TypeStringList:
		var v []string
		err = json.Unmarshal(raw, &v)
		return v, err
	case TypeStringMap:
		var v map[string]string
		err = json.Unmarshal(raw, &v)
		return v, err
	}
	return nil, fmt.Errorf("unknown type %q", a.Type)
}

// String returns a string or duration attribute, or "" when absent.
func (c Config) String(name string) string {
	var v string
	_ = json.Unmarshal(c[name], &v)
	return v
}

// Bool returns a bool attribute, or false when absent.
func (c Config) Bool(name string) bool {
	var v bool
	_ = json.Unmarshal(c[name], &v)
	return v
}

// Int returns a number attribute as an int, or 0 when absent.
func (c Config) Int(name string) int {
	var v float64
	_ = json.Unmarshal(c[name], &v)
	return int(v)
}

// Duration returns a duration attribute, or 0 when absent or malformed.
func (c Config) Duration(name string) time.Duration {
	d, _ := time.ParseDuration(c.String(name))
	return d
}

// StringList returns a list attribute, or nil when absent.
func (c Config) StringList(name string) []string {
	var v []string
	_ = json.Unmarshal(c[name], &v)
	return v
}

// StringMap returns a map attribute, or nil when absent.
func (c Config) StringMap(name string) map[string]string {
	var v map[string]string
	_ = json.Unmarshal(c[name], &v)
	return v
}

// Set stores a value (marshalled to JSON) and returns the config, for tests and defaults.
func (c Config) Set(name string, v any) Config {
	b, err := json.Marshal(v)
	if err == nil {
		c[name] = b
	}
	return c
}

// Redacted returns a printable form of the config with every sensitive attribute of the schema
// replaced by "(sensitive)". Use it whenever a config is logged or shown.
func (c Config) Redacted(s Schema) string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(" ")
		}
		a, ok := s.Attribute(n)
		if !ok || a.Sensitive {
			fmt.Fprintf(&b, "%s=(sensitive)", n)
			continue
		}
		fmt.Fprintf(&b, "%s=%s", n, c[n])
	}
	return b.String()
}

// MustDefault marshals a default value for an Attribute literal; it panics on a value that
// cannot be marshalled, which is a programming error in the plugin's schema.
func MustDefault(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
