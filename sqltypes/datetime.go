package sqltypes

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fazproxy/fazproxy/pgerr"
)

// PostgreSQL's epoch (2000-01-01 00:00:00 UTC) in Unix seconds, and the
// limits of date and timestamp (datatype/timestamp.h) in its units.
const (
	pgEpochUnix  = 946684800
	usPerSec     = 1_000_000
	usPerDay     = 86_400 * usPerSec
	minDate      = -2451545             // 4714-11-24 BC
	endDate      = 2147483494 - 2451545 // 5874898-01-01
	minTimestamp = -211813488000000000  // 4714-11-24 00:00:00 BC
	endTimestamp = 9223371331200000000  // 294277-01-01 00:00:00
	maxZoneSecs  = 15*3600 + 59*60 + 59 // MAX_TZDISP_HOUR
)

// invalidTimeZoneDisplacement is SQLSTATE 22009 (not among pgerr's names).
const invalidTimeZoneDisplacement = "22009"

// Time is midnight UTC of d. The infinities have no time.Time; they map to
// the ends of the date range.
func (d Date) Time() time.Time {
	switch d {
	case DateInfinity:
		d = endDate
	case DateNegInfinity:
		d = minDate
	}
	return time.Unix(pgEpochUnix+int64(d)*86400, 0).UTC()
}

// DateOf is the UTC calendar date of t.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() - pgEpochUnix
	return Date(u / 86400)
}

// FormatDate is date_out with DateStyle ISO.
func FormatDate(d Date) string {
	switch d {
	case DateInfinity:
		return "infinity"
	case DateNegInfinity:
		return "-infinity"
	}
	y, m, day := d.Time().Date()
	return yearText(y) + fmt.Sprintf("-%02d-%02d", int(m), day) + eraText(y)
}

// yearText is the year as PostgreSQL prints it: at least four digits, with
// years before 1 AD counted from 1 BC (the era goes at the end).
func yearText(y int) string {
	if y <= 0 {
		y = 1 - y
	}
	return fmt.Sprintf("%04d", y)
}

func eraText(y int) string {
	if y <= 0 {
		return " BC"
	}
	return ""
}

// FormatTimestamp is timestamp_out / timestamptz_out with DateStyle ISO and
// TimeZone UTC: "2024-01-02 03:04:05.123456" (tz adds "+00").
func FormatTimestamp(t time.Time, tz bool) string {
	t = t.UTC().Round(time.Microsecond)
	y, mo, d := t.Date()
	var b strings.Builder
	b.WriteString(yearText(y))
	fmt.Fprintf(&b, "-%02d-%02d %02d:%02d:%02d", int(mo), d, t.Hour(), t.Minute(), t.Second())
	if us := t.Nanosecond() / 1000; us != 0 {
		b.WriteString(strings.TrimRight(fmt.Sprintf(".%06d", us), "0"))
	}
	if tz {
		b.WriteString("+00")
	}
	b.WriteString(eraText(y))
	return b.String()
}

// timestampMicros is t as microseconds since 2000-01-01 UTC.
func timestampMicros(t time.Time) int64 {
	t = t.Round(time.Microsecond)
	return (t.Unix()-pgEpochUnix)*usPerSec + int64(t.Nanosecond()/1000)
}

// timestampFromMicros is the inverse of timestampMicros.
func timestampFromMicros(us int64) time.Time {
	sec, rem := us/usPerSec, us%usPerSec
	if rem < 0 {
		sec, rem = sec-1, rem+usPerSec
	}
	return time.Unix(sec+pgEpochUnix, rem*1000).UTC()
}

// dateFields is what the datetime parser found in its input.
type dateFields struct {
	year, month, day  int
	hour, minute, sec int
	micros            int64
	zone              int // seconds east of UTC
	bc, twoDY         bool
}

// ParseDate is date_in with DateStyle ISO, MDY: ISO dates, m/d/y, y/m/d
// and yyyymmdd, an optional time (ignored) and BC; "infinity", "epoch".
func ParseDate(s string) (Date, error) {
	switch strings.ToLower(trimPGSpace(s)) {
	case "infinity", "+infinity":
		return DateInfinity, nil
	case "-infinity":
		return DateNegInfinity, nil
	case "epoch":
		return Date(-10957), nil
	}
	f, err := parseDateTimeFields(s, Date_)
	if err != nil {
		return 0, err
	}
	days, err := f.days(s)
	if err != nil {
		return 0, err
	}
	if days < minDate || days >= endDate {
		return 0, pgerr.New(pgerr.DatetimeFieldOverflow, "date out of range: %q", s)
	}
	return Date(days), nil
}

// ParseTimestamp is timestamp_in (t = Timestamp: any zone is ignored) and
// timestamptz_in (t = Timestamptz: no zone means UTC, the session zone).
// Infinite timestamps are not supported: time.Time cannot hold them.
func ParseTimestamp(s string, t OID) (time.Time, error) {
	switch strings.ToLower(trimPGSpace(s)) {
	case "epoch":
		return time.Unix(0, 0).UTC(), nil
	case "infinity", "+infinity", "-infinity":
		return time.Time{}, pgerr.Unsupported("infinite timestamps", "")
	}
	f, err := parseDateTimeFields(s, t)
	if err != nil {
		return time.Time{}, err
	}
	days, err := f.days(s)
	if err != nil {
		return time.Time{}, err
	}
	us := int64(days)*usPerDay + (int64(f.hour*3600+f.minute*60+f.sec))*usPerSec + f.micros
	if t == Timestamptz {
		us -= int64(f.zone) * usPerSec
	}
	if us < minTimestamp || us >= endTimestamp {
		return time.Time{}, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range: %q", s)
	}
	return timestampFromMicros(us), nil
}

// days validates the calendar fields and returns days since 2000-01-01.
func (f *dateFields) days(s string) (int, error) {
	y := f.year
	if f.twoDY && !f.bc && y < 100 {
		if y < 70 {
			y += 2000
		} else {
			y += 1900
		}
	}
	if y == 0 || f.month < 1 || f.month > 12 || y > 5874897 {
		return 0, datetimeOverflow(s)
	}
	if f.bc {
		y = 1 - y
	}
	first := time.Date(y, time.Month(f.month), 1, 0, 0, 0, 0, time.UTC)
	if f.day < 1 || f.day > first.AddDate(0, 1, -1).Day() {
		return 0, datetimeOverflow(s)
	}
	if f.hour > 24 || f.minute > 59 || f.sec > 60 ||
		(f.hour == 24 && (f.minute != 0 || f.sec != 0 || f.micros != 0)) {
		return 0, datetimeOverflow(s)
	}
	return int((first.Unix()-pgEpochUnix)/86400) + f.day - 1, nil
}

// dtScanner walks a datetime literal.
type dtScanner struct {
	s string
	i int
}

func (sc *dtScanner) digits() string {
	start := sc.i
	for sc.i < len(sc.s) && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9' {
		sc.i++
	}
	return sc.s[start:sc.i]
}

func (sc *dtScanner) eat(c byte) bool {
	if sc.i < len(sc.s) && sc.s[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

func (sc *dtScanner) spaces() bool {
	start := sc.i
	for sc.i < len(sc.s) && isPGSpace(sc.s[sc.i]) {
		sc.i++
	}
	return sc.i > start
}

func (sc *dtScanner) word(w string) bool {
	if len(sc.s)-sc.i >= len(w) && strings.EqualFold(sc.s[sc.i:sc.i+len(w)], w) {
		sc.i += len(w)
		return true
	}
	return false
}

func atoiField(d string) (int, bool) {
	if d == "" || len(d) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(d)
	return n, err == nil
}

// parseDateTimeFields parses "<date>[( |T)<time>][ <zone>][ BC|AD]".
func parseDateTimeFields(s string, t OID) (*dateFields, error) {
	sc := &dtScanner{s: trimPGSpace(s)}
	f := &dateFields{}
	if !sc.date(f) {
		return nil, invalidDatetime(t, s)
	}
	sep := sc.spaces()
	if !sep && (sc.eat('T') || sc.eat('t')) {
		sep = true
	}
	if sep && sc.i < len(sc.s) && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9' {
		if !sc.clock(f) {
			return nil, invalidDatetime(t, s)
		}
		sc.spaces()
	}
	if sc.zone(f) {
		sc.spaces()
	}
	if sc.word("BC") {
		f.bc = true
	} else {
		sc.word("AD")
	}
	sc.spaces()
	if sc.i != len(sc.s) {
		return nil, invalidDatetime(t, s)
	}
	if f.zone > maxZoneSecs || f.zone < -maxZoneSecs {
		return nil, pgerr.New(invalidTimeZoneDisplacement, "time zone displacement out of range: %q", s)
	}
	return f, nil
}

// date reads y-m-d, m/d/y (DateStyle MDY), y/m/d or yyyymmdd.
func (sc *dtScanner) date(f *dateFields) bool {
	a := sc.digits()
	var ok1, ok2, ok3 bool
	switch {
	case sc.eat('-'):
		f.year, ok1 = atoiField(a)
		f.month, ok2 = atoiField(sc.digits())
		ok3 = sc.eat('-')
		if ok3 {
			f.day, ok3 = atoiField(sc.digits())
		}
	case sc.eat('/'):
		b := sc.digits()
		ok3 = sc.eat('/')
		c := sc.digits()
		if len(a) >= 3 {
			f.year, ok1 = atoiField(a)
			f.month, ok2 = atoiField(b)
			f.day, ok3 = atoiField(c)
		} else if ok3 {
			f.month, ok1 = atoiField(a)
			f.day, ok2 = atoiField(b)
			f.year, ok3 = atoiField(c)
			f.twoDY = len(c) <= 2
		}
	case len(a) == 8:
		f.year, ok1 = atoiField(a[:4])
		f.month, ok2 = atoiField(a[4:6])
		f.day, ok3 = atoiField(a[6:])
	}
	return ok1 && ok2 && ok3
}

// clock reads hh:mm[:ss[.frac]], rounding the fraction to microseconds.
func (sc *dtScanner) clock(f *dateFields) bool {
	var ok bool
	if f.hour, ok = atoiField(sc.digits()); !ok || !sc.eat(':') {
		return false
	}
	if f.minute, ok = atoiField(sc.digits()); !ok {
		return false
	}
	if sc.eat(':') {
		if f.sec, ok = atoiField(sc.digits()); !ok {
			return false
		}
	}
	if sc.eat('.') {
		f.micros = roundMicros(sc.digits())
	}
	return true
}

// roundMicros turns fractional-second digits into microseconds exactly as
// PostgreSQL does: rint(strtod("0.digits") * 1e6), floating point included.
func roundMicros(frac string) int64 {
	f, err := strconv.ParseFloat("0."+frac+"0", 64)
	if err != nil {
		return 0
	}
	return int64(math.RoundToEven(f * 1e6))
}

// zone reads Z, UTC, GMT or ±hh[[:]mm[[:]ss]].
func (sc *dtScanner) zone(f *dateFields) bool {
	switch {
	case sc.word("UTC"), sc.word("GMT"), sc.word("Z"):
		return true
	}
	if sc.i >= len(sc.s) || (sc.s[sc.i] != '+' && sc.s[sc.i] != '-') {
		return false
	}
	neg := sc.s[sc.i] == '-'
	sc.i++
	d := sc.digits()
	var h, m, sec int
	switch {
	case len(d) <= 2:
		h, _ = atoiField(d)
		if sc.eat(':') {
			m, _ = atoiField(sc.digits())
			if sc.eat(':') {
				sec, _ = atoiField(sc.digits())
			}
		}
	case len(d) == 4:
		h, _ = atoiField(d[:2])
		m, _ = atoiField(d[2:])
	case len(d) == 6:
		h, _ = atoiField(d[:2])
		m, _ = atoiField(d[2:4])
		sec, _ = atoiField(d[4:])
	default:
		sc.i = len(sc.s) + 1 // force a syntax error
		return false
	}
	if d == "" {
		sc.i = len(sc.s) + 1
		return false
	}
	f.zone = h*3600 + m*60 + sec
	if neg {
		f.zone = -f.zone
	}
	return true
}
