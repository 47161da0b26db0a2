package state

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestKeyBuilders(t *testing.T) {
	start := time.Date(2024, 3, 5, 7, 8, 9, 120, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		got  Key
		want string
	}{
		{"cursor", CursorKey("shop1", "orders"), "cursor/shop1/orders"},
		{"order", OrderKey("shop1", "1001"), "order/shop1/1001"},
		{"run in UTC, fixed width", RunKey("shop1", start), "run/shop1/2024-03-05T06:08:09.000000120Z"},
		{"failed", FailedKey("shop1", "x"), "failed/shop1/x"},
		{"map", MapKey("shop1", MapCustomer, "a@b.nl"), "map/shop1/customer/a@b.nl"},
		{"stock", StockKey("shop1", "SKU-1"), "stock/shop1/SKU-1"},
		{"intent", IntentKey("shop1", "9"), "intent/shop1/9"},
		{"lock", LockKey("shop1", "orders"), "lock/shop1/orders"},
		{"schedule", ScheduleKey("shop1", "orders"), "schedule/shop1/orders"},
		{"slash in profile", CursorKey("a/b", "t"), "cursor/a%2Fb/t"},
		{"percent in id", OrderKey("p", "50%/x"), "order/p/50%25%2Fx"},
		{"empty components", OrderKey("", ""), "order/%00/%00"},
		{"empty profile prefix", NSOrder.ProfilePrefix(""), "order/%00/"},
		{"namespace prefix", NSRun.Prefix(), "run/"},
		{"profile prefix", NSOrder.ProfilePrefix("a/b"), "order/a%2Fb/"},
		{"map prefix", MapPrefix("p", MapArticle), "map/p/article/"},
		{"clamped far future", RunKey("p", time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)), "run/p/9999-12-31T23:59:59.999999999Z"},
		{"clamped zero time", RunKey("p", time.Time{}), "run/p/0001-01-01T00:00:00.000000000Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if string(tc.got) != tc.want {
				t.Fatalf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		key     Key
		want    ParsedKey
		wantErr bool
	}{
		{key: OrderKey("a/b", "x%y"), want: ParsedKey{NSOrder, "a/b", []string{"x%y"}}},
		{key: MapKey("p", MapCountry, "NL"), want: ParsedKey{NSMap, "p", []string{"country", "NL"}}},
		{key: "cursor/p", want: ParsedKey{NSCursor, "p", []string{}}},
		{key: "cursor", wantErr: true},
		{key: "cursor/p/", wantErr: true},
		{key: "/p/x", wantErr: true},
		{key: "order//x", wantErr: true},
		{key: "order/%00/%00", want: ParsedKey{NSOrder, "", []string{""}}},
		{key: "order/p/%2f", wantErr: true},
		{key: "order/p/%", wantErr: true},
		{key: "order/p/%2", wantErr: true},
		{key: "order/p/%41", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(string(tc.key), func(t *testing.T) {
			got, err := ParseKey(tc.key)
			if tc.wantErr {
				if !errors.Is(err, ErrBadKey) {
					t.Fatalf("err = %v, want ErrBadKey", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Namespace != tc.want.Namespace || got.Profile != tc.want.Profile || !slices.Equal(got.Parts, tc.want.Parts) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestRunKeysSortChronologically(t *testing.T) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	times := []time.Time{
		base.Add(-365 * 24 * time.Hour * 30),
		base.Add(-time.Nanosecond),
		base,
		base.Add(time.Nanosecond),
		base.Add(999 * time.Millisecond),
		base.Add(time.Second),
		base.Add(10 * time.Hour).In(time.FixedZone("X", -11*3600)),
		base.Add(365 * 24 * time.Hour * 100),
	}
	var keys []string
	for _, tm := range times {
		k := RunKey("p", tm)
		got, err := RunTime(k)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(tm) {
			t.Fatalf("RunTime(%q) = %s, want %s", k, got, tm)
		}
		keys = append(keys, string(k))
	}
	if !slices.IsSorted(keys) {
		t.Fatalf("run keys not in chronological byte order: %q", keys)
	}
	if _, err := RunTime(OrderKey("p", "1")); !errors.Is(err, ErrBadKey) {
		t.Fatalf("RunTime of an order key: err = %v, want ErrBadKey", err)
	}
}

func TestProfilePrefixesDoNotCollide(t *testing.T) {
	profiles := []string{"a", "a/b", "a/", "ab", "a%2Fb", "a%", ""}
	for _, p := range profiles {
		for _, q := range profiles {
			k := CursorKey(q, "t")
			has := strings.HasPrefix(string(k), string(NSCursor.ProfilePrefix(p)))
			if has != (p == q) {
				t.Errorf("prefix of %q matches key of %q (%q): %v", p, q, k, has)
			}
		}
	}
}

func TestSuccessor(t *testing.T) {
	tests := []struct{ in, want []byte }{
		{[]byte("run/"), []byte("run0")},
		{[]byte{'a', 0xFF}, []byte{'b'}},
		{[]byte{0xFF, 0xFF}, nil},
		{nil, nil},
	}
	for _, tc := range tests {
		if got := successor(tc.in); string(got) != string(tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("successor(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzKey checks that any profile and id round-trip through the key encoding
// and that keys never fall under another profile's prefix.
func FuzzKey(f *testing.F) {
	seeds := [][3]string{
		{"a", "1", "a/b"}, {"a/b", "x/y", "a"}, {"", "", "/"}, {"%", "%2F", "%25"},
		{"p%2Fq", "/", "p/q"}, {"\xff", "\x00", "\xff\xff"}, {"shop", "run/", "shop/run"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, profile, id, other string) {
		for _, k := range []Key{OrderKey(profile, id), MapKey(profile, MapKind(other), id)} {
			p, err := ParseKey(k)
			if err != nil {
				t.Fatalf("ParseKey(%q): %v", k, err)
			}
			if p.Profile != profile || p.Parts[len(p.Parts)-1] != id {
				t.Fatalf("round trip of %q/%q gave %+v", profile, id, p)
			}
			if !strings.HasPrefix(string(k), string(p.Namespace.ProfilePrefix(profile))) {
				t.Fatalf("key %q not under its own profile prefix", k)
			}
			if other != profile && strings.HasPrefix(string(k), string(p.Namespace.ProfilePrefix(other))) {
				t.Fatalf("key %q of profile %q falls under prefix of profile %q", k, profile, other)
			}
		}
		if other != profile && OrderKey(profile, id) == OrderKey(other, id) {
			t.Fatalf("profiles %q and %q give the same key", profile, other)
		}
		if other != id && OrderKey(profile, id) == OrderKey(profile, other) {
			t.Fatalf("ids %q and %q give the same key", id, other)
		}
	})
}
