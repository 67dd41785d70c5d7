package sqltypes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
)

// maxJSONDepth bounds nesting the way PostgreSQL's stack depth check does.
const maxJSONDepth = 6400

// ParseJSON is json_in (jsonb = false: the text is validated and kept as
// Raw) and jsonb_in (jsonb = true: keys sorted PostgreSQL's way, the last of
// duplicate keys kept, numbers normalised as numeric_in would).
func ParseJSON(s string, jsonb bool) (JSON, error) {
	if jsonb {
		if err := checkSurrogates(s); err != nil {
			return JSON{}, err
		}
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	node, err := decodeJSONValue(dec, jsonb, 0)
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errors.New("trailing data after the JSON value")
		}
	}
	if err != nil {
		var pe *pgerr.Error
		if errors.As(err, &pe) {
			return JSON{}, err
		}
		// PostgreSQL's message names json for jsonb input too.
		return JSON{}, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type json").
			WithDetail("%s", err.Error())
	}
	if jsonb {
		return JSON{Node: node}, nil
	}
	return JSON{Node: node, Raw: s}, nil
}

// checkSurrogates rejects \u escapes that are not valid UTF-16 pairs, as
// jsonb (which de-escapes strings) does; Go's decoder would substitute
// U+FFFD silently.
func checkSurrogates(s string) error {
	bad := func(detail string) error {
		return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type json").WithDetail("%s", detail)
	}
	pendingHigh := false
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			if pendingHigh && s[i] != '\\' {
				return bad("Unicode low surrogate must follow a high surrogate.")
			}
			continue
		}
		if s[i+1] != 'u' || i+6 > len(s) {
			if pendingHigh {
				return bad("Unicode low surrogate must follow a high surrogate.")
			}
			i++ // skip the escaped character (it may be a backslash)
			continue
		}
		code, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
		if err != nil {
			i++
			continue // the decoder reports the bad escape
		}
		switch {
		case code >= 0xd800 && code <= 0xdbff:
			if pendingHigh {
				return bad("Unicode high surrogate must not follow a high surrogate.")
			}
			pendingHigh = true
		case code >= 0xdc00 && code <= 0xdfff:
			if !pendingHigh {
				return bad("Unicode low surrogate must follow a high surrogate.")
			}
			pendingHigh = false
		default:
			if pendingHigh {
				return bad("Unicode low surrogate must follow a high surrogate.")
			}
		}
		i += 5
	}
	if pendingHigh {
		return bad("Unicode low surrogate must follow a high surrogate.")
	}
	return nil
}

func decodeJSONValue(dec *json.Decoder, jsonb bool, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, pgerr.New(pgerr.ProgramLimitExceeded, "stack depth limit exceeded").
			WithHint("JSON nests more than %d levels.", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := tok.(type) {
	case json.Delim:
		switch x {
		case '[':
			return decodeJSONArray(dec, jsonb, depth)
		case '{':
			return decodeJSONObject(dec, jsonb, depth)
		}
		return nil, fmt.Errorf("unexpected %q", x)
	case json.Number:
		if !jsonb {
			return JSONNumber(x), nil
		}
		d, err := ParseNumeric(string(x))
		if err != nil {
			return nil, err
		}
		return JSONNumber(FormatNumeric(d)), nil
	case string:
		if jsonb && strings.IndexByte(x, 0) >= 0 {
			return nil, pgerr.New(pgerr.UntranslatableCharacter, "unsupported Unicode escape sequence").
				WithDetail(`\u0000 cannot be converted to text.`)
		}
		return x, nil
	case bool, nil:
		return x, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func decodeJSONArray(dec *json.Decoder, jsonb bool, depth int) (any, error) {
	arr := []any{}
	for dec.More() {
		v, err := decodeJSONValue(dec, jsonb, depth+1)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return arr, nil
}

func decodeJSONObject(dec *json.Decoder, jsonb bool, depth int) (any, error) {
	var keys []string
	var vals []any
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := kt.(string)
		if !ok {
			return nil, errors.New("object key must be a string")
		}
		v, err := decodeJSONValue(dec, jsonb, depth+1)
		if err != nil {
			return nil, err
		}
		keys, vals = append(keys, k), append(vals, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return NewJSONObject(keys, vals, jsonb), nil
}

// SortJSONKeys orders keys as jsonb does: shorter first, then bytewise.
func SortJSONKeys(keys []string) {
	sort.SliceStable(keys, func(i, j int) bool { return jsonbKeyLess(keys[i], keys[j]) })
}

func jsonbKeyLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// NewJSONObject builds an object from parallel keys and values. For jsonb
// the keys are sorted and the last value of a duplicated key wins; json keeps
// every pair in order (Values then holds the last of duplicates).
func NewJSONObject(keys []string, vals []any, jsonb bool) *JSONObject {
	obj := &JSONObject{Keys: make([]string, 0, len(keys)), Values: make(map[string]any, len(keys))}
	for i, k := range keys {
		if _, dup := obj.Values[k]; !dup || !jsonb {
			obj.Keys = append(obj.Keys, k)
		}
		obj.Values[k] = vals[i]
	}
	if jsonb {
		SortJSONKeys(obj.Keys)
	}
	return obj
}

// FormatJSON is json_out / jsonb_out. A json value read from text prints as
// it was written; otherwise json uses PostgreSQL's json builder spacing
// (`{"a" : 1}`) and jsonb its canonical form (`{"a": 1, "b": [1, 2]}`).
func FormatJSON(j JSON, t OID) string {
	if t != Jsonb && j.Raw != "" {
		return j.Raw
	}
	var b bytes.Buffer
	writeJSON(&b, j.Node, t != Jsonb)
	return b.String()
}

// FormatJSONNode formats one node of a tree (see FormatJSON).
func FormatJSONNode(n any, t OID) string { return FormatJSON(JSON{Node: n}, t) }

func writeJSON(b *bytes.Buffer, n any, plain bool) {
	switch x := n.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case JSONNumber:
		writeJSONNumber(b, string(x), plain)
	case string:
		WriteJSONString(b, x)
	case []any:
		writeJSONArray(b, x, plain)
	case *JSONObject:
		writeJSONObject(b, x, plain)
	case JSON:
		writeJSON(b, x.Node, plain)
	case map[string]any:
		keys := make([]string, 0, len(x))
		vals := make([]any, 0, len(x))
		for k, v := range x {
			keys, vals = append(keys, k), append(vals, v)
		}
		writeJSONObject(b, NewJSONObject(keys, vals, true), plain)
	default:
		writeJSONScalar(b, x)
	}
}

// writeJSONNumber prints a number; jsonb shows it as numeric_out would.
func writeJSONNumber(b *bytes.Buffer, s string, plain bool) {
	if !plain {
		if d, err := ParseNumeric(s); err == nil && d.Form == apd.Finite {
			s = FormatNumeric(d)
		}
	}
	b.WriteString(s)
}

func writeJSONScalar(b *bytes.Buffer, n any) {
	switch x := n.(type) {
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			WriteJSONString(b, FormatFloat(x, Float8))
		} else {
			b.WriteString(FormatFloat(x, Float8))
		}
	case *apd.Decimal:
		b.WriteString(FormatNumeric(x))
	default:
		WriteJSONString(b, fmt.Sprint(x))
	}
}

func writeJSONArray(b *bytes.Buffer, x []any, plain bool) {
	b.WriteByte('[')
	for i, e := range x {
		if i > 0 {
			b.WriteString(", ")
		}
		writeJSON(b, e, plain)
	}
	b.WriteByte(']')
}

func writeJSONObject(b *bytes.Buffer, x *JSONObject, plain bool) {
	keys := x.Keys
	if !plain && !sort.SliceIsSorted(keys, func(i, j int) bool { return jsonbKeyLess(keys[i], keys[j]) }) {
		keys = append([]string(nil), keys...)
		SortJSONKeys(keys)
	}
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		WriteJSONString(b, k)
		if plain {
			b.WriteString(" : ")
		} else {
			b.WriteString(": ")
		}
		writeJSON(b, x.Values[k], plain)
	}
	b.WriteByte('}')
}

// WriteJSONString is escape_json: quotes, backslashes and control
// characters escaped, everything else (all of Unicode) as is.
func WriteJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}
