package sqltypes

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fazproxy/fazproxy/pgerr"
)

// ParseBool is boolin: any unique prefix of true/false/yes/no, on/off, 1/0,
// case-insensitive, surrounding whitespace ignored.
func ParseBool(s string) (bool, error) {
	v := strings.ToLower(trimPGSpace(s))
	if v != "" {
		switch {
		case strings.HasPrefix("true", v), strings.HasPrefix("yes", v), v == "on", v == "1":
			return true, nil
		case strings.HasPrefix("false", v), strings.HasPrefix("no", v),
			len(v) >= 2 && strings.HasPrefix("off", v), v == "0":
			return false, nil
		}
	}
	return false, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type boolean: %q", s)
}

// IntRange is the inclusive range of an integer type; oid, xid and the reg*
// types are unsigned 32-bit.
func IntRange(t OID) (int64, int64) {
	switch t {
	case Int2:
		return math.MinInt16, math.MaxInt16
	case Int4:
		return math.MinInt32, math.MaxInt32
	case Int8:
		return math.MinInt64, math.MaxInt64
	}
	return 0, math.MaxUint32
}

// isOIDType reports the unsigned 32-bit types: oid, the reg* types and xid
// (whose PostgreSQL 15 input, strtoul, also wraps a negative number).
func isOIDType(t OID) bool {
	switch t {
	case Oid, Xid, Regproc, Regclass, Regtype, Regnamespace:
		return true
	}
	return false
}

// ParseInt is int2in/int4in/int8in (PostgreSQL 15 syntax: optional sign,
// decimal digits, surrounding whitespace) and oidin, which also takes a
// negative 32-bit value as its unsigned equivalent.
func ParseInt(s string, t OID) (int64, error) {
	v := trimPGSpace(s)
	if v == "" || strings.HasPrefix(v, "+-") || strings.HasPrefix(v, "++") || strings.Contains(v, "_") {
		return 0, invalidText(t, s)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, valueOutOfRange(t, s)
		}
		return 0, invalidText(t, s)
	}
	if isOIDType(t) && n < 0 && n >= math.MinInt32 {
		n += 1 << 32
	}
	lo, hi := IntRange(t)
	if n < lo || n > hi {
		return 0, valueOutOfRange(t, s)
	}
	return n, nil
}

// ParseFloat is float4in/float8in: decimal or special values (NaN,
// Infinity, inf), out-of-range values — including ones that underflow to
// zero — are 22003.
func ParseFloat(s string, t OID) (float64, error) {
	v := trimPGSpace(s)
	switch strings.ToLower(v) {
	case "nan", "+nan", "-nan":
		return math.NaN(), nil
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	}
	bits := 64
	if t == Float4 {
		bits = 32
	}
	if f, ok := parseHexFloat(v, bits); ok {
		return f, nil
	}
	coeff, _, _, ok := scanFloatSyntax(v)
	if !ok {
		return 0, invalidText(t, s)
	}
	f, err := strconv.ParseFloat(v, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, pgerr.New(pgerr.NumericValueOutOfRange, "%q is out of range for type %s", v, TypeName(t))
		}
		return 0, invalidText(t, s)
	}
	if f == 0 && strings.Trim(coeff, "0") != "" {
		return 0, pgerr.New(pgerr.NumericValueOutOfRange, "%q is out of range for type %s", v, TypeName(t))
	}
	return f, nil
}

// parseHexFloat accepts strtod's hexadecimal form (0x1.8p3, 0x10), which
// PostgreSQL's float input inherits from the C library.
func parseHexFloat(v string, bits int) (float64, bool) {
	u := strings.TrimLeft(v, "+-")
	if len(u) < 3 || u[0] != '0' || (u[1] != 'x' && u[1] != 'X') || strings.Contains(v, "_") {
		return 0, false
	}
	if !strings.ContainsAny(u, "pP") {
		v += "p0"
	}
	f, err := strconv.ParseFloat(v, bits)
	return f, err == nil
}

// scanFloatSyntax accepts strtod's decimal syntax; unlike numeric_in the
// exponent may be large (the range check follows).
func scanFloatSyntax(v string) (coeff string, exp int, neg, ok bool) {
	i := strings.IndexAny(v, "eE")
	if i < 0 {
		return scanDecimal(v)
	}
	coeff, _, neg, ok = scanDecimal(v[:i])
	if !ok {
		return "", 0, false, false
	}
	e := v[i+1:]
	if strings.HasPrefix(e, "+") || strings.HasPrefix(e, "-") {
		e = e[1:]
	}
	if e == "" || strings.Trim(e, "0123456789") != "" {
		return "", 0, false, false
	}
	return coeff, 0, neg, true
}

// FormatFloat is float4out/float8out with extra_float_digits = 1 (the
// default since PostgreSQL 12): the shortest text that reads back as the
// same value, in exponent form outside [1e-4, 1e15) (float4: [1e-4, 1e6)).
func FormatFloat(f float64, t OID) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	bits, maxExp := 64, 15
	if t == Float4 {
		bits, maxExp = 32, 6
	}
	e := strconv.FormatFloat(f, 'e', -1, bits)
	exp, _ := strconv.Atoi(e[strings.LastIndexByte(e, 'e')+1:])
	if exp < -4 || exp >= maxExp {
		return e
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// ParseBytea is byteain: hex format (\x followed by pairs of hex digits,
// whitespace between pairs allowed) or escape format (\\ and \ooo octal).
func ParseBytea(s string) ([]byte, error) {
	if strings.HasPrefix(s, `\x`) {
		return parseByteaHex(s)
	}
	out := make([]byte, 0, len(s))
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
		if i+3 < len(s) && isOctal(s[i+1]) && s[i+1] <= '3' && isOctal(s[i+2]) && isOctal(s[i+3]) {
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
			continue
		}
		return nil, invalidText(Bytea, s)
	}
	return out, nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

func parseByteaHex(s string) ([]byte, error) {
	out := make([]byte, 0, (len(s)-2)/2)
	h := s[2:]
	for i := 0; i < len(h); {
		if isPGSpace(h[i]) {
			i++
			continue
		}
		if i+1 >= len(h) {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
		}
		b, err := hex.DecodeString(h[i : i+2])
		if err != nil {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid hexadecimal digit: %q", h[i:i+2])
		}
		out = append(out, b[0])
		i += 2
	}
	return out, nil
}

// FormatBytea is byteaout with bytea_output = hex.
func FormatBytea(b []byte) string { return `\x` + hex.EncodeToString(b) }

// ParseUUID is uuid_in: 32 hex digits, optionally in braces, with a hyphen
// allowed after any group of four digits. The result is the canonical
// lower-case 8-4-4-4-12 form.
func ParseUUID(s string) (string, error) {
	var raw [16]byte
	src := s
	braces := strings.HasPrefix(src, "{")
	if braces {
		src = src[1:]
	}
	for i := 0; i < 16; i++ {
		if len(src) < 2 {
			return "", invalidText(UUID, s)
		}
		b, err := hex.DecodeString(src[:2])
		if err != nil {
			return "", invalidText(UUID, s)
		}
		raw[i] = b[0]
		src = src[2:]
		if len(src) > 0 && src[0] == '-' && i%2 == 1 && i < 15 {
			src = src[1:]
		}
	}
	if braces {
		if !strings.HasPrefix(src, "}") {
			return "", invalidText(UUID, s)
		}
		src = src[1:]
	}
	if src != "" {
		return "", invalidText(UUID, s)
	}
	return formatUUID(raw), nil
}

func formatUUID(raw [16]byte) string {
	h := hex.EncodeToString(raw[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// uuidBytes turns the canonical (or any uuid_in-accepted) text into 16 bytes.
func uuidBytes(s string) ([16]byte, error) {
	var raw [16]byte
	c, err := ParseUUID(s)
	if err != nil {
		return raw, err
	}
	_, err = hex.Decode(raw[:], []byte(strings.ReplaceAll(c, "-", "")))
	return raw, err
}

// parseChar is charin (PostgreSQL 15): a \ooo octal escape, else the first
// byte; the empty string is the zero byte, which Go holds as "".
func parseChar(s string) string {
	if len(s) == 4 && s[0] == '\\' && isOctal(s[1]) && s[1] <= '3' && isOctal(s[2]) && isOctal(s[3]) {
		c := (s[1]-'0')<<6 | (s[2]-'0')<<3 | (s[3] - '0')
		if c == 0 {
			return ""
		}
		return string([]byte{c})
	}
	if s == "" {
		return ""
	}
	return s[:1]
}

// formatChar is charout: a high-bit byte prints as a \ooo escape.
func formatChar(s string) string {
	if s == "" {
		return ""
	}
	c := s[0]
	if c&0x80 != 0 {
		return `\` + string([]byte{'0' + c>>6, '0' + c>>3&7, '0' + c&7})
	}
	return s[:1]
}

// parseName is namein: the text cut to NAMEDATALEN-1 bytes at a character
// boundary.
func parseName(s string) string {
	if len(s) <= 63 {
		return s
	}
	n := 63
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func checkUTF8(s string) error {
	if !utf8.ValidString(s) {
		return pgerr.New(pgerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
	}
	return nil
}
