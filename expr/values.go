package expr

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// This file holds expr's private text encodings of values (the casts to and
// from text). They follow PostgreSQL's output functions with DateStyle ISO and
// TimeZone UTC.

var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func invalidInput(t sqltypes.OID, s string) error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", typeName(t), s)
}

func outOfRange(t sqltypes.OID) error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "%s out of range", typeName(t))
}

// formatText renders v of type t as PostgreSQL's text output would.
func formatText(v sqltypes.Value, t sqltypes.OID) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case bool:
		if x {
			return "t", nil
		}
		return "f", nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return formatFloat(x, t), nil
	case *apd.Decimal:
		return formatDecimal(x), nil
	case string:
		return x, nil
	case []byte:
		return `\x` + hex.EncodeToString(x), nil
	case sqltypes.JSON:
		return formatJSON(x.Node, t == sqltypes.JSON_), nil
	case *sqltypes.JSON:
		return formatJSON(x.Node, t == sqltypes.JSON_), nil
	case sqltypes.Date:
		return formatDate(x), nil
	case time.Time:
		return formatTimestamp(x, t == sqltypes.Timestamptz), nil
	case sqltypes.Array:
		return formatArray(x)
	case *sqltypes.Array:
		return formatArray(*x)
	}
	return "", pgerr.New(pgerr.InternalError, "cannot format %T as %s", v, typeName(t))
}

func formatFloat(f float64, t sqltypes.OID) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	bits := 64
	if t == sqltypes.Float4 {
		bits = 32
	}
	e := strconv.FormatFloat(f, 'e', -1, bits)
	i := strings.LastIndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	if exp < -4 || exp >= 15 || (bits == 32 && exp >= 6) {
		return e
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

func formatDecimal(d *apd.Decimal) string {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return "NaN"
	case apd.Infinite:
		if d.Negative {
			return "-Infinity"
		}
		return "Infinity"
	}
	if d.Exponent > 0 {
		var r apd.Decimal
		_, _ = decCtx.Quantize(&r, d, 0)
		d = &r
	}
	s := d.Text('f')
	if d.Coeff.Sign() == 0 && strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	return s
}

func formatDate(d sqltypes.Date) string {
	t := pgEpoch.AddDate(0, 0, int(d))
	y := t.Year()
	if y <= 0 {
		return fmt.Sprintf("%04d-%02d-%02d BC", 1-y, t.Month(), t.Day())
	}
	return t.Format("2006-01-02")
}

func formatTimestamp(t time.Time, tz bool) string {
	t = t.UTC()
	s := t.Format("2006-01-02 15:04:05.999999")
	if tz {
		s += "+00"
	}
	return s
}

func needsArrayQuote(s string) bool {
	if s == "" || strings.EqualFold(s, "NULL") {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{', '}', ',', '"', '\\', ' ', '\t', '\n', '\r', '\v', '\f':
			return true
		}
	}
	return false
}

func formatArray(a sqltypes.Array) (string, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, it := range a.Items {
		if i > 0 {
			b.WriteByte(',')
		}
		if it == nil {
			b.WriteString("NULL")
			continue
		}
		s, err := formatText(it, a.Elem)
		if err != nil {
			return "", err
		}
		if needsArrayQuote(s) {
			b.WriteByte('"')
			for j := 0; j < len(s); j++ {
				if s[j] == '"' || s[j] == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(s[j])
			}
			b.WriteByte('"')
		} else {
			b.WriteString(s)
		}
	}
	b.WriteByte('}')
	return b.String(), nil
}

// parseText converts the text form s to a value of type t (typmod applied).
func parseText(s string, t sqltypes.OID, typmod int32) (sqltypes.Value, error) {
	switch t {
	case sqltypes.Text, sqltypes.Name, sqltypes.Unknown, sqltypes.Varchar, bpcharOID, sqltypes.Char:
		return applyStringTypmod(s, t, typmod, true)
	case sqltypes.UUID:
		return parseUUID(s)
	case sqltypes.Bool:
		return parseBool(s)
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Oid, sqltypes.Regclass, sqltypes.Regtype,
		sqltypes.Regproc, sqltypes.Regnamespace:
		return parseInt(s, t)
	case sqltypes.Float4, sqltypes.Float8:
		return parseFloat(s, t)
	case sqltypes.Numeric:
		d, err := parseDecimal(s)
		if err != nil {
			return nil, err
		}
		return applyNumericTypmod(d, typmod)
	case sqltypes.Bytea:
		return parseBytea(s)
	case sqltypes.JSON_, sqltypes.Jsonb:
		j, err := parseJSON(s, t == sqltypes.Jsonb)
		if err != nil {
			return nil, err
		}
		return j, nil
	case sqltypes.Date_:
		return parseDate(s)
	case sqltypes.Timestamp, sqltypes.Timestamptz:
		return parseTimestamp(s, t)
	}
	if et, ok := elemType(t); ok {
		return parseArray(s, et, t)
	}
	return nil, pgerr.Unsupported("input of type "+typeName(t), "")
}

func parseUUID(s string) (sqltypes.Value, error) {
	h := strings.ReplaceAll(strings.Trim(strings.TrimSpace(s), "{}"), "-", "")
	if len(h) != 32 {
		return nil, invalidInput(sqltypes.UUID, s)
	}
	if _, err := hex.DecodeString(h); err != nil {
		return nil, invalidInput(sqltypes.UUID, s)
	}
	h = strings.ToLower(h)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

func applyStringTypmod(s string, t sqltypes.OID, typmod int32, explicit bool) (string, error) {
	switch t {
	case sqltypes.Name:
		if len(s) > 63 {
			n := 63
			for n > 0 && !utf8.RuneStart(s[n]) {
				n--
			}
			s = s[:n]
		}
	case sqltypes.Char:
		if len(s) > 1 {
			_, n := utf8.DecodeRuneInString(s)
			s = s[:n]
		}
	case sqltypes.Varchar, bpcharOID:
		if typmod >= 5 {
			max := int(typmod - 4)
			if utf8.RuneCountInString(s) > max {
				r := []rune(s)
				if !explicit && strings.TrimRight(string(r[max:]), " ") != "" {
					return "", pgerr.New(pgerr.StringDataRightTruncation, "value too long for type %s(%d)", typeName(t), max)
				}
				s = string(r[:max])
			}
			if t == bpcharOID {
				if n := utf8.RuneCountInString(s); n < max {
					s += strings.Repeat(" ", max-n)
				}
			}
		}
	}
	return s, nil
}

func parseBool(s string) (sqltypes.Value, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v != "" {
		switch {
		case strings.HasPrefix("true", v), strings.HasPrefix("yes", v), v == "on", v == "1":
			return true, nil
		case strings.HasPrefix("false", v), strings.HasPrefix("no", v), len(v) >= 2 && strings.HasPrefix("off", v), v == "0":
			return false, nil
		}
	}
	return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type boolean: %q", s)
}

func intRange(t sqltypes.OID) (int64, int64) {
	switch t {
	case sqltypes.Int2:
		return math.MinInt16, math.MaxInt16
	case sqltypes.Int4:
		return math.MinInt32, math.MaxInt32
	case sqltypes.Int8:
		return math.MinInt64, math.MaxInt64
	}
	return 0, math.MaxUint32 // oid and reg* types
}

func parseInt(s string, t sqltypes.OID) (sqltypes.Value, error) {
	v := strings.TrimSpace(s)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value %q is out of range for type %s", s, typeName(t))
		}
		return nil, invalidInput(t, s)
	}
	if strings.HasPrefix(v, "+") && len(v) > 1 && v[1] == '-' {
		return nil, invalidInput(t, s)
	}
	lo, hi := intRange(t)
	if category(t) == catOID && n < 0 && n >= math.MinInt32 {
		n += 1 << 32 // oidin accepts negative values as unsigned
	}
	if n < lo || n > hi {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value %q is out of range for type %s", s, typeName(t))
	}
	return n, nil
}

func parseFloat(s string, t sqltypes.OID) (sqltypes.Value, error) {
	v := strings.TrimSpace(s)
	switch strings.ToLower(v) {
	case "nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	}
	bits := 64
	if t == sqltypes.Float4 {
		bits = 32
	}
	f, err := strconv.ParseFloat(v, bits)
	if err != nil || strings.ContainsAny(v, "_xXpP") {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, pgerr.New(pgerr.NumericValueOutOfRange, "%q is out of range for type %s", v, typeName(t))
		}
		return nil, invalidInput(t, s)
	}
	return f, nil
}

func parseDecimal(s string) (*apd.Decimal, error) {
	v := strings.TrimSpace(s)
	switch strings.ToLower(v) {
	case "nan":
		return &apd.Decimal{Form: apd.NaN}, nil
	case "infinity", "+infinity", "inf", "+inf":
		return &apd.Decimal{Form: apd.Infinite}, nil
	case "-infinity", "-inf":
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	}
	if v == "" || strings.ContainsAny(v, "_ xXnNiI") {
		return nil, invalidInput(sqltypes.Numeric, s)
	}
	d, _, err := apd.NewFromString(v)
	if err != nil {
		return nil, invalidInput(sqltypes.Numeric, s)
	}
	if d.Exponent > 0 {
		_, _ = decCtx.Quantize(d, d, 0)
	}
	return d, nil
}

func parseBytea(s string) (sqltypes.Value, error) {
	if strings.HasPrefix(s, `\x`) {
		h := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s[2:])
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, invalidInput(sqltypes.Bytea, s)
		}
		return b, nil
	}
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\\' {
			out = append(out, '\\')
			i++
			continue
		}
		if i+3 < len(s) {
			n, err := strconv.ParseUint(s[i+1:i+4], 8, 8)
			if err == nil {
				out = append(out, byte(n))
				i += 3
				continue
			}
		}
		return nil, invalidInput(sqltypes.Bytea, s)
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

func parseDate(s string) (sqltypes.Value, error) {
	v := strings.TrimSpace(s)
	if len(v) > 10 {
		ts, err := parseTimestamp(v, sqltypes.Timestamp)
		if err != nil {
			return nil, pgerr.New(pgerr.InvalidDatetimeFormat, "invalid input syntax for type date: %q", s)
		}
		t := ts.(time.Time)
		return dateOf(t), nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return nil, pgerr.New(pgerr.InvalidDatetimeFormat, "invalid input syntax for type date: %q", s)
	}
	return dateOf(t), nil
}

func dateOf(t time.Time) sqltypes.Date {
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return sqltypes.Date(int32(math.Floor(u.Sub(pgEpoch).Hours() / 24)))
}

func dateTime(d sqltypes.Date) time.Time { return pgEpoch.AddDate(0, 0, int(d)) }

var timestampLayouts = [...]string{
	"2006-01-02 15:04:05.999999999Z07:00:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04.999999999",
	"2006-01-02",
}

func parseTimestamp(s string, t sqltypes.OID) (sqltypes.Value, error) {
	v := strings.TrimSpace(s)
	v = strings.Replace(v, "T", " ", 1)
	if strings.HasSuffix(v, " UTC") || strings.HasSuffix(v, " GMT") {
		v = v[:len(v)-4] + "Z"
	}
	v = strings.Replace(v, " +", "+", 1)
	v = strings.Replace(v, " -", "-", 1)
	low := strings.ToLower(v)
	switch low {
	case "epoch":
		return time.Unix(0, 0).UTC(), nil
	case "infinity", "-infinity":
		return nil, pgerr.Unsupported("infinite timestamps", "")
	}
	for _, layout := range timestampLayouts {
		if tt, err := time.Parse(layout, v); err == nil {
			if t == sqltypes.Timestamp {
				y, m, d := tt.Date()
				tt = time.Date(y, m, d, tt.Hour(), tt.Minute(), tt.Second(), tt.Nanosecond(), time.UTC)
			}
			return tt.UTC().Round(time.Microsecond), nil
		}
	}
	return nil, pgerr.New(pgerr.InvalidDatetimeFormat, "invalid input syntax for type %s: %q", typeName(t), s)
}

// parseArray parses a one-dimensional array literal such as {a,"b c",NULL}.
func parseArray(s string, elem, arr sqltypes.OID) (sqltypes.Value, error) {
	bad := func() error {
		return pgerr.New(pgerr.InvalidTextRepresentation, "malformed array literal: %q", s).
			WithDetail(`Array value must start with "{" or dimension information.`)
	}
	v := strings.TrimSpace(s)
	if strings.HasPrefix(v, "[") {
		if i := strings.Index(v, "="); i > 0 {
			v = strings.TrimSpace(v[i+1:])
		}
	}
	if len(v) < 2 || v[0] != '{' || v[len(v)-1] != '}' {
		return nil, bad()
	}
	body := v[1 : len(v)-1]
	out := sqltypes.Array{Elem: elem, Items: []sqltypes.Value{}}
	if strings.TrimSpace(body) == "" {
		return out, nil
	}
	i := 0
	for {
		for i < len(body) && body[i] == ' ' {
			i++
		}
		var item strings.Builder
		quoted := false
		if i < len(body) && body[i] == '{' {
			return nil, pgerr.Unsupported("multidimensional arrays", "")
		}
		if i < len(body) && body[i] == '"' {
			quoted = true
			i++
			for i < len(body) && body[i] != '"' {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				item.WriteByte(body[i])
				i++
			}
			if i >= len(body) {
				return nil, bad()
			}
			i++
			for i < len(body) && body[i] == ' ' {
				i++
			}
		} else {
			for i < len(body) && body[i] != ',' {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				if body[i] == '"' || body[i] == '{' || body[i] == '}' {
					return nil, bad()
				}
				item.WriteByte(body[i])
				i++
			}
		}
		text := item.String()
		if !quoted {
			text = strings.TrimRight(text, " ")
		}
		if !quoted && strings.EqualFold(text, "NULL") {
			out.Items = append(out.Items, nil)
		} else {
			if !quoted && text == "" {
				return nil, bad()
			}
			ev, err := parseText(text, elem, -1)
			if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, ev)
		}
		if i >= len(body) {
			break
		}
		if body[i] != ',' {
			return nil, bad()
		}
		i++
	}
	return out, nil
}

// ---- JSON ----

// parseJSON parses JSON text into a tree; jsonb sorts and de-duplicates keys
// and normalises numbers as PostgreSQL's jsonb does.
func parseJSON(s string, binary bool) (sqltypes.JSON, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	node, err := decodeJSONValue(dec, binary)
	if err == nil {
		if _, e := dec.Token(); e == nil {
			err = fmt.Errorf("trailing data")
		}
	}
	if err != nil {
		t := sqltypes.OID(sqltypes.JSON_)
		if binary {
			t = sqltypes.Jsonb
		}
		return sqltypes.JSON{}, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s", typeName(t)).WithDetail("%s", err.Error())
	}
	return sqltypes.JSON{Node: node}, nil
}

func decodeJSONValue(dec *json.Decoder, binary bool) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := tok.(type) {
	case json.Delim:
		switch x {
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeJSONValue(dec, binary)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		case '{':
			obj := &sqltypes.JSONObject{Values: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key must be a string")
				}
				v, err := decodeJSONValue(dec, binary)
				if err != nil {
					return nil, err
				}
				if _, dup := obj.Values[k]; !dup || !binary {
					obj.Keys = append(obj.Keys, k)
				}
				obj.Values[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			if binary {
				sortJSONKeys(obj.Keys)
			}
			return obj, nil
		}
		return nil, fmt.Errorf("unexpected %v", x)
	case json.Number:
		if binary {
			d, err := parseDecimal(string(x))
			if err != nil {
				return nil, err
			}
			return sqltypes.JSONNumber(formatDecimal(d)), nil
		}
		return sqltypes.JSONNumber(x), nil
	case string, bool, nil:
		return x, nil
	}
	return nil, fmt.Errorf("unexpected token")
}

// sortJSONKeys orders keys as jsonb does: shorter first, then bytewise.
func sortJSONKeys(keys []string) {
	sort.SliceStable(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) < len(keys[j])
		}
		return keys[i] < keys[j]
	})
}

// newJSONObject builds a jsonb object (sorted keys, last duplicate wins).
func newJSONObject(keys []string, vals []any, binary bool) *sqltypes.JSONObject {
	obj := &sqltypes.JSONObject{Values: map[string]any{}}
	for i, k := range keys {
		if _, dup := obj.Values[k]; !dup || !binary {
			obj.Keys = append(obj.Keys, k)
		}
		obj.Values[k] = vals[i]
	}
	if binary {
		sortJSONKeys(obj.Keys)
	}
	return obj
}

func formatJSON(n any, plain bool) string {
	var b bytes.Buffer
	writeJSON(&b, n, plain)
	return b.String()
}

func writeJSON(b *bytes.Buffer, n any, plain bool) {
	switch x := n.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case sqltypes.JSONNumber:
		b.WriteString(string(x))
	case string:
		writeJSONString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSON(b, e, plain)
		}
		b.WriteByte(']')
	case *sqltypes.JSONObject:
		b.WriteByte('{')
		for i, k := range x.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSONString(b, k)
			if plain {
				b.WriteString(" : ")
			} else {
				b.WriteString(": ")
			}
			writeJSON(b, x.Values[k], plain)
		}
		b.WriteByte('}')
	case sqltypes.JSON:
		writeJSON(b, x.Node, plain)
	default:
		fmt.Fprintf(b, "%v", x)
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
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
