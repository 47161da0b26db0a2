package snelstart

import (
	"encoding/json"
	"fmt"
)

// SnelStart's PUT is a full replace: the connector reads the object, changes the fields it
// manages and writes the whole object back, so fields it does not know (IBAN, memo, extra
// fields) survive. What it writes back must be a valid write model: readOnly properties
// (every "uri", stock, isHoofdartikel, booking URIs) and nulls are removed.

// readOnlyTop are top-level properties that are readOnly, exist only on the read model, or are
// set by the server (modifiedOn, which SnelStart answers without the offset the document's
// date-time format requires).
var readOnlyTop = map[string]bool{
	"modifiedOn":         true,
	"technischeVoorraad": true, "vrijeVoorraad": true, "isHoofdartikel": true, "subartikelen": true,
	"inkoopBoekingenUri": true, "verkoopBoekingenUri": true, "fax": true,
}

// forWrite returns obj without readOnly properties and nulls, recursively.
func forWrite(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		if readOnlyTop[k] || k == "uri" || v == nil {
			continue
		}
		out[k] = cleanValue(v)
	}
	return out
}

// cleanValue drops "uri" keys and nulls below the top level.
func cleanValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			if k == "uri" || x == nil {
				continue
			}
			m[k] = cleanValue(x)
		}
		return m
	case []any:
		s := make([]any, 0, len(t))
		for _, x := range t {
			if x == nil {
				continue
			}
			s = append(s, cleanValue(x))
		}
		return s
	}
	return v
}

// decodeObject decodes a JSON object keeping numbers exact (json.Number).
func decodeObject(b []byte) (map[string]any, error) {
	var m map[string]any
	if err := unmarshalNumbers(b, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return m, nil
}

// asValue converts a typed value into its generic JSON form (numbers kept exact), for
// overlaying onto a decoded object.
func asValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := unmarshalNumbers(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// set overlays key = v onto obj; a nil pointer or nil value removes the key.
func set(obj map[string]any, key string, v any) error {
	val, err := asValue(v)
	if err != nil {
		return err
	}
	if val == nil {
		delete(obj, key)
		return nil
	}
	obj[key] = val
	return nil
}
