package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const notifyProfile = `
profile "winkel" {
  shop "woocommerce" {
    url = "https://winkel.nl"
  }
  ledger "snelstart-online" {
    client_key = "k"
  }
  orders {
    since = "2026-01-01T00:00:00+01:00"
  }
%s
}
`

func loadText(t *testing.T, files map[string]string) (*Config, string) {
	t.Helper()
	dir := t.TempDir()
	for n, s := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags := Load(dir, LoadOptions{Env: func(k string) (string, bool) {
		if k == "SMTP_PASSWORD" {
			return "heel-geheim-smtp", true
		}
		return "", false
	}})
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.Error())
	}
	return cfg, strings.Join(msgs, "\n")
}

func TestNotifyAndSMTPBlocks(t *testing.T) {
	cfg, diags := loadText(t, map[string]string{
		"koppel.hcl": `koppel {
  smtp {
    host     = "smtp.winkel.nl"
    username = "koppel@winkel.nl"
    password = env("SMTP_PASSWORD")
    from     = "koppel <koppel@winkel.nl>"
  }
}`,
		"winkel.hcl": strings.Replace(notifyProfile, "%s", `  notify {
    email   = ["boekhouding@winkel.nl"]
    webhook = "https://hooks.example/koppel"
    on      = ["failed", "task_failed"]
    digest  = "none"
  }`, 1),
	})
	if diags != "" {
		t.Fatal(diags)
	}
	s := cfg.Koppel.SMTP
	if s == nil || s.Host != "smtp.winkel.nl" || s.Port != 587 || s.Password != "heel-geheim-smtp" || s.From != "koppel <koppel@winkel.nl>" {
		t.Fatalf("smtp %+v", s)
	}
	if got := cfg.Redactor()("login heel-geheim-smtp"); strings.Contains(got, "heel-geheim") {
		t.Errorf("the smtp password is not redacted: %q", got)
	}
	n := cfg.Profiles[0].Notify
	if n == nil || n.Digest != "none" || n.Webhook != "https://hooks.example/koppel" || !n.Wants("failed") || n.Wants("attention") {
		t.Fatalf("notify %+v", n)
	}
	// Defaults: every event, daily digest.
	cfg, diags = loadText(t, map[string]string{"winkel.hcl": strings.Replace(notifyProfile, "%s", `  notify {
    webhook = "https://hooks.example/koppel"
  }`, 1)})
	if diags != "" {
		t.Fatal(diags)
	}
	if n := cfg.Profiles[0].Notify; n.Digest != "daily" || !n.Wants("attention") || !n.Wants("failed") || !n.Wants("task_failed") {
		t.Errorf("defaults %+v", n)
	}
}

func TestNotifyErrors(t *testing.T) {
	tests := []struct {
		name, koppel, notify, want string
	}{
		{"email without smtp", "", `notify { email = ["a@b.nl"] }`, "notify.email needs koppel { smtp"},
		{"unknown event", "", `notify {
    webhook = "https://h.nl"
    on = ["faild"]
  }`, `did you mean "failed"`},
		{"bad digest", "", `notify {
    webhook = "https://h.nl"
    digest = "weekly"
  }`, "digest"},
		{"nowhere", "", `notify { on = ["failed"] }`, "sends nowhere"},
		{"bad address", "", `notify { email = ["boekhouding"] }`, "not an e-mail address"},
		{"bad webhook", "", `notify { webhook = "ftp://x" }`, "not an http(s) URL"},
		{"smtp without from", `koppel {
  smtp { host = "s.nl" }
}`, "", "koppel.smtp.from is required"},
		{"smtp user without password", `koppel {
  smtp {
    host = "s.nl"
    from = "k@s.nl"
    username = "k"
  }
}`, "", "both username and password"},
		{"unknown koppel block", `koppel {
  smpt { host = "s.nl" }
}`, "", `did you mean "smtp"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"winkel.hcl": strings.Replace(notifyProfile, "%s", tt.notify, 1)}
			if tt.koppel != "" {
				files["koppel.hcl"] = tt.koppel
			}
			_, diags := loadText(t, files)
			if !strings.Contains(diags, tt.want) {
				t.Errorf("diagnostics lack %q:\n%s", tt.want, diags)
			}
		})
	}
}
