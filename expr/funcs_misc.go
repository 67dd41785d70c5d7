package expr

import (
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

func arr(v sqltypes.Value) sqltypes.Array {
	a, _ := v.(sqltypes.Array)
	return a
}

func addArrayFuncs(f *Funcs) {
	f.Add("array_length", fixed(tInt, args(AnyArrayOID, tInt), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		x := arr(a[0])
		if num(a[1]) != 1 || len(x.Items) == 0 {
			return nil, nil
		}
		return int64(len(x.Items)), nil
	}))
	f.Add("array_upper", fixed(tInt, args(AnyArrayOID, tInt), func(_ *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
		x := arr(a[0])
		if num(a[1]) != 1 || len(x.Items) == 0 {
			return nil, nil
		}
		return lowerBound(ts[0]) + int64(len(x.Items)) - 1, nil
	}))
	f.Add("array_lower", fixed(tInt, args(AnyArrayOID, tInt), func(_ *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
		if num(a[1]) != 1 || len(arr(a[0]).Items) == 0 {
			return nil, nil
		}
		return lowerBound(ts[0]), nil
	}))
	f.Add("array_ndims", fixed(tInt, args(AnyArrayOID), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		if len(arr(a[0]).Items) == 0 {
			return nil, nil
		}
		return int64(1), nil
	}))
	f.Add("cardinality", fixed(tInt, args(AnyArrayOID), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return int64(len(arr(a[0]).Items)), nil
	}))
	f.Add("array_position", FuncDef{MinArgs: 2, MaxArgs: 2, NonStrict: true, Resolve: Sig(tInt, AnyArrayOID, AnyElementOID),
		Eval: func(_ *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
			if a[0] == nil {
				return nil, nil
			}
			x := arr(a[0])
			for i, it := range x.Items {
				if it == nil || a[1] == nil {
					if it == nil && a[1] == nil {
						return int64(i + 1), nil
					}
					continue
				}
				c, err := compareValues(it, a[1], x.Elem)
				if err != nil {
					return nil, err
				}
				if c == 0 {
					return int64(i + 1), nil
				}
			}
			return nil, nil
		}})
	f.Add("array_append", FuncDef{MinArgs: 2, MaxArgs: 2, NonStrict: true, Resolve: Sig(AnyArrayOID, AnyArrayOID, AnyElementOID),
		Eval: func(_ *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
			et, _ := elemType(ts[0])
			out := sqltypes.Array{Elem: et}
			if a[0] != nil {
				out.Items = append(out.Items, arr(a[0]).Items...)
			}
			out.Items = append(out.Items, a[1])
			return out, nil
		}})
	f.Add("array_cat", FuncDef{MinArgs: 2, MaxArgs: 2, NonStrict: true, Resolve: Sig(AnyArrayOID, AnyArrayOID, AnyArrayOID),
		Eval: func(_ *Context, a []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
			if a[0] == nil && a[1] == nil {
				return nil, nil
			}
			et, _ := elemType(ts[0])
			out := sqltypes.Array{Elem: et, Items: []sqltypes.Value{}}
			out.Items = append(append(out.Items, arr(a[0]).Items...), arr(a[1]).Items...)
			return out, nil
		}})
	toString := func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		x := arr(a[0])
		var parts []string
		for _, it := range x.Items {
			if it == nil {
				if len(a) > 2 && a[2] != nil {
					parts = append(parts, str(a[2]))
				}
				continue
			}
			s, err := textOf(ctx, it, x.Elem)
			if err != nil {
				return nil, err
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, str(a[1])), nil
	}
	f.Add("array_to_string", FuncDef{MinArgs: 2, MaxArgs: 2, Resolve: Sig(tText, AnyArrayOID, tText), Eval: toString})
	f.Add("array_to_string", FuncDef{MinArgs: 3, MaxArgs: 3, NonStrict: true, Resolve: Sig(tText, AnyArrayOID, tText, tText), Eval: toString})
	split := func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		if a[0] == nil {
			return nil, nil
		}
		s := str(a[0])
		out := sqltypes.Array{Elem: sqltypes.Text, Items: []sqltypes.Value{}}
		if s == "" {
			return out, nil
		}
		var parts []string
		switch {
		case a[1] == nil:
			for _, r := range s {
				parts = append(parts, string(r))
			}
		case str(a[1]) == "":
			parts = []string{s}
		default:
			parts = strings.Split(s, str(a[1]))
		}
		for _, p := range parts {
			if len(a) > 2 && a[2] != nil && p == str(a[2]) {
				out.Items = append(out.Items, nil)
			} else {
				out.Items = append(out.Items, p)
			}
		}
		return out, nil
	}
	f.Add("string_to_array", FuncDef{MinArgs: 2, MaxArgs: 2, NonStrict: true, Resolve: Sig(sqltypes.TextArray, tText, tText), Eval: split})
	f.Add("string_to_array", FuncDef{MinArgs: 3, MaxArgs: 3, NonStrict: true, Resolve: Sig(sqltypes.TextArray, tText, tText, tText), Eval: split})
}

func sessionTime(ctx *Context) time.Time {
	if ctx != nil && ctx.Session != nil {
		if t := ctx.Session.TxStart(); !t.IsZero() {
			return t.UTC().Round(time.Microsecond)
		}
	}
	return time.Now().UTC().Round(time.Microsecond)
}

func toTime(v sqltypes.Value) time.Time {
	switch x := v.(type) {
	case time.Time:
		return x
	case sqltypes.Date:
		return dateTime(x)
	}
	return time.Time{}
}

func truncTime(field string, t time.Time) (time.Time, error) {
	y, mo, d := t.Date()
	switch strings.ToLower(field) {
	case "microseconds":
		return t.Truncate(time.Microsecond), nil
	case "milliseconds":
		return t.Truncate(time.Millisecond), nil
	case "second":
		return t.Truncate(time.Second), nil
	case "minute":
		return t.Truncate(time.Minute), nil
	case "hour":
		return t.Truncate(time.Hour), nil
	case "day":
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC), nil
	case "week":
		wd := (int(t.Weekday()) + 6) % 7
		return time.Date(y, mo, d-wd, 0, 0, 0, 0, time.UTC), nil
	case "month":
		return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC), nil
	case "quarter":
		return time.Date(y, mo-(mo-1)%3, 1, 0, 0, 0, 0, time.UTC), nil
	case "year":
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), nil
	case "decade":
		return time.Date(y-y%10, 1, 1, 0, 0, 0, 0, time.UTC), nil
	case "century":
		return time.Date((y-1)/100*100+1, 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	return time.Time{}, pgerr.New(pgerr.InvalidParameterValue, "unit %q not recognized for type timestamp without time zone", field)
}

// extractField is EXTRACT / date_part as an exact decimal.
func extractField(field string, v sqltypes.Value, t sqltypes.OID) (*apd.Decimal, error) {
	tm := toTime(v)
	f := strings.ToLower(field)
	if t == sqltypes.Date_ {
		switch f {
		case "hour", "minute", "second", "milliseconds", "microseconds":
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unit %q not supported for type date", field)
		}
	}
	us := int64(tm.Nanosecond() / 1000)
	switch f {
	case "year":
		return apd.New(int64(tm.Year()), 0), nil
	case "month":
		return apd.New(int64(tm.Month()), 0), nil
	case "day":
		return apd.New(int64(tm.Day()), 0), nil
	case "hour":
		return apd.New(int64(tm.Hour()), 0), nil
	case "minute":
		return apd.New(int64(tm.Minute()), 0), nil
	case "second":
		return apd.New(int64(tm.Second())*1e6+us, -6), nil
	case "milliseconds":
		return apd.New(int64(tm.Second())*1e6+us, -3), nil
	case "microseconds":
		return apd.New(int64(tm.Second())*1e6+us, 0), nil
	case "dow":
		return apd.New(int64(tm.Weekday()), 0), nil
	case "isodow":
		return apd.New(int64((int(tm.Weekday())+6)%7+1), 0), nil
	case "doy":
		return apd.New(int64(tm.YearDay()), 0), nil
	case "quarter":
		return apd.New(int64((tm.Month()-1)/3+1), 0), nil
	case "week":
		_, w := tm.ISOWeek()
		return apd.New(int64(w), 0), nil
	case "decade":
		return apd.New(int64(tm.Year()/10), 0), nil
	case "century":
		return apd.New(int64((tm.Year()+99)/100), 0), nil
	case "epoch":
		if t == sqltypes.Date_ {
			return apd.New(tm.Unix(), 0), nil
		}
		return apd.New(tm.Unix()*1e6+us, -6), nil
	case "timezone", "timezone_hour", "timezone_minute":
		return apd.New(0, 0), nil
	}
	return nil, pgerr.New(pgerr.InvalidParameterValue, "unit %q not recognized for type %s", field, typeName(t))
}

func addTimeFuncs(f *Funcs) {
	now := func(ctx *Context, _ []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return sessionTime(ctx), nil
	}
	for _, n := range []string{"now", "transaction_timestamp", "statement_timestamp"} {
		f.Add(n, fixed(sqltypes.Timestamptz, nil, now))
	}
	f.Add("clock_timestamp", fixed(sqltypes.Timestamptz, nil, func(*Context, []sqltypes.Value, []sqltypes.OID) (sqltypes.Value, error) {
		return time.Now().UTC().Round(time.Microsecond), nil
	}))
	f.Add("localtimestamp", fixed(sqltypes.Timestamp, nil, now))
	f.Add("current_date", fixed(sqltypes.Date_, nil, func(ctx *Context, _ []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return dateOf(sessionTime(ctx)), nil
	}))
	for _, t := range []sqltypes.OID{sqltypes.Timestamp, sqltypes.Timestamptz} {
		f.Add("date_trunc", fixed(t, args(tText, t), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			return truncTime(str(a[0]), toTime(a[1]))
		}))
	}
	for _, t := range []sqltypes.OID{sqltypes.Timestamp, sqltypes.Timestamptz, sqltypes.Date_} {
		t := t
		f.Add("extract", fixed(tNum, args(tText, t), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			d, err := extractField(str(a[0]), a[1], t)
			if err != nil {
				return nil, err
			}
			return d, nil
		}))
		f.Add("date_part", fixed(tF8, args(tText, t), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			d, err := extractField(str(a[0]), a[1], t)
			if err != nil {
				return nil, err
			}
			return decToFloat(d), nil
		}))
	}
	f.Add("to_timestamp", fixed(sqltypes.Timestamptz, args(tF8), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		x := asFloat(a[0])
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e14 {
			return nil, pgerr.New(pgerr.DatetimeFieldOverflow, "timestamp out of range: %q", formatFloat(x, tF8))
		}
		sec := math.Floor(x)
		us := math.Round((x - sec) * 1e6)
		return time.Unix(int64(sec), int64(us)*1000).UTC(), nil
	}))
}

func needSession(ctx *Context) (SessionInfo, error) {
	if ctx == nil || ctx.Session == nil {
		return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "no session information is available here")
	}
	return ctx.Session, nil
}

func setting(ctx *Context, name, def string) string {
	if ctx != nil && ctx.Session != nil {
		if v, ok := ctx.Session.Setting(name); ok {
			return v
		}
	}
	return def
}

// searchPath returns the schemas of search_path ("$user" dropped).
func searchPath(ctx *Context) []string {
	var out []string
	for _, p := range strings.Split(setting(ctx, "search_path", `"$user", public`), ",") {
		p = strings.Trim(strings.TrimSpace(p), `"`)
		if p != "" && p != "$user" {
			out = append(out, p)
		}
	}
	return out
}

// DefaultVersion is version()'s text when the session has no server_version setting.
const DefaultVersion = "PostgreSQL 15.8 (fazproxy) on x86_64-pc-linux-gnu, compiled by Go, 64-bit"

func addSessionFuncs(f *Funcs) {
	nameFn := func(get func(s SessionInfo) string) evalFn {
		return func(ctx *Context, _ []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			s, err := needSession(ctx)
			if err != nil {
				return nil, err
			}
			return get(s), nil
		}
	}
	user := nameFn(func(s SessionInfo) string { return s.User() })
	for _, n := range []string{"current_user", "session_user", "user", "current_role"} {
		f.Add(n, fixed(sqltypes.Name, nil, user))
	}
	f.Add("current_database", fixed(sqltypes.Name, nil, nameFn(func(s SessionInfo) string { return s.Database() })))
	f.Add("current_catalog", fixed(sqltypes.Name, nil, nameFn(func(s SessionInfo) string { return s.Database() })))
	f.Add("version", fixed(tText, nil, func(ctx *Context, _ []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		v := setting(ctx, "server_version", "")
		switch {
		case v == "":
			return DefaultVersion, nil
		case strings.HasPrefix(v, "PostgreSQL "):
			return v, nil
		}
		return "PostgreSQL " + v + " (fazproxy) on x86_64-pc-linux-gnu, compiled by Go, 64-bit", nil
	}))
	f.Add("current_schema", FuncDef{MinArgs: 0, MaxArgs: 0, NonStrict: true, Resolve: Sig(sqltypes.Name),
		Eval: func(ctx *Context, _ []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			sp := searchPath(ctx)
			for _, s := range sp {
				if s != "pg_catalog" && s != "pg_temp" {
					return s, nil
				}
			}
			return nil, nil
		}})
	f.Add("current_schemas", fixed(sqltypes.NameArray, args(tBool), func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		out := sqltypes.Array{Elem: sqltypes.Name, Items: []sqltypes.Value{}}
		sp := searchPath(ctx)
		hasCatalog := false
		for _, s := range sp {
			hasCatalog = hasCatalog || s == "pg_catalog"
		}
		if a[0].(bool) && !hasCatalog {
			out.Items = append(out.Items, "pg_catalog")
		}
		for _, s := range sp {
			if s == "pg_catalog" && !a[0].(bool) {
				continue
			}
			out.Items = append(out.Items, s)
		}
		return out, nil
	}))
	currentSetting := func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		if a[0] == nil {
			return nil, nil
		}
		missingOK := len(a) > 1 && a[1] == true
		if ctx != nil && ctx.Session != nil {
			if v, ok := ctx.Session.Setting(str(a[0])); ok {
				return v, nil
			}
		}
		if missingOK {
			return nil, nil
		}
		return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", str(a[0]))
	}
	f.Add("current_setting", fixed(tText, args(tText), currentSetting))
	f.Add("current_setting", FuncDef{MinArgs: 2, MaxArgs: 2, NonStrict: true, Resolve: Sig(tText, tText, tBool), Eval: currentSetting})
	f.Add("set_config", FuncDef{MinArgs: 3, MaxArgs: 3, NonStrict: true, Resolve: Sig(tText, tText, tText, tBool),
		Eval: func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			if a[0] == nil {
				return nil, pgerr.New(pgerr.NullValueNotAllowed, "SET requires parameter name")
			}
			s, err := needSession(ctx)
			if err != nil {
				return nil, err
			}
			if err := s.SetSetting(str(a[0]), str(a[1]), a[2] == true); err != nil {
				return nil, err
			}
			if v, ok := s.Setting(str(a[0])); ok {
				return v, nil
			}
			return str(a[1]), nil
		}})
	f.Add("pg_backend_pid", fixed(tInt, nil, func(ctx *Context, _ []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		s, err := needSession(ctx)
		if err != nil {
			return nil, err
		}
		return int64(s.BackendPID()), nil
	}))
	f.Add("pg_encoding_to_char", fixed(sqltypes.Name, args(tInt), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		switch num(a[0]) {
		case 0:
			return "SQL_ASCII", nil
		case 6:
			return "UTF8", nil
		}
		return "", nil
	}))
	f.Add("pg_char_to_encoding", fixed(tInt, args(sqltypes.Name), func(_ *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		switch strings.ToUpper(str(a[0])) {
		case "SQL_ASCII":
			return int64(0), nil
		case "UTF8", "UTF-8":
			return int64(6), nil
		}
		return int64(-1), nil
	}))
	f.Add("pg_client_encoding", fixed(sqltypes.Name, nil, func(ctx *Context, _ []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
		return setting(ctx, "client_encoding", "UTF8"), nil
	}))
	f.Add("pg_typeof", FuncDef{MinArgs: 1, MaxArgs: 1, NonStrict: true, Resolve: Sig(sqltypes.Regtype, AnyOID),
		Eval: func(_ *Context, _ []sqltypes.Value, ts []sqltypes.OID) (sqltypes.Value, error) {
			return int64(ts[0]), nil
		}})
	for _, r := range []struct {
		name string
		t    sqltypes.OID
	}{{"to_regclass", sqltypes.Regclass}, {"to_regtype", sqltypes.Regtype}, {"to_regnamespace", sqltypes.Regnamespace}, {"to_regproc", sqltypes.Regproc}} {
		t := r.t
		f.Add(r.name, fixed(t, args(tText), func(ctx *Context, a []sqltypes.Value, _ []sqltypes.OID) (sqltypes.Value, error) {
			if ctx == nil || ctx.Resolver == nil {
				return nil, pgerr.Unsupported("type "+typeName(t)+" without a catalog", "")
			}
			v, err := regIn(ctx, str(a[0]), t)
			if notFound(err) {
				return nil, nil // to_reg* answer NULL where the cast raises
			}
			return v, err
		}))
	}
}

// notFound reports the errors of a name lookup that finds nothing.
func notFound(err error) bool {
	switch pgerr.CodeOf(err) {
	case pgerr.UndefinedTable, pgerr.UndefinedObject, pgerr.UndefinedFunction, pgerr.InvalidSchemaName,
		codeAmbiguousFunction:
		return true
	}
	return false
}
