package httpclient

import (
	"net/url"
	"testing"
)

func TestRedactURL(t *testing.T) {
	r := newRedactor([]string{"s3cr3t/x", "tok-123"})
	tests := []struct{ in, want string }{
		{"https://shop.nl/wp-json/wc/v3/orders?consumer_key=ck_1&consumer_secret=cs_2&page=3",
			"https://shop.nl/wp-json/wc/v3/orders?consumer_key=REDACTED&consumer_secret=REDACTED&page=3"},
		{"https://u:pw@shop.nl/x?oauth_signature=abc%3D&oauth_nonce=n&per_page=100",
			"https://shop.nl/x?oauth_signature=REDACTED&oauth_nonce=REDACTED&per_page=100"},
		{"https://api.nl/v2/relaties?$filter=Email%20eq%20'a@b.nl'&Subscription-Key=zz",
			"https://api.nl/v2/relaties?$filter=Email%20eq%20'a@b.nl'&Subscription-Key=REDACTED"},
		{"https://api.nl/p/s3cr3t%2Fx/q", "https://api.nl/p/REDACTED/q"},
		{"https://api.nl/?note=tok-123&API_KEY=1&Password=2&access_token=3", "https://api.nl/?note=REDACTED&API_KEY=REDACTED&Password=REDACTED&access_token=REDACTED"},
		{"https://api.nl/?%zz=1&a=2", "https://api.nl/?REDACTED&a=2"},
		{"https://api.nl", "https://api.nl/"},
	}
	for _, tc := range tests {
		u, err := url.Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.URL(u); got != tc.want {
			t.Errorf("URL(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
	u, _ := url.Parse("https://h/a?key=1")
	if got := r.Path(u); got != "/a?key=REDACTED" {
		t.Errorf("Path = %s", got)
	}
}

func TestRedactString(t *testing.T) {
	r := newRedactor([]string{"abc", "abcdef", ""})
	if got := r.String("x abcdef y abc"); got != "x REDACTED y REDACTED" {
		t.Errorf("String = %q (longest secret must be replaced whole)", got)
	}
}
