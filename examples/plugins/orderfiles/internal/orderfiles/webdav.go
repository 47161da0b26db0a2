package orderfiles

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// webdavSource is a folder on a WebDAV server (Nextcloud, ownCloud, a NAS, a hosting panel):
// PROPFIND lists it, GET reads a file, PUT writes one.
type webdavSource struct {
	base     *url.URL // the folder, with a trailing slash, without user info
	username string
	password string
	http     *httpclient.Client
}

func newWebDAVSource(raw, username, password string, o httpclient.Options) (*webdavSource, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, sdk.Errorf(sdk.KindConfig, "location %q is neither a folder path nor an http(s) URL", redactURL(raw))
	}
	if u.User != nil {
		// Credentials in the URL would be printed with it; take them out.
		if username == "" {
			username = u.User.Username()
		}
		if p, ok := u.User.Password(); ok && password == "" {
			password = p
		}
		u.User = nil
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	if password != "" {
		o.Redact = append(o.Redact, password)
	}
	return &webdavSource{base: u, username: username, password: password, http: httpclient.New(o)}, nil
}

// readOnly reclassifies an error of a PROPFIND, which changes nothing on the server: httpclient
// treats it like a POST (only GET, HEAD, PUT, DELETE, OPTIONS and TRACE are known to be
// idempotent), so a 5xx comes back as KindOutcomeUnknown; for a read that is KindRetryable.
func readOnly(err error) error {
	var e *sdk.Error
	if errors.As(err, &e) && e.Kind == sdk.KindOutcomeUnknown {
		c := *e
		c.Kind = sdk.KindRetryable
		c.Message = strings.TrimSuffix(c.Message, "; the request may have been processed, look it up before repeating it")
		return &c
	}
	return err
}

// redactURL drops user info from a URL-like string for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if i := strings.Index(raw, "@"); i >= 0 && strings.Contains(raw[:i], "://") {
			return raw[:strings.Index(raw, "://")+3] + "(credentials)@" + raw[i+1:]
		}
		return raw
	}
	u.User = nil
	return u.String()
}

func (w *webdavSource) Describe() string { return w.base.String() }

func (w *webdavSource) fileURL(name string) string {
	u := *w.base
	u.Path = w.base.Path + name
	return u.String()
}

func (w *webdavSource) do(ctx context.Context, method, target string, body []byte, header map[string]string) (*http.Response, error) {
	var rd *bytes.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequestWithContext(ctx, method, target, rd)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, target, nil)
	}
	if err != nil {
		return nil, sdk.Errorf(sdk.KindConfig, "build %s request: %v", method, err)
	}
	if w.username != "" || w.password != "" {
		req.SetBasicAuth(w.username, w.password)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return w.http.Do(req)
}

// statusError classifies a WebDAV answer that is not a success.
func (w *webdavSource) statusError(op string, resp *http.Response) error {
	defer resp.Body.Close()
	where := w.base.String()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return &sdk.Error{Kind: sdk.KindAuth, Code: fmt.Sprintf("http_%d", resp.StatusCode),
			Message: fmt.Sprintf("%s: %s refused the username or password (HTTP %d)", op, where, resp.StatusCode)}
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return &sdk.Error{Kind: sdk.KindUnreachable, Code: fmt.Sprintf("http_%d", resp.StatusCode),
			Message: fmt.Sprintf("%s: %s redirects to %s; put that address in location", op, where, redactURL(resp.Header.Get("Location")))}
	case resp.StatusCode == http.StatusNotFound:
		return &sdk.Error{Kind: sdk.KindNotFound, Code: "http_404", Message: fmt.Sprintf("%s: not found on %s", op, where)}
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return &sdk.Error{Kind: sdk.KindRetryable, Code: fmt.Sprintf("http_%d", resp.StatusCode),
			Message: fmt.Sprintf("%s: %s answered HTTP %d", op, where, resp.StatusCode)}
	}
	return &sdk.Error{Kind: sdk.KindPermanent, Code: fmt.Sprintf("http_%d", resp.StatusCode),
		Message: fmt.Sprintf("%s: %s answered HTTP %d", op, where, resp.StatusCode)}
}

const propfindBody = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getlastmodified/><d:getcontentlength/></d:prop></d:propfind>`

// multistatus is the part of a PROPFIND answer koppel reads.
type multistatus struct {
	Responses []struct {
		Href     string `xml:"href"`
		Propstat []struct {
			Status string `xml:"status"`
			Prop   struct {
				ResourceType struct {
					Collection *struct{} `xml:"collection"`
				} `xml:"resourcetype"`
				LastModified  string `xml:"getlastmodified"`
				ContentLength int64  `xml:"getcontentlength"`
			} `xml:"prop"`
		} `xml:"propstat"`
	} `xml:"response"`
}

func (w *webdavSource) List(ctx context.Context) ([]fileInfo, error) {
	resp, err := w.do(ctx, "PROPFIND", w.base.String(), []byte(propfindBody),
		map[string]string{"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
	if err != nil {
		return nil, readOnly(err)
	}
	if resp.StatusCode != http.StatusMultiStatus {
		err := w.statusError("list folder", resp)
		if sdk.KindOf(err) == sdk.KindNotFound {
			return nil, &sdk.Error{Kind: sdk.KindUnreachable, Code: "http_404",
				Message: fmt.Sprintf("folder %s does not exist on the WebDAV server", w.base)}
		}
		return nil, err
	}
	body, err := httpclient.ReadBody(resp, 16<<20)
	if err != nil {
		return nil, err
	}
	var ms multistatus
	if err := xml.Unmarshal(body, &ms); err != nil {
		return nil, sdk.Errorf(sdk.KindPermanent, "list folder %s: the server's answer is not WebDAV XML: %v", w.base, err)
	}
	var out []fileInfo
	for _, r := range ms.Responses {
		hu, err := url.Parse(strings.TrimSpace(r.Href))
		if err != nil {
			continue
		}
		p := hu.Path
		if !strings.HasPrefix(p, w.base.Path) || p == w.base.Path || strings.HasSuffix(p, "/") {
			continue // the folder itself, a subfolder, or something outside it
		}
		name := path.Base(p)
		for _, ps := range r.Propstat {
			if !strings.Contains(ps.Status, " 200") || ps.Prop.ResourceType.Collection != nil {
				continue
			}
			mod, _ := http.ParseTime(strings.TrimSpace(ps.Prop.LastModified))
			out = append(out, fileInfo{Name: name, ModTime: mod.UTC(), Size: ps.Prop.ContentLength})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (w *webdavSource) Read(ctx context.Context, name string) ([]byte, error) {
	resp, err := w.do(ctx, http.MethodGet, w.fileURL(name), nil, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, w.statusError("read "+name, resp)
	}
	return httpclient.ReadBody(resp, maxFileSize)
}

func (w *webdavSource) Write(ctx context.Context, name string, data []byte) error {
	resp, err := w.do(ctx, http.MethodPut, w.fileURL(name), data, map[string]string{"Content-Type": "text/csv; charset=utf-8"})
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return w.statusError("write "+name, resp)
	}
	resp.Body.Close()
	return nil
}
