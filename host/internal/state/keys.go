package state

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Key is an encoded state-store key. Build keys with the helpers in this file
// (CursorKey, OrderKey, RunKey, ...) or with Namespace.Key, never by
// concatenating strings: every component is escaped so that '/' inside a
// profile name or id cannot make two keys (or a key and a prefix) collide.
// A Key whose text ends in '/' is a prefix, usable with List, DeletePrefix
// and DeleteOlder.
type Key string

// String returns the encoded key text.
func (k Key) String() string { return string(k) }

// IsPrefix reports whether k is a prefix (ends in the separator) rather than
// a complete record key.
func (k Key) IsPrefix() bool { return strings.HasSuffix(string(k), sep) }

// Namespace is the first component of every key. It names the kind of record
// stored under it.
type Namespace string

// The namespaces of the key layout (see the package documentation).
const (
	NSCursor   Namespace = "cursor"   // cursor/<profile>/<task>: incremental-read checkpoint of a task
	NSOrder    Namespace = "order"    // order/<profile>/<shop-id>: an order already booked in accounting
	NSRun      Namespace = "run"      // run/<profile>/<start-time>: history of one task run
	NSFailed   Namespace = "failed"   // failed/<profile>/<shop-id>: a record that failed and waits for retry
	NSMap      Namespace = "map"      // map/<profile>/<kind>/<key>: mapping of shop values to accounting ids
	NSStock    Namespace = "stock"    // stock/<profile>/<sku>: last stock quantity written for a product
	NSIntent   Namespace = "intent"   // intent/<profile>/<shop-id>: write started but not yet acknowledged
	NSLock     Namespace = "lock"     // lock/<profile>/<task>: lease lock that keeps runs of a task apart
	NSSchedule Namespace = "schedule" // schedule/<profile>/<task>: scheduler bookkeeping (last/next run)
	// NSAttention holds attention items: attention/<profile>/<item-id>, a situation after import
	// that a person must look at (cancelled, refunded or changed orders, collisions, differences).
	NSAttention Namespace = "attention"
	// NSNotify holds the alerts of the notify block: notify/<profile>/<event-id>, an event and
	// to which channels it was sent, so every event is sent once (and a daily digest's time).
	NSNotify Namespace = "notify"
)

// Namespaces lists the namespaces of the key layout in a stable order.
func Namespaces() []Namespace {
	return []Namespace{NSCursor, NSOrder, NSRun, NSFailed, NSMap, NSStock, NSIntent, NSLock, NSSchedule, NSAttention, NSNotify}
}

// MapKind is the second level of the map namespace: which kind of value a
// mapping translates. Any non-empty string is allowed; the constants are the
// kinds the pipeline uses.
type MapKind string

// Mapping kinds used by the pipeline.
const (
	MapCustomer      MapKind = "customer"       // shop customer -> SnelStart relation id
	MapArticle       MapKind = "article"        // shop SKU/product -> SnelStart article id
	MapCountry       MapKind = "country"        // ISO country code -> SnelStart land id
	MapVATCode       MapKind = "vat"            // shop tax class/rate -> SnelStart VAT code
	MapLedger        MapKind = "ledger"         // revenue/cost category -> SnelStart grootboek id
	MapPaymentMethod MapKind = "payment-method" // shop payment method -> SnelStart journal/ledger
)

const sep = "/"

// runTimeLayout is the fixed-width UTC encoding of a run start time. Every
// field is zero-padded, so byte order equals chronological order for the
// years 0001..9999.
const runTimeLayout = "2006-01-02T15:04:05.000000000Z"

var (
	minRunTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxRunTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// ErrBadKey is returned (wrapped) when a key does not follow the layout.
var ErrBadKey = errors.New("state: malformed key")

// emptyComponent encodes the empty string, so that no key ends in the
// separator (which marks a prefix) and no key has an empty component.
const emptyComponent = "%00"

// escape makes a component free of the separator. '%' and '/' are the only
// bytes replaced ("%25", "%2F"), and the empty string is written "%00", so
// the encoding is injective and keys stay readable in diagnostics.
func escape(s string) string {
	if s == "" {
		return emptyComponent
	}
	if !strings.ContainsAny(s, "%/") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			b.WriteString("%25")
		case '/':
			b.WriteString("%2F")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescape reverses escape. Only the two canonical escapes are accepted, so
// each key has exactly one decoding and each value exactly one encoding.
func unescape(s string) (string, error) {
	switch {
	case s == emptyComponent:
		return "", nil
	case s == "":
		return "", fmt.Errorf("%w: empty component", ErrBadKey)
	}
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("%w: truncated escape in %q", ErrBadKey, s)
		}
		switch s[i+1 : i+3] {
		case "25":
			b.WriteByte('%')
		case "2F":
			b.WriteByte('/')
		default:
			return "", fmt.Errorf("%w: invalid escape %q", ErrBadKey, s[i:i+3])
		}
		i += 2
	}
	return b.String(), nil
}

func join(ns Namespace, parts []string, prefix bool) Key {
	var b strings.Builder
	b.WriteString(escape(string(ns)))
	for _, p := range parts {
		b.WriteString(sep)
		b.WriteString(escape(p))
	}
	if prefix {
		b.WriteString(sep)
	}
	return Key(b.String())
}

// Key builds the record key ns/<profile>/<parts...>, escaping every component.
func (ns Namespace) Key(profile string, parts ...string) Key {
	return join(ns, append([]string{profile}, parts...), false)
}

// Prefix returns the prefix "ns/" that covers every key of the namespace,
// across all profiles.
func (ns Namespace) Prefix() Key { return join(ns, nil, true) }

// ProfilePrefix returns "ns/<profile>/", the prefix of all keys of one
// profile in the namespace. It never matches keys of another profile, even
// one whose name starts with this profile's name followed by '/'.
func (ns Namespace) ProfilePrefix(profile string) Key {
	return join(ns, []string{profile}, true)
}

// CursorKey is the key of the read checkpoint of task in profile.
func CursorKey(profile, task string) Key { return NSCursor.Key(profile, task) }

// OrderKey is the key recording that shop order shopID of profile was booked.
func OrderKey(profile, shopID string) Key { return NSOrder.Key(profile, shopID) }

// RunKey is the key of the run of profile that started at start. The time is
// stored in UTC with a fixed-width layout, so List over NSRun.ProfilePrefix
// yields runs oldest first (newest first with Reverse). Times outside the
// years 0001..9999 are clamped.
func RunKey(profile string, start time.Time) Key {
	return NSRun.Key(profile, formatRunTime(start))
}

// FailedKey is the key of the failure record of shop record shopID.
func FailedKey(profile, shopID string) Key { return NSFailed.Key(profile, shopID) }

// MapKey is the key of the mapping of key (a shop-side value) of the given kind.
func MapKey(profile string, kind MapKind, key string) Key {
	return NSMap.Key(profile, string(kind), key)
}

// MapPrefix is the prefix of all mappings of one kind of profile.
func MapPrefix(profile string, kind MapKind) Key {
	return join(NSMap, []string{profile, string(kind)}, true)
}

// StockKey is the key of the last stock quantity written for sku.
func StockKey(profile, sku string) Key { return NSStock.Key(profile, sku) }

// IntentKey is the key of the write intent for shop record shopID.
func IntentKey(profile, shopID string) Key { return NSIntent.Key(profile, shopID) }

// LockKey is the key of the lease lock of task in profile.
func LockKey(profile, task string) Key { return NSLock.Key(profile, task) }

// AttentionKey is the key of attention item id of profile.
func AttentionKey(profile, id string) Key { return NSAttention.Key(profile, id) }

// ScheduleKey is the key of the scheduler record of task in profile.
func ScheduleKey(profile, task string) Key { return NSSchedule.Key(profile, task) }

func formatRunTime(t time.Time) string {
	t = t.UTC()
	if t.Before(minRunTime) {
		t = minRunTime
	}
	if t.After(maxRunTime) {
		t = maxRunTime
	}
	return t.Format(runTimeLayout)
}

// ParsedKey is the decoded form of a record key.
type ParsedKey struct {
	Namespace Namespace
	Profile   string
	// Parts are the components after the profile, unescaped (for example the
	// task, the shop id, or kind and key for NSMap).
	Parts []string
}

// ParseKey decodes a record key built by this package. It fails with
// ErrBadKey for prefixes, keys without a profile, and invalid escapes.
func ParseKey(k Key) (ParsedKey, error) {
	s := string(k)
	if k.IsPrefix() {
		return ParsedKey{}, fmt.Errorf("%w: %q is a prefix", ErrBadKey, s)
	}
	comps := strings.Split(s, sep)
	if len(comps) < 2 {
		return ParsedKey{}, fmt.Errorf("%w: %q has no profile", ErrBadKey, s)
	}
	dec := make([]string, len(comps))
	for i, c := range comps {
		u, err := unescape(c)
		if err != nil {
			return ParsedKey{}, err
		}
		dec[i] = u
	}
	return ParsedKey{Namespace: Namespace(dec[0]), Profile: dec[1], Parts: dec[2:]}, nil
}

// RunTime returns the start time encoded in a RunKey.
func RunTime(k Key) (time.Time, error) {
	p, err := ParseKey(k)
	if err != nil {
		return time.Time{}, err
	}
	if p.Namespace != NSRun || len(p.Parts) != 1 {
		return time.Time{}, fmt.Errorf("%w: %q is not a run key", ErrBadKey, string(k))
	}
	t, err := time.Parse(runTimeLayout, p.Parts[0])
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: run key %q: %v", ErrBadKey, string(k), err)
	}
	return t, nil
}

// namespaceOf returns the (still escaped) first component of a raw key.
func namespaceOf(raw []byte) Namespace {
	s := string(raw)
	if i := strings.Index(s, sep); i >= 0 {
		s = s[:i]
	}
	if u, err := unescape(s); err == nil {
		return Namespace(u)
	}
	return Namespace(s)
}

// MaxKeyLen is the longest encoded key the store accepts (Badger's limit).
const MaxKeyLen = 65000

// checkKey rejects keys Badger cannot store or reserves for itself, with a
// short message (Badger's own error would dump the whole key).
func checkKey(k Key) error {
	switch {
	case len(k) == 0:
		return fmt.Errorf("%w: empty key", ErrBadKey)
	case len(k) > MaxKeyLen:
		return fmt.Errorf("%w: key of %d bytes exceeds %d (starts %q)", ErrBadKey, len(k), MaxKeyLen, string(k[:64]))
	case strings.HasPrefix(string(k), "!badger!"):
		return fmt.Errorf("%w: %q is reserved by Badger", ErrBadKey, string(k))
	}
	return nil
}
