package text

import "strings"

// BriefLen is the length up to which a reason is shown whole.
const BriefLen = 120

// Brief splits a long reason into its first clause (one short sentence) and reports whether
// there is more to show behind it (the dashboard folds the rest away, the CLI shows it with
// --verbose). A reason up to BriefLen characters is returned whole.
func Brief(reason string) (short string, more bool) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) <= BriefLen {
		return reason, false
	}
	cut := -1
	for _, sep := range []string{"; ", ". ", ": "} {
		if i := strings.Index(reason, sep); i >= 20 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut < 0 || cut > BriefLen*2 {
		r := []rune(reason)
		return strings.TrimSpace(string(r[:BriefLen-1])) + "…", true
	}
	return strings.TrimSuffix(reason[:cut], "."), true
}
