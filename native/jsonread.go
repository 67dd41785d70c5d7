package native

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/fazproxy/fazproxy/pgerr"
)

// member is one key/value of a JSON object, in document order.
type member struct {
	key   string
	value json.RawMessage
}

// jsonKind names the JSON type of raw for error messages.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func typeError(path, want string, raw json.RawMessage) error {
	return pgerr.New(pgerr.InvalidParameterValue, "%s must be %s, got %s", path, want, jsonKind(raw))
}

func syntaxError(path string, err error) error {
	return pgerr.Wrap(err, pgerr.SyntaxError, "invalid JSON in %s", path)
}

// objectMembers splits a JSON object into its members. Duplicate keys are
// refused: encoding/json would silently keep the last one, and which one a
// policy check saw must be the one DynamoDB gets.
func objectMembers(path string, raw json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(path, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, typeError(path, "a JSON object", raw)
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxError(path, err)
		}
		key, _ := tok.(string) // object keys are always strings
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, syntaxError(mapPath(path, key), err)
		}
		if seen[key] {
			return nil, pgerr.New(pgerr.SyntaxError, "duplicate key %q in %s", key, path)
		}
		seen[key] = true
		out = append(out, member{key: key, value: val})
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntaxError(path, err)
	}
	return out, nil
}

// arrayElements splits a JSON array into its elements.
func arrayElements(path string, raw json.RawMessage) ([]json.RawMessage, error) {
	if jsonKind(raw) != "an array" {
		return nil, typeError(path, "a JSON array", raw)
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, syntaxError(path, err)
	}
	return elems, nil
}

// decodeArray decodes each element of a JSON array with one.
func decodeArray[T any](path string, raw json.RawMessage, one func(string, json.RawMessage) (T, error)) ([]T, error) {
	elems, err := arrayElements(path, raw)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(elems))
	for i, e := range elems {
		if out[i], err = one(indexPath(path, i), e); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeString(path string, raw json.RawMessage) (string, error) {
	if jsonKind(raw) != "a string" {
		return "", typeError(path, "a JSON string", raw)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", syntaxError(path, err)
	}
	return s, nil
}

func decodeBool(path string, raw json.RawMessage) (bool, error) {
	if jsonKind(raw) != "a boolean" {
		return false, typeError(path, "a JSON boolean", raw)
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, syntaxError(path, err)
	}
	return b, nil
}

func decodeInt(path string, raw json.RawMessage, bits int) (int64, error) {
	if jsonKind(raw) != "a number" {
		return 0, typeError(path, "a JSON integer", raw)
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, bits)
	if err != nil {
		return 0, pgerr.Wrap(err, pgerr.InvalidParameterValue, "%s must be an integer that fits in %d bits", path, bits)
	}
	return n, nil
}

func decodeFloat(path string, raw json.RawMessage) (float64, error) {
	if jsonKind(raw) != "a number" {
		return 0, typeError(path, "a JSON number", raw)
	}
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
	if err != nil {
		return 0, pgerr.Wrap(err, pgerr.InvalidParameterValue, "%s must be a number", path)
	}
	return f, nil
}

// singleValue reads exactly one JSON value from text: trailing content after
// it is refused rather than ignored, except white space and the statement
// terminator ';' that SQL clients (psql among them) send after a statement.
func singleValue(text string) (json.RawMessage, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, syntaxError("verb request", err)
	}
	rest := strings.TrimSpace(text[dec.InputOffset():])
	rest = strings.TrimSpace(strings.TrimSuffix(rest, ";"))
	if rest != "" {
		return nil, pgerr.New(pgerr.SyntaxError, "unexpected text after the verb request's JSON object")
	}
	return raw, nil
}

func mapPath(path, key string) string { return path + "[" + strconv.Quote(key) + "]" }

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
