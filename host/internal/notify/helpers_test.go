package notify

import (
	"crypto/tls"
	"crypto/x509"
	"errors"

	"github.com/shopspring/decimal"
)

type tls12 struct{ pool *x509.CertPool }

func (t tls12) config() *tls.Config {
	return &tls.Config{RootCAs: t.pool, MinVersion: tls.VersionTLS12}
}

func errString(s string) error { return errors.New(s) }

func decimalOf(s string) decimal.Decimal { return decimal.RequireFromString(s) }
