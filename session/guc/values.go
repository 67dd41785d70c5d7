package guc

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // TimeZone names must validate in images without /usr/share/zoneinfo

	"github.com/fazproxy/fazproxy/pgerr"
)

// checkFunc validates a raw value and returns its canonical form; cur is the
// parameter's current value (DateStyle keeps the half that is not given).
type checkFunc func(in, cur string) (string, error)

func invalidValue(name, in string) *pgerr.Error {
	return pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter %q: %q", name, in)
}

// unsupportedValue is for values PostgreSQL accepts but fazproxy cannot
// honour: refusing is better than accepting and answering differently.
func unsupportedValue(name, in, hint string) *pgerr.Error {
	return pgerr.Unsupported(fmt.Sprintf("value %q for parameter %q", in, name), hint)
}

// parseBool accepts PostgreSQL's spellings: true/false, yes/no, on/off, 1/0
// and unique prefixes of them.
func parseBool(in string) (bool, bool) {
	v := strings.ToLower(strings.TrimSpace(in))
	if v == "" {
		return false, false
	}
	for _, w := range []struct {
		word string
		val  bool
		min  int
	}{{"true", true, 1}, {"false", false, 1}, {"yes", true, 1}, {"no", false, 1},
		{"on", true, 2}, {"off", false, 2}, {"1", true, 1}, {"0", false, 1}} {
		if len(v) >= w.min && strings.HasPrefix(w.word, v) {
			return w.val, true
		}
	}
	return false, false
}

func boolCheck(name string) checkFunc {
	return func(in, _ string) (string, error) {
		b, ok := parseBool(in)
		if !ok {
			return "", pgerr.New(pgerr.InvalidParameterValue, "parameter %q requires a Boolean value", name)
		}
		if b {
			return "on", nil
		}
		return "off", nil
	}
}

// onlyOn is a boolean parameter fazproxy supports only switched on.
func onlyOn(name, hint string) checkFunc {
	b := boolCheck(name)
	return func(in, cur string) (string, error) {
		v, err := b(in, cur)
		if err == nil && v != "on" {
			return "", unsupportedValue(name, in, hint)
		}
		return v, err
	}
}

// parseNumber reads an integer or, as PostgreSQL 12+ does, a fractional
// number rounded half to even.
func parseNumber(s string) (float64, bool) {
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(i), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func intCheck(name string, lo, hi int64) checkFunc {
	return func(in, _ string) (string, error) {
		f, ok := parseNumber(strings.TrimSpace(in))
		if !ok {
			return "", invalidValue(name, in)
		}
		n := math.RoundToEven(f)
		if n < float64(lo) || n > float64(hi) {
			return "", pgerr.New(pgerr.InvalidParameterValue,
				"%s is outside the valid range for parameter %q (%d .. %d)", strings.TrimSpace(in), name, lo, hi)
		}
		return strconv.FormatInt(int64(n), 10), nil
	}
}

type timeUnit struct {
	unit string
	ms   float64
}

// timeUnits are PostgreSQL's time units for a parameter whose base unit is
// milliseconds, largest first (SHOW prints with the largest exact unit).
func timeUnits() [6]timeUnit {
	return [...]timeUnit{{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}, {"ms", 1}, {"us", 0.001}}
}

const maxDurationMS = math.MaxInt32

// parseDurationMS reads "5000", "5s", "1.5 min" ... into milliseconds.
func parseDurationMS(name, in string) (int64, error) {
	s := strings.TrimSpace(in)
	i := len(s)
	for i > 0 && (s[i-1] >= 'a' && s[i-1] <= 'z' || s[i-1] >= 'A' && s[i-1] <= 'Z') {
		i--
	}
	num, unit := strings.TrimSpace(s[:i]), s[i:]
	f, ok := parseNumber(num)
	if !ok {
		return 0, invalidValue(name, in)
	}
	scale := 1.0
	if unit != "" {
		found := false
		for _, u := range timeUnits() {
			if u.unit == unit { // case-sensitive, as in PostgreSQL
				scale, found = u.ms, true
			}
		}
		if !found {
			return 0, invalidValue(name, in).
				WithHint(`Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".`)
		}
	}
	ms := math.RoundToEven(f * scale)
	if ms < 0 || ms > maxDurationMS {
		return 0, pgerr.New(pgerr.InvalidParameterValue,
			"%s is outside the valid range for parameter %q (0 .. %d)", s, name, maxDurationMS)
	}
	return int64(ms), nil
}

// formatDurationMS prints milliseconds as SHOW does: 0, 1500ms, 30s, 1min.
func formatDurationMS(ms int64) string {
	if ms == 0 {
		return "0"
	}
	units := timeUnits()
	for _, u := range units[:5] {
		if n := int64(u.ms); ms%n == 0 {
			return strconv.FormatInt(ms/n, 10) + u.unit
		}
	}
	return strconv.FormatInt(ms, 10) + "ms"
}

func durationCheck(name string) checkFunc {
	return func(in, _ string) (string, error) {
		ms, err := parseDurationMS(name, in)
		if err != nil {
			return "", err
		}
		return formatDurationMS(ms), nil
	}
}

// enumCheck accepts one of values (case-insensitive), or an alias of one;
// unsupported maps values PostgreSQL accepts but fazproxy does not to a hint.
func enumCheck(name string, values []string, aliases map[string]string, unsupported map[string]string) checkFunc {
	return func(in, _ string) (string, error) {
		v := strings.ToLower(strings.TrimSpace(in))
		if a, ok := aliases[v]; ok {
			return a, nil // hidden spellings, as PostgreSQL's enum tables have
		}
		for _, ok := range values {
			if v == ok {
				return v, nil
			}
		}
		if hint, ok := unsupported[v]; ok {
			return "", unsupportedValue(name, in, hint)
		}
		return "", invalidValue(name, in).WithHint("Available values: %s.", strings.Join(values, ", "))
	}
}

// clientEncodingCheck accepts UTF8 under PostgreSQL's aliases (case and
// punctuation are ignored: utf-8, Unicode). SQL_ASCII is accepted because
// libpq sends it from a C locale (psql in a bare container) and PostgreSQL
// then passes the server's UTF8 bytes through unconverted, which is what
// fazproxy does anyway.
func clientEncodingCheck(in, _ string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToLower(in) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	switch b.String() {
	case "utf8", "unicode":
		return "UTF8", nil
	case "sqlascii":
		return "SQL_ASCII", nil
	}
	return "", invalidValue("client_encoding", in).
		WithHint("fazproxy sends and receives UTF8 only; set client_encoding to UTF8")
}

// dateStyleCheck parses "ISO, MDY"-style values. fazproxy prints ISO dates and
// reads ambiguous dates month first, so other styles and orders are refused
// rather than silently ignored.
func dateStyleCheck(in, cur string) (string, error) {
	style, order := "ISO", "MDY"
	if parts := strings.SplitN(cur, ", ", 2); len(parts) == 2 {
		style, order = parts[0], parts[1]
	}
	var gotStyle, gotOrder string
	fields := strings.FieldsFunc(in, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(fields) == 0 {
		return "", invalidValue("DateStyle", in)
	}
	for _, f := range fields {
		var st, ord string
		switch strings.ToLower(f) {
		case "iso":
			st = "ISO"
		case "default":
			st, ord = "ISO", "MDY"
		case "mdy", "us", "noneuro", "noneuropean":
			ord = "MDY"
		case "sql", "postgres", "german":
			return "", unsupportedValue("DateStyle", in, "fazproxy prints dates in ISO style only")
		case "dmy", "ymd", "euro", "european":
			return "", unsupportedValue("DateStyle", in, "fazproxy reads dates in MDY order only")
		default:
			return "", invalidValue("DateStyle", in).WithDetail(`Unrecognized key word: "%s".`, f)
		}
		if (st != "" && gotStyle != "" && st != gotStyle) || (ord != "" && gotOrder != "" && ord != gotOrder) {
			return "", invalidValue("DateStyle", in).WithDetail(`Conflicting "datestyle" specifications.`)
		}
		gotStyle, gotOrder = cmpOr(st, gotStyle), cmpOr(ord, gotOrder)
	}
	return cmpOr(gotStyle, style) + ", " + cmpOr(gotOrder, order), nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// timeZoneCheck accepts IANA zone names (case-insensitively, shown in their
// canonical spelling, as PostgreSQL does), hour offsets (SET TIME ZONE -7,
// shown as <-07>+07) and POSIX-style abbreviations with an offset (UTC+3).
func timeZoneCheck(in, _ string) (string, error) {
	s := strings.TrimSpace(in)
	if s == "" {
		return "", invalidValue("TimeZone", in)
	}
	if f, ok := parseNumber(s); ok {
		return offsetZone(f, in)
	}
	if name, ok := loadZone(s); ok {
		return name, nil
	}
	if isPOSIXZone(s) {
		return s, nil
	}
	return "", invalidValue("TimeZone", in)
}

// offsetZone names a fixed offset of hours east of UTC like PostgreSQL:
// <+05:30>-05:30 (the POSIX part has the opposite sign).
func offsetZone(hours float64, in string) (string, error) {
	if math.Abs(hours) > 15 {
		return "", invalidValue("TimeZone", in)
	}
	secs := int(math.Round(hours * 3600))
	sign, posix := "+", "-"
	if secs < 0 {
		sign, posix, secs = "-", "+", -secs
	}
	hm := fmt.Sprintf("%02d", secs/3600)
	if m := secs % 3600 / 60; m != 0 {
		hm += fmt.Sprintf(":%02d", m)
	}
	if secs == 0 {
		posix = ""
	}
	return "<" + sign + hm + ">" + posix + hm, nil
}

// loadZone finds an IANA zone ignoring case, trying the spellings tz names use
// (UTC, Europe/Berlin, America/Port_of_Spain).
func loadZone(s string) (string, bool) {
	for _, cand := range []string{s, strings.ToUpper(s), titleZone(s)} {
		if strings.EqualFold(cand, "local") {
			continue // time.LoadLocation("Local") is the host's zone, not a name
		}
		if _, err := time.LoadLocation(cand); err == nil {
			return cand, true
		}
	}
	return "", false
}

func titleZone(s string) string {
	b := []byte(strings.ToLower(s))
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '/' || c == '_' || c == '-'
	}
	return string(b)
}

// isPOSIXZone recognises "ABC", "ABC+3", "ABC-05:30", "EST5EDT": letters then
// an optional offset and optional daylight name.
func isPOSIXZone(s string) bool {
	i := 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z') {
		i++
	}
	if i < 3 {
		return false
	}
	rest := s[i:]
	if rest == "" {
		return false // a bare abbreviation must be a known zone name
	}
	if rest[0] == '+' || rest[0] == '-' {
		rest = rest[1:]
	}
	j := 0
	for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || rest[j] == ':') {
		j++
	}
	if j == 0 {
		return false
	}
	for _, c := range rest[j:] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// searchPathCheck validates the list syntax (identifiers, double-quoted ones
// with "" escapes, separated by commas) and keeps the text as given, as
// PostgreSQL stores search_path.
func searchPathCheck(in, _ string) (string, error) {
	if _, ok := splitIdentifiers(in); !ok {
		return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter %q: %q", "search_path", in).
			WithDetail("List syntax is invalid.")
	}
	return strings.TrimSpace(in), nil
}

// splitIdentifiers is PostgreSQL's SplitIdentifierString for ',' lists.
func splitIdentifiers(s string) ([]string, bool) {
	var out []string
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	for {
		var item string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; ; i++ {
				if i >= len(s) {
					return nil, false // unterminated quote
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i++
						continue
					}
					break
				}
				b.WriteByte(s[i])
			}
			item, s = b.String(), s[i+1:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			item, s = strings.TrimSpace(s[:end]), s[end:]
			if item == "" || strings.ContainsAny(item, `" `) {
				return nil, false
			}
		}
		out = append(out, item)
		s = strings.TrimSpace(s)
		if s == "" {
			return out, true
		}
		if s[0] != ',' {
			return nil, false
		}
		s = strings.TrimSpace(s[1:])
	}
}

// sessionAuthorizationCheck: fazproxy has no superusers, so a session may
// only "switch" to the user it authenticated as.
func sessionAuthorizationCheck(user string) checkFunc {
	return func(in, _ string) (string, error) {
		if in != user {
			return "", pgerr.New(pgerr.InsufficientPrivilege, "permission denied to set session authorization")
		}
		return in, nil
	}
}

// roleCheck: fazproxy users are not roles of one another; SET ROLE may only
// name the session's own user or NONE.
func roleCheck(user string) checkFunc {
	return func(in, _ string) (string, error) {
		if strings.EqualFold(in, "none") {
			return "none", nil
		}
		if in != user {
			return "", pgerr.New(pgerr.InsufficientPrivilege, "permission denied to set role %q", in)
		}
		return in, nil
	}
}

// versionNum turns "15.8" into 150008, PostgreSQL's server_version_num.
func versionNum(v string) string {
	parts := strings.SplitN(v, ".", 3)
	major, _ := strconv.Atoi(parts[0])
	minor := 0
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	}
	return strconv.Itoa(major*10000 + minor)
}
