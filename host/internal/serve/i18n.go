package serve

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// Languages of the dashboard: Dutch (the default) and English.
const (
	langNL = "nl"
	langEN = "en"
	// langCookie remembers the choice made with ?lang=.
	langCookie = "koppel_lang"
)

// pickLang returns the language of a request: ?lang= (remembered in a cookie), else the
// cookie, else Dutch.
func pickLang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == langNL || l == langEN {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langNL || c.Value == langEN) {
		return c.Value
	}
	return langNL
}

// tr is one language's texts and formats.
type tr struct {
	lang string
	loc  *time.Location
	now  time.Time
}

// Lang returns the language code ("nl" or "en").
func (t tr) Lang() string { return t.lang }

// Now returns the time the page was made.
func (t tr) Now() time.Time { return t.now }

// Reason renders a stored (English) reason in the page's language (text.Reason).
func (t tr) Reason(reason string) string { return text.Reason(text.Lang(t.lang), reason) }

// T returns the text of key (text's catalogue), formatted with args when given.
func (t tr) T(key string, args ...any) string { return t.printer().T(key, args...) }

// printer is the catalogue in the page's language.
func (t tr) printer() text.Printer { return text.Printer{Lang: text.Lang(t.lang)} }

// Time formats a time in the dashboard's zone; "—" for the zero time.
func (t tr) Time(v time.Time) string {
	if v.IsZero() {
		return t.T("none")
	}
	v = v.In(t.loc)
	if t.lang == langEN {
		return v.Format("2006-01-02 15:04:05")
	}
	return v.Format("02-01-2006 15:04:05")
}

// Rel says how far a time is from now ("over 4 min", "3 min geleden").
func (t tr) Rel(v time.Time) string {
	if v.IsZero() {
		return ""
	}
	d := v.Sub(t.now)
	switch {
	case d > time.Second:
		return t.T("in", shortDuration(d))
	case d < -time.Second:
		return t.T("ago", shortDuration(-d))
	}
	return t.T("now")
}

// Kind returns the human name of an attention item's kind, or the kind itself.
func (t tr) Kind(kind string) string {
	if m, ok := t.printer().Lookup("kind." + kind); ok {
		return m
	}
	return kind
}

// Dur formats a duration shortly ("1m5s", "850ms").
func (t tr) Dur(d time.Duration) string { return shortDuration(d) }

// Every formats a task interval; 0 is "on demand only".
func (t tr) Every(d time.Duration) string {
	if d <= 0 {
		return t.T("on_demand")
	}
	return shortDuration(d)
}

// Amount formats a decimal string (as in pipeline.PlanReport) like Money; "" shows as "—".
func (t tr) Amount(s string) string {
	if s == "" {
		return t.T("none")
	}
	m, err := sdk.ParseMoney(s)
	if err != nil {
		return s
	}
	return t.Money(&m)
}

// Num writes a decimal string as it is (a quantity, a unit price with up to 4 decimals), with a
// decimal comma in Dutch.
func (t tr) Num(s string) string {
	if t.lang == langEN {
		return s
	}
	return strings.ReplaceAll(s, ".", ",")
}

// Money formats an amount with two decimals and thousands separators in the language's style:
// € 1.234,50 in Dutch, €1,234.50 in English.
func (t tr) Money(m *sdk.Money) string {
	if m == nil {
		return t.T("none")
	}
	s := m.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	thou, dec := ".", ","
	if t.lang == langEN {
		thou, dec = ",", "."
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(thou)
		}
		b.WriteRune(c)
	}
	sign := ""
	if neg {
		sign = "-"
	}
	if t.lang == langEN {
		return sign + "€" + b.String() + dec + frac
	}
	return sign + "€ " + b.String() + dec + frac
}

// shortDuration rounds d for people: milliseconds under a second, seconds under a minute,
// whole seconds under an hour, whole minutes above; without trailing zero units ("15m", "1h").
func shortDuration(d time.Duration) string {
	switch {
	case d < 0:
		d = -d
	}
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	case d < time.Hour:
		d = d.Round(time.Second)
	case d >= 48*time.Hour:
		// Days for far-away times ("over 3d4h"), not thousands of hours.
		days := int(d / (24 * time.Hour))
		hours := int((d % (24 * time.Hour)).Round(time.Hour) / time.Hour)
		if hours == 24 {
			days, hours = days+1, 0
		}
		if hours == 0 {
			return strconv.Itoa(days) + "d"
		}
		return strconv.Itoa(days) + "d" + strconv.Itoa(hours) + "h"
	default:
		d = d.Round(time.Minute)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
