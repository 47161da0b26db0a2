// Package tlscert makes and keeps the self-signed certificate koppel serves its dashboard and
// API with under tls = "self-signed", and computes the SHA-256 fingerprint a person compares
// with what the browser shows.
package tlscert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File names of the self-signed certificate and its key in the directory given to
// LoadOrCreate.
const (
	CertFile = "koppel-selfsigned.crt"
	KeyFile  = "koppel-selfsigned.key"
)

// validity is how long a self-signed certificate is valid; one that expires within renewBefore
// is replaced.
const (
	validity    = 2 * 365 * 24 * time.Hour
	renewBefore = 30 * 24 * time.Hour
)

// LoadOrCreate returns the self-signed certificate kept in dir (CertFile, KeyFile), creating
// dir (0700) and a new ECDSA P-256 certificate when there is none or it expires within 30
// days. The certificate names localhost, 127.0.0.1, ::1, the machine's host name and every
// host in hosts (names or IP addresses, e.g. the host of koppel.listen). The key file is
// written with mode 0600. Keeping the certificate means its fingerprint stays the same across
// restarts, so a browser exception or a pinned fingerprint keeps working.
func LoadOrCreate(dir string, hosts []string, now time.Time) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err == nil && cert.Leaf != nil && now.Add(renewBefore).Before(cert.Leaf.NotAfter) && covers(cert.Leaf, hosts) {
		return cert, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, fmt.Errorf("self-signed certificate in %s: %w (remove both files to make a new one)", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("self-signed certificate: %w", err)
	}
	certPEM, keyPEM, err := generate(hosts, now)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFile(keyPath, keyPEM); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFile(certPath, certPEM); err != nil {
		return tls.Certificate{}, err
	}
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("self-signed certificate: %w", err)
	}
	return cert, nil
}

// covers reports whether the certificate names every host.
func covers(leaf *x509.Certificate, hosts []string) bool {
	for _, h := range hosts {
		if h == "" {
			continue
		}
		if leaf.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

// generate makes a certificate and key as PEM.
func generate(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "koppel dashboard", Organization: []string{"koppel"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	names := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" {
		names = append(names, h)
	}
	names = append(names, hosts...)
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSuffix(strings.TrimPrefix(n, "["), "]")
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		if ip := net.ParseIP(n); ip != nil {
			if !ip.IsUnspecified() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// writeFile writes b to path with mode 0600 through a synced temporary file.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("self-signed certificate: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("self-signed certificate: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("self-signed certificate: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("self-signed certificate: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("self-signed certificate: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("self-signed certificate: %w", err)
	}
	return nil
}

// Fingerprint is the SHA-256 of a certificate's DER encoding as colon-separated upper-case hex
// pairs, the form browsers show ("AB:CD:...").
func Fingerprint(cert tls.Certificate) string {
	if len(cert.Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(cert.Certificate[0])
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
