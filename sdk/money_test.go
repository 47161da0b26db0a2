package sdk

import "testing"

func TestParseMoney(t *testing.T) {
	cases := []struct {
		in, want string
		err      bool
	}{
		{"12.10", "12.1", false},
		{"", "0", false},
		{" -3 ", "-3", false},
		{"12,10", "12.1", false},
		{"1,234.50", "", true},
		{"0.333", "0.333", false},
		{"1e2", "100", false},
		{"abc", "", true},
	}
	for _, tc := range cases {
		got, err := ParseMoney(tc.in)
		if (err != nil) != tc.err {
			t.Fatalf("ParseMoney(%q) err = %v", tc.in, err)
		}
		if err == nil && got.String() != tc.want {
			t.Fatalf("ParseMoney(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if RoundCents(MustMoney("0.125")).String() != "0.13" || RoundCents(MustMoney("-0.125")).String() != "-0.13" {
		t.Fatal("RoundCents must round half away from zero")
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"12.10", "", "1,5", "-0.001", "1e400", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseMoney(s)
	})
}
