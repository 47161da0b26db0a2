package jetfile

import (
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"
)

func fixture(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KOPPEL_SHARED")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(filepath.Dir(d), "shared")
				break
			}
		}
	}
	p := filepath.Join(dir, "fixtures", "mdb", "snelstart11-demo.mdb")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixture %s is missing (set KOPPEL_SHARED)", p)
	}
	return p
}

func TestFixtureHeader(t *testing.T) {
	h, err := ReadFile(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if h.Format != Jet4 || h.HasPassword {
		t.Fatalf("header = %+v, want Jet 4 without password", h)
	}
	if err := h.CheckPassword(""); err != nil {
		t.Errorf("empty password refused: %v", err)
	}
	if err := h.CheckPassword("geheim"); !errors.Is(err, ErrBadPassword) {
		t.Errorf("password for a file without one: %v, want ErrBadPassword", err)
	}
}

// withPassword returns a copy of a Jet 4 header page with pw set, obscured as Jet stores it.
func withPassword(t *testing.T, page []byte, pw string) []byte {
	t.Helper()
	out := append([]byte(nil), page...)
	plain := make([]byte, offScramble+126)
	copy(plain, page)
	c, _ := rc4.NewCipher(headerKey)
	c.XORKeyStream(plain[offScramble:], page[offScramble:offScramble+126])
	mask := passwordMask(plain)
	field := make([]byte, 40)
	for i, u := range utf16.Encode([]rune(pw)) {
		binary.LittleEndian.PutUint16(field[2*i:], u)
	}
	for i := range field {
		plain[offPassword+i] = field[i] ^ mask[i%4]
	}
	c2, _ := rc4.NewCipher(headerKey)
	c2.XORKeyStream(out[offScramble:offScramble+126], plain[offScramble:])
	return out
}

func TestPasswordRoundTrip(t *testing.T) {
	page, err := os.ReadFile(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	page = page[:4096]
	for _, pw := range []string{"geheim", "Wachtwoord€1", "a"} {
		h, err := Parse(withPassword(t, page, pw))
		if err != nil {
			t.Fatal(err)
		}
		if !h.HasPassword || h.CheckPassword(pw) != nil {
			t.Errorf("%q: header %+v does not accept its password", pw, h)
		}
		if h.CheckPassword("") == nil || h.CheckPassword(pw+"x") == nil {
			t.Errorf("%q: a wrong password was accepted", pw)
		}
		if s := h.String(); s != "Jet 4, password protected" {
			t.Errorf("String() = %q", s)
		}
	}
}

func TestNotJet(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":  {},
		"short":  []byte("\x00\x01\x00\x00Standard Jet DB\x00"),
		"sqlite": append([]byte("SQLite format 3\x00"), make([]byte, 200)...),
	} {
		if _, err := Parse(data); !errors.Is(err, ErrNotJet) {
			t.Errorf("%s: %v, want ErrNotJet", name, err)
		}
	}
	p := filepath.Join(t.TempDir(), "x.mdb")
	os.WriteFile(p, nil, 0o644)
	if _, err := ReadFile(p); !errors.Is(err, ErrNotJet) {
		t.Errorf("empty file: %v, want ErrNotJet", err)
	}
}
