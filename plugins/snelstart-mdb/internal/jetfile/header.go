// Package jetfile reads the header page of a Microsoft Access (Jet) database file: its format
// version and whether the database password given matches the one stored in it. It never
// writes to the file.
package jetfile

import (
	"bytes"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"unicode/utf16"
)

// Format is a Jet engine file format.
type Format string

// Formats this package recognises.
const (
	Jet3 Format = "Jet 3"  // Access 97
	Jet4 Format = "Jet 4"  // Access 2000-2003, SnelStart 11
	ACE  Format = "ACE 12" // Access 2007 and later (.accdb)
)

// ErrNotJet means the file is not an Access database.
var ErrNotJet = errors.New("not a Microsoft Access (.mdb) database")

// ErrBadPassword means the password given does not match the database password in the file.
var ErrBadPassword = errors.New("the database password does not match the one of the file")

// Header is what the first page of a Jet file says.
type Header struct {
	Format Format
	// HasPassword reports whether a database password is set.
	HasPassword bool
	password    string
}

// magic is the start of every Jet/ACE file: page type 0, then "Standard Jet DB" or
// "Standard ACE DB".
var (
	magicJet = []byte("\x00\x01\x00\x00Standard Jet DB\x00")
	magicACE = []byte("\x00\x01\x00\x00Standard ACE DB\x00")
)

// headerKey is the fixed RC4 key that obscures part of the header page.
var headerKey = []byte{0xc7, 0xda, 0x39, 0x6b}

const (
	offVersion  = 0x14
	offScramble = 0x18
	offPassword = 0x42
	offDate     = 0x72
)

// ReadFile reads the header of the file at path.
func ReadFile(path string) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, err
	}
	defer f.Close()
	buf := make([]byte, 0x80+0x80)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		if errors.Is(err, io.EOF) {
			return Header{}, ErrNotJet
		}
		return Header{}, err
	}
	return Parse(buf[:n])
}

// Parse reads a header from the first bytes of a file (at least 0x98).
func Parse(page []byte) (Header, error) {
	if len(page) < offScramble+126 {
		return Header{}, ErrNotJet
	}
	var h Header
	switch {
	case bytes.HasPrefix(page, magicJet):
		if page[offVersion] == 0 {
			h.Format = Jet3
		} else {
			h.Format = Jet4
		}
	case bytes.HasPrefix(page, magicACE):
		h.Format = ACE
	default:
		return Header{}, ErrNotJet
	}
	size := 126
	if h.Format == Jet3 {
		size = 128
	}
	plain := make([]byte, offScramble+size)
	copy(plain, page[:offScramble])
	c, err := rc4.NewCipher(headerKey)
	if err != nil {
		return Header{}, err
	}
	c.XORKeyStream(plain[offScramble:], page[offScramble:offScramble+size])
	if h.Format == Jet3 {
		pw := plain[offPassword : offPassword+20]
		h.password = string(bytes.TrimRight(pw, "\x00"))
	} else {
		pw := append([]byte(nil), plain[offPassword:offPassword+40]...)
		mask := passwordMask(plain)
		for i := range pw {
			pw[i] ^= mask[i%4]
		}
		units := make([]uint16, 0, 20)
		for i := 0; i+1 < len(pw); i += 2 {
			u := binary.LittleEndian.Uint16(pw[i:])
			if u == 0 {
				break
			}
			units = append(units, u)
		}
		h.password = string(utf16.Decode(units))
	}
	h.HasPassword = h.password != ""
	return h, nil
}

// passwordMask is the 4-byte mask Jet 4 lays over the password: the integer part of the
// creation date stored in the header.
func passwordMask(plain []byte) [4]byte {
	var m [4]byte
	f := math.Float64frombits(binary.LittleEndian.Uint64(plain[offDate:]))
	if math.IsNaN(f) || math.IsInf(f, 0) || f > math.MaxInt32 || f < math.MinInt32 {
		return m
	}
	binary.LittleEndian.PutUint32(m[:], uint32(int32(f)))
	return m
}

// CheckPassword returns ErrBadPassword when password does not match the file's database
// password. An empty password matches a file without one; a password given for a file that
// has none is refused too, since the configuration is then wrong.
func (h Header) CheckPassword(password string) error {
	if h.Format == ACE {
		// ACE files keep their password differently; the ODBC driver checks it.
		return nil
	}
	if password != h.password {
		return ErrBadPassword
	}
	return nil
}

// String describes the header without its password.
func (h Header) String() string {
	if h.HasPassword {
		return fmt.Sprintf("%s, password protected", h.Format)
	}
	return string(h.Format)
}
