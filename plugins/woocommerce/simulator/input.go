package simulator

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// The request-body types below never fail to decode on a wrong JSON type: they record what
// they received, so validation can report every problem with WordPress's parameter paths
// ("line_items[0][total] is not of type string.").

// jString is a JSON string field.
type jString struct {
	Set, Bad bool
	V        string
}

// UnmarshalJSON accepts a string; null leaves the field unset; anything else is recorded as bad.
func (j *jString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	j.Set = true
	if err := json.Unmarshal(b, &j.V); err != nil {
		j.Bad = true
	}
	return nil
}

// jMoney is a money field: WooCommerce's schema types it as a string holding a decimal.
type jMoney struct {
	Set, Bad bool
	V        decimal.Decimal
}

// UnmarshalJSON accepts a decimal string ("" is zero); a JSON number or malformed text is bad.
func (j *jMoney) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	j.Set = true
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		j.Bad = true
		return nil
	}
	str = strings.TrimSpace(str)
	if str == "" {
		j.V = decimal.Zero
		return nil
	}
	d, err := decimal.NewFromString(str)
	if err != nil || strings.ContainsAny(str, "eE") {
		j.Bad = true
		return nil
	}
	j.V = d
	return nil
}

// jInt is an integer field; like WordPress it also accepts an integral numeric string.
type jInt struct {
	Set, Bad bool
	V        int64
}

// UnmarshalJSON accepts an integral number or numeric string.
func (j *jInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	j.Set = true
	raw := string(b)
	if strings.HasPrefix(raw, `"`) {
		if err := json.Unmarshal(b, &raw); err != nil {
			j.Bad = true
			return nil
		}
	}
	n, ok := parseInt(raw)
	if !ok {
		j.Bad = true
		return nil
	}
	j.V = n
	return nil
}

// jBool is a boolean field; like WordPress it also accepts "true"/"false"/"1"/"0".
type jBool struct {
	Set, Bad bool
	V        bool
}

// UnmarshalJSON accepts a boolean or a boolean-like string or 0/1.
func (j *jBool) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	j.Set = true
	raw := string(b)
	if strings.HasPrefix(raw, `"`) {
		if err := json.Unmarshal(b, &raw); err != nil {
			j.Bad = true
			return nil
		}
	}
	v, ok := parseBool(raw)
	if !ok || raw == "" && !strings.HasPrefix(string(b), `"`) {
		j.Bad = true
		return nil
	}
	j.V = v
	return nil
}

// problems collects validation failures under top-level parameters.
type problems struct{ list []paramProblem }

func (p *problems) add(top, path, typ string) {
	for _, e := range p.list {
		if e.Param == top {
			return // WordPress reports the first failure per parameter
		}
	}
	pp := typeProblem(path, typ)
	pp.Param = top
	p.list = append(p.list, pp)
}

func (p *problems) addMsg(top, code, msg string) {
	for _, e := range p.list {
		if e.Param == top {
			return
		}
	}
	p.list = append(p.list, paramProblem{Param: top, Code: code, Message: msg})
}

func (p *problems) str(top, path string, v jString) {
	if v.Bad {
		p.add(top, path, "string")
	}
}
func (p *problems) money(top, path string, v jMoney) {
	if v.Bad {
		p.add(top, path, "string")
	}
}
func (p *problems) integer(top, path string, v jInt) {
	if v.Bad {
		p.add(top, path, "integer")
	}
}
func (p *problems) boolean(top, path string, v jBool) {
	if v.Bad {
		p.add(top, path, "boolean")
	}
}

func (p *problems) err() *wpError {
	if len(p.list) == 0 {
		return nil
	}
	return invalidParams(p.list...)
}

func idx(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// metaInput is a meta_data entry in a request.
type metaInput struct {
	ID    jInt            `json:"id"`
	Key   jString         `json:"key"`
	Value json.RawMessage `json:"value"`
}

// decodeBody reads a JSON request body as WordPress does: only with a JSON content type (any
// other body is ignored); malformed JSON gives 400 rest_invalid_json.
func decodeBody(r *http.Request, dst any) *wpError {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, err := readBody(r)
	if err != nil {
		return newErr(http.StatusRequestEntityTooLarge, "rest_invalid_json", "Invalid JSON body passed.")
	}
	if ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, dst); err != nil {
		var se *json.SyntaxError
		if asSyntax(err, &se) || !json.Valid(body) {
			return &wpError{Status: http.StatusBadRequest, Code: "rest_invalid_json", Message: "Invalid JSON body passed.",
				Extra: []kv{{"json_error_code", 4}, {"json_error_message", "Syntax error"}}}
		}
		if ute, ok := err.(*json.UnmarshalTypeError); ok && ute.Field != "" {
			top, _, _ := strings.Cut(ute.Field, ".")
			typ := "object"
			if ute.Type != nil {
				switch ute.Type.Kind() {
				case reflect.Slice, reflect.Array:
					typ = "array"
				case reflect.String:
					typ = "string"
				}
			}
			return invalidParams(typeProblem(top, typ))
		}
		// Valid JSON of the wrong overall type (e.g. an array where an object is expected).
		return newErr(http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
	}
	return nil
}

func asSyntax(err error, target **json.SyntaxError) bool {
	se, ok := err.(*json.SyntaxError)
	if ok {
		*target = se
	}
	return ok
}

// jNumber is a field of JSON schema type "number" (refund_total): WordPress accepts a JSON
// number or a numeric string; anything else is recorded as bad.
type jNumber struct {
	Set, Bad bool
	V        decimal.Decimal
}

// UnmarshalJSON accepts a number or a numeric string; null leaves the field unset.
func (j *jNumber) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	j.Set = true
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			j.Bad = true
			return nil
		}
		s = strings.TrimSpace(s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		j.Bad = true
		return nil
	}
	j.V = d
	return nil
}
