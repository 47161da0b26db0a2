package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// wpError is a WordPress REST error: rendered as {"code","message","data":{"status",...}}.
type wpError struct {
	Status  int
	Code    string
	Message string
	// Extra holds additional keys of data (params, details, resource_id, ...), in order.
	Extra []kv
}

type kv struct {
	Key   string
	Value any
}

func (e *wpError) Error() string { return e.Code + ": " + e.Message }

// body renders the error as WordPress does.
func (e *wpError) body() any {
	data := orderedMap{{"status", e.Status}}
	data = append(data, e.Extra...)
	return orderedMap{{"code", e.Code}, {"message", e.Message}, {"data", data}}
}

func newErr(status int, code, msg string) *wpError {
	return &wpError{Status: status, Code: code, Message: msg}
}

// invalidParams builds WordPress's rest_invalid_param error for the given parameters, with
// data.params (param → message) and data.details (param → {code,message,data}).
func invalidParams(problems ...paramProblem) *wpError {
	names := make([]string, 0, len(problems))
	params := orderedMap{}
	details := orderedMap{}
	for _, p := range problems {
		names = append(names, p.Param)
		params = append(params, kv{p.Param, p.Message})
		details = append(details, kv{p.Param, orderedMap{{"code", p.Code}, {"message", p.Message}, {"data", p.Data}}})
	}
	return &wpError{
		Status:  http.StatusBadRequest,
		Code:    "rest_invalid_param",
		Message: "Invalid parameter(s): " + strings.Join(names, ", "),
		Extra:   []kv{{"params", params}, {"details", details}},
	}
}

// paramProblem is one parameter's validation failure.
type paramProblem struct {
	Param   string
	Code    string // rest_out_of_bounds, rest_invalid_type, rest_not_in_enum, rest_invalid_date
	Message string
	Data    any
}

func typeProblem(param, typ string) paramProblem {
	return paramProblem{Param: param, Code: "rest_invalid_type",
		Message: param + " is not of type " + typ + ".", Data: orderedMap{{"param", param}}}
}

func enumProblem(param string, enum []string) paramProblem {
	return paramProblem{Param: param, Code: "rest_not_in_enum",
		Message: param + " is not one of " + wpList(enum) + ".", Data: nil}
}

// wpList formats a list as WordPress's %l does: "a, b, and c", or "a and b".
func wpList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	case 2:
		return items[0] + " and " + items[1]
	}
	return strings.Join(items[:len(items)-1], ", ") + ", and " + items[len(items)-1]
}

// orderedMap is a JSON object that keeps its keys in insertion order.
type orderedMap []kv

// MarshalJSON renders the keys in order.
func (m orderedMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeNoEscape(&b, e.Key); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := encodeNoEscape(&b, e.Value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// encodeNoEscape appends v's JSON without HTML escaping and without the trailing newline.
func encodeNoEscape(b *bytes.Buffer, v any) error {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Write(bytes.TrimRight(tmp.Bytes(), "\n"))
	return nil
}

// phpJSON encodes v the way PHP's json_encode does with WordPress's default flags: "/" as "\/"
// and every non-ASCII character as a \uXXXX escape (surrogate pairs above U+FFFF); "<", ">" and
// "&" are not escaped. orderedMap trees are written directly (no re-encoding per level).
func phpJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeValue(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeValue(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case orderedMap:
		b.WriteByte('{')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, e.Key)
			b.WriteByte(':')
			if err := writeValue(b, e.Value); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeValue(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case string:
		writeString(b, x)
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case json.Number:
		b.WriteString(string(x))
	default:
		var tmp bytes.Buffer
		enc := json.NewEncoder(&tmp)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return err
		}
		raw := bytes.TrimRight(tmp.Bytes(), "\n")
		// Re-escape strings inside the generic encoding the PHP way.
		for i := 0; i < len(raw); {
			c := raw[i]
			if c == '/' {
				b.WriteString(`\/`)
				i++
				continue
			}
			if c < utf8.RuneSelf {
				b.WriteByte(c)
				i++
				continue
			}
			r, size := utf8.DecodeRune(raw[i:])
			i += size
			writeRuneEscape(b, r)
		}
	}
	return nil
}

// writeString writes a JSON string with PHP's escaping.
func writeString(b *bytes.Buffer, s string) {
	const hexd = "0123456789abcdef"
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '/':
			b.WriteString(`\/`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hexd[r>>4])
			b.WriteByte(hexd[r&15])
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		default:
			writeRuneEscape(b, r)
		}
	}
	b.WriteByte('"')
}

func writeRuneEscape(b *bytes.Buffer, r rune) {
	if r == utf8.RuneError {
		r = 0xFFFD
	}
	if r > 0xFFFF {
		r -= 0x10000
		b.Write(appendU(nil, 0xD800+(r>>10)))
		b.Write(appendU(nil, 0xDC00+(r&0x3FF)))
		return
	}
	b.Write(appendU(nil, r))
}

func appendU(out []byte, r rune) []byte {
	h := strconv.FormatInt(int64(r), 16)
	out = append(out, '\\', 'u')
	for n := len(h); n < 4; n++ {
		out = append(out, '0')
	}
	return append(out, h...)
}

// writeJSON writes v with the given status and WordPress's content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := phpJSON(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":"internal_server_error","message":"The response could not be encoded.","data":{"status":500}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *wpError) {
	writeJSON(w, e.Status, e.body())
}
