package onetoshop

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// TokenBytes is the amount of randomness in a token made by NewToken.
const TokenBytes = 32

// NewToken returns a fresh API token: 32 random bytes from crypto/rand, URL-safe base64 without
// padding (43 characters). The user enters it in the Onetoshop back office and in the profile
// (S-Connect: "U klikt op het slotje en vervolgens wordt er een token gegenereerd").
func NewToken() (string, error) {
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
