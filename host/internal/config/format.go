package config

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// HintPrefix marks the hint of a diagnostic. By this package's convention a diagnostic's hint
// (what to write instead) is the last line of its Detail and starts with HintPrefix; SplitHint
// separates it. Other printers (hcl's own text writer, the dashboard) thus still show it.
const HintPrefix = "hint: "

// withHint appends a hint line to a detail.
func withHint(detail, hint string) string {
	switch {
	case hint == "":
		return detail
	case detail == "":
		return HintPrefix + hint
	default:
		return detail + "\n" + HintPrefix + hint
	}
}

// SplitHint splits a diagnostic Detail into its text and its hint ("" when it has none).
func SplitHint(detail string) (text, hint string) {
	if strings.HasPrefix(detail, HintPrefix) {
		return "", detail[len(HintPrefix):]
	}
	if i := strings.LastIndex(detail, "\n"+HintPrefix); i >= 0 {
		return detail[:i], detail[i+1+len(HintPrefix):]
	}
	return detail, ""
}

// Format writes diagnostics for a person, one after another:
//
//	file.hcl:LINE,COL: error: summary; detail
//	    <the source line>
//	    <carets under the subject>
//	  hint: what to write instead
//
// The detail part is left out when empty, the source lines when the diagnostic has no subject or
// its file is not in files, the hint line when there is no hint (see HintPrefix). redact (may be
// nil) is applied to everything printed, including the source line; pass Config.Redactor() so a
// secret written literally in a profile is not shown either.
func Format(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File, redact func(string) string) error {
	if redact == nil {
		redact = func(s string) string { return s }
	}
	var b bytes.Buffer
	for _, d := range diags {
		if d == nil {
			continue
		}
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		text, hint := SplitHint(d.Detail)
		text = strings.TrimSpace(strings.ReplaceAll(text, "\n", " "))
		msg := d.Summary
		if text != "" {
			msg += "; " + text
		}
		if d.Subject != nil && d.Subject.Filename != "" {
			fmt.Fprintf(&b, "%s:%d,%d: %s: %s\n", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, sev, redact(msg))
			if f, ok := files[d.Subject.Filename]; ok && f != nil {
				writeSnippet(&b, f.Bytes, *d.Subject, redact)
			}
		} else {
			fmt.Fprintf(&b, "%s: %s\n", sev, redact(msg))
		}
		if hint != "" {
			fmt.Fprintf(&b, "  %s%s\n", HintPrefix, redact(strings.ReplaceAll(hint, "\n", " ")))
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeSnippet writes the source line of rng's start and a caret line under the subject.
func writeSnippet(b *bytes.Buffer, src []byte, rng hcl.Range, redact func(string) string) {
	start := rng.Start.Byte
	if start < 0 || start > len(src) {
		return
	}
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	lineEnd := len(src)
	if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
		lineEnd = start + i
	}
	end := rng.End.Byte
	if end < start || end > lineEnd {
		end = lineEnd
	}
	prefix := redact(string(src[lineStart:start]))
	marked := redact(string(src[start:end]))
	suffix := redact(string(src[end:lineEnd]))
	line := strings.TrimRight(prefix+marked+suffix, "\r")
	fmt.Fprintf(b, "    %s\n", line)
	var caret strings.Builder
	for _, r := range prefix {
		if r == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte(' ')
		}
	}
	n := utf8.RuneCountInString(strings.TrimRight(marked, "\r"))
	if n < 1 {
		n = 1
	}
	caret.WriteString(strings.Repeat("^", n))
	fmt.Fprintf(b, "    %s\n", caret.String())
}

// suggest returns the name in candidates closest to s, or "" when none is close.
func suggest(s string, candidates []string) string {
	if len(s) >= 3 {
		var hit []string
		for _, c := range candidates {
			if strings.Contains(strings.ToLower(c), strings.ToLower(s)) {
				hit = append(hit, c)
			}
		}
		if len(hit) == 1 {
			return hit[0]
		}
	}
	best, bestD := "", 0
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	limit := 3
	if l := utf8.RuneCountInString(best); l < 6 {
		limit = 2
	}
	if bestD <= limit {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance of two strings, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 200 || len(rb) > 200 {
		return 1 << 20
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// quoteList formats names as "a", "b", "c".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
