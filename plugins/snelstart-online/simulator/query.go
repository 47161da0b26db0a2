package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

const maxBody = 10 << 20

// decodeBody binds a JSON request body into v the way ASP.NET Web API does: an empty body or
// `null` is ALG-0106, JSON that cannot be bound is a model-state 400, unknown properties are
// ignored. It writes the error answer and returns false on failure.
func decodeBody(w http.ResponseWriter, r *http.Request, model string, v any) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json", "text/json":
	case "application/x-www-form-urlencoded":
		writeCode(w, "ALG-0106")
		return false
	default:
		if mt == "" {
			mt = "application/octet-stream"
		}
		writeMessage(w, http.StatusUnsupportedMediaType,
			fmt.Sprintf("The request entity's media type '%s' is not supported for this resource.", truncate(mt, 60)))
		return false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "The request body could not be read.")
		return false
	}
	if len(b) > maxBody {
		writeMessage(w, http.StatusRequestEntityTooLarge, "The request body is too large.")
		return false
	}
	t := bytes.TrimSpace(b)
	if len(t) == 0 || string(t) == "null" {
		writeCode(w, "ALG-0106")
		return false
	}
	if err := json.Unmarshal(t, v); err != nil {
		field := model
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field = model + "." + te.Field
		}
		writeModelState(w, field, "Error converting value in request body: "+truncate(err.Error(), 200))
		return false
	}
	return true
}

// pathID reads the {id} path segment; an invalid GUID is answered with ALG-0103.
func pathID(w http.ResponseWriter, r *http.Request) (GUID, bool) {
	g, ok := parseGUID(r.PathValue("id"))
	if !ok || g == "" {
		writeCode(w, "ALG-0103")
		return "", false
	}
	return g, true
}

func notFound(w http.ResponseWriter, what string) {
	writeMessage(w, http.StatusNotFound, what+" niet gevonden.")
}

// odataQuery is a parsed $filter/$top/$skip/$select.
type odataQuery struct {
	filter *Filter
	top    int
	skip   int
	sel    []string // JSON names; nil = all
}

func queryInvalid(w http.ResponseWriter, msg string) {
	writeMessage(w, http.StatusBadRequest, "The query specified in the URI is not valid. "+msg)
}

// parseOData reads the OData options of a list request against the shape of sample; maxTop is
// the documented $top maximum (500, 25 for artikelen), which is also the page size when $top
// is absent. It writes the error answer and returns false on failure.
func parseOData(w http.ResponseWriter, r *http.Request, sample any, maxTop int) (*odataQuery, bool) {
	q := r.URL.Query()
	out := &odataQuery{top: maxTop}
	for k := range q {
		if strings.HasPrefix(k, "$") {
			switch k {
			case "$filter", "$top", "$skip", "$select":
			default:
				queryInvalid(w, fmt.Sprintf("Query option '%s' is not supported.", truncate(k, 30)))
				return nil, false
			}
			if len(q[k]) > 1 {
				queryInvalid(w, fmt.Sprintf("Query option '%s' was specified more than once, but it must be specified at most once.", k))
				return nil, false
			}
		}
	}
	if v, ok := q["$top"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 {
			queryInvalid(w, fmt.Sprintf("Invalid value '%s' for $top query option found.", truncate(v[0], 30)))
			return nil, false
		}
		if n > maxTop {
			queryInvalid(w, fmt.Sprintf("The limit of '%d' for Top query has been exceeded. The value from the incoming request is '%d'.", maxTop, n))
			return nil, false
		}
		out.top = n
	}
	if v, ok := q["$skip"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 {
			queryInvalid(w, fmt.Sprintf("Invalid value '%s' for $skip query option found.", truncate(v[0], 30)))
			return nil, false
		}
		out.skip = n
	}
	if v, ok := q["$filter"]; ok {
		f, err := ParseFilter(v[0], sample)
		if err != nil {
			var e errs
			e.add("ALG-0104", codeText["ALG-0104"])
			e[0].Details = err.Error()
			writeErrors(w, e)
			return nil, false
		}
		out.filter = f
	}
	if v, ok := q["$select"]; ok && strings.TrimSpace(v[0]) != "" && strings.TrimSpace(v[0]) != "*" {
		t := typeOf(reflect.TypeOf(sample))
		for _, name := range strings.Split(v[0], ",") {
			name = strings.TrimSpace(name)
			_, js, err := field(t, name)
			if err != nil {
				queryInvalid(w, fmt.Sprintf("Could not find a property named '%s'.", truncate(name, 30)))
				return nil, false
			}
			out.sel = append(out.sel, js)
		}
	}
	return out, true
}

// page filters, pages and projects the stored items for an answer. With use set, cand holds
// the only positions (ascending) that can match, from an index; otherwise every item is
// evaluated. Items are only read; those that go into the answer are cloned. Caller holds s.mu.
func page[T any](q *odataQuery, items []T, cand []int32, use bool) []any {
	out := make([]any, 0, min(len(items), q.top))
	n := len(items)
	if use {
		n = len(cand)
	}
	skipped := 0
	for k := 0; k < n && len(out) < q.top; k++ {
		i := k
		if use {
			i = int(cand[k])
		}
		var m map[string]any
		if q.filter != nil && q.filter.e != nil || q.sel != nil {
			m = toMap(&items[i])
			if !q.filter.Match(m) {
				continue
			}
		}
		if skipped < q.skip {
			skipped++
			continue
		}
		if q.sel != nil {
			p := make(map[string]any, len(q.sel))
			for _, k := range q.sel {
				if v, ok := m[k]; ok {
					p[k] = v
				}
			}
			out = append(out, p)
			continue
		}
		out = append(out, clone(items[i]))
	}
	return out
}

// toMap turns a wire struct into its JSON object (numbers kept exact).
func toMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil
	}
	return m
}
