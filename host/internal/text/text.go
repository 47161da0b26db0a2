// Package text holds what koppel says to a bookkeeper (command line, dashboard, failure reasons), in
// Dutch (the default) and English, and picks the language: --lang, then KOPPEL_LANG, then the
// locale (LC_ALL, LC_MESSAGES, LANG); Dutch when none of them says nl or en.
package text

import (
	"fmt"
	"strings"
)

// Lang is a language of koppel's output.
type Lang string

// The languages.
const (
	NL Lang = "nl"
	EN Lang = "en"
)

// Parse reads a language choice ("nl", "en", or a locale such as "en_GB.UTF-8"); ok is false
// when it names neither.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "nl" || strings.HasPrefix(s, "nl_") || strings.HasPrefix(s, "nl-") || strings.HasPrefix(s, "nl."):
		return NL, true
	case s == "en" || strings.HasPrefix(s, "en_") || strings.HasPrefix(s, "en-") || strings.HasPrefix(s, "en."):
		return EN, true
	}
	return NL, false
}

// Detect picks the language: flag (--lang) when set, else KOPPEL_LANG, else the locale
// variables, else Dutch. A flag that names no language is an error.
func Detect(flag string, getenv func(string) (string, bool)) (Lang, error) {
	if flag != "" {
		l, ok := Parse(flag)
		if !ok {
			return NL, fmt.Errorf("--lang %q: use nl (Nederlands) or en (English)", flag)
		}
		return l, nil
	}
	for _, k := range []string{"KOPPEL_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if v, ok := getenv(k); ok && v != "" {
			if l, ok := Parse(v); ok {
				return l, nil
			}
			if k == "KOPPEL_LANG" {
				return NL, nil
			}
		}
	}
	return NL, nil
}

// Lookup returns the message of key in p's language, unformatted; ok is false when the
// catalogue has no such key.
func (p Printer) Lookup(key string) (msg string, ok bool) {
	msg, ok = catalogue[p.Lang][key]
	return msg, ok
}

// Printer says catalogue keys in one language.
type Printer struct{ Lang Lang }

// T returns the message of key in p's language, formatted with args (fmt verbs). A key the
// catalogue lacks shows as "??key" (a test checks both languages have every key).
func (p Printer) T(key string, args ...any) string {
	m, ok := catalogue[p.Lang][key]
	if !ok {
		return "??" + key
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}
