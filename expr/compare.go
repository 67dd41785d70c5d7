package expr

import (
	"bytes"
	"math"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// compareValues orders two non-NULL values of the same type t like
// PostgreSQL's btree operators with collation "C" (bytewise text).
func compareValues(a, b sqltypes.Value, t sqltypes.OID) (int, error) {
	switch x := a.(type) {
	case bool:
		y, ok := b.(bool)
		if !ok {
			break
		}
		switch {
		case x == y:
			return 0, nil
		case !x:
			return -1, nil
		}
		return 1, nil
	case int64:
		switch y := b.(type) {
		case int64:
			return cmp3(x < y, x > y), nil
		case float64, *apd.Decimal:
			return compareNumbers(a, b), nil
		}
	case float64, *apd.Decimal:
		return compareNumbers(a, b), nil
	case string:
		y, ok := b.(string)
		if !ok {
			break
		}
		if t == bpcharOID {
			x, y = strings.TrimRight(x, " "), strings.TrimRight(y, " ")
		}
		return strings.Compare(x, y), nil
	case []byte:
		y, ok := b.([]byte)
		if !ok {
			break
		}
		return bytes.Compare(x, y), nil
	case sqltypes.Date:
		switch y := b.(type) {
		case sqltypes.Date:
			return cmp3(x < y, x > y), nil
		case time.Time:
			return dateTime(x).Compare(y), nil
		}
	case time.Time:
		switch y := b.(type) {
		case time.Time:
			return x.Compare(y), nil
		case sqltypes.Date:
			return x.Compare(dateTime(y)), nil
		}
	case sqltypes.JSON:
		y, ok := b.(sqltypes.JSON)
		if !ok {
			break
		}
		return compareJSON(x.Node, y.Node), nil
	case sqltypes.Array:
		y, ok := b.(sqltypes.Array)
		if !ok {
			break
		}
		for i := 0; i < len(x.Items) && i < len(y.Items); i++ {
			ea, eb := x.Items[i], y.Items[i]
			switch {
			case ea == nil && eb == nil:
				continue
			case ea == nil:
				return 1, nil
			case eb == nil:
				return -1, nil
			}
			c, err := compareValues(ea, eb, x.Elem)
			if err != nil || c != 0 {
				return c, err
			}
		}
		return cmp3(len(x.Items) < len(y.Items), len(x.Items) > len(y.Items)), nil
	}
	return 0, pgerr.New(pgerr.UndefinedFunction, "could not identify a comparison function for type %s", typeName(t))
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

// compareNumbers compares mixed numeric values; NaN sorts above everything.
func compareNumbers(a, b sqltypes.Value) int {
	_, af := a.(float64)
	_, bf := b.(float64)
	if af || bf {
		x, y := asFloat(a), asFloat(b)
		switch {
		case math.IsNaN(x) && math.IsNaN(y):
			return 0
		case math.IsNaN(x):
			return 1
		case math.IsNaN(y):
			return -1
		}
		return cmp3(x < y, x > y)
	}
	x, _ := asDecimal(a)
	y, _ := asDecimal(b)
	xn, yn := x.Form == apd.NaN || x.Form == apd.NaNSignaling, y.Form == apd.NaN || y.Form == apd.NaNSignaling
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	}
	return x.Cmp(y)
}

func jsonRank(n any) int {
	switch n.(type) {
	case nil:
		return 0
	case string:
		return 1
	case sqltypes.JSONNumber:
		return 2
	case bool:
		return 3
	case []any:
		return 4
	case *sqltypes.JSONObject:
		return 5
	}
	return 6
}

// compareJSON approximates jsonb ordering: by kind, then by value.
func compareJSON(a, b any) int {
	ra, rb := jsonRank(a), jsonRank(b)
	if ra != rb {
		return cmp3(ra < rb, ra > rb)
	}
	switch x := a.(type) {
	case string:
		return strings.Compare(x, b.(string))
	case sqltypes.JSONNumber:
		da, e1 := parseDecimal(string(x))
		db, e2 := parseDecimal(string(b.(sqltypes.JSONNumber)))
		if e1 != nil || e2 != nil {
			return strings.Compare(string(x), string(b.(sqltypes.JSONNumber)))
		}
		return da.Cmp(db)
	case bool:
		y := b.(bool)
		return cmp3(!x && y, x && !y)
	case []any:
		y := b.([]any)
		if len(x) != len(y) {
			return cmp3(len(x) < len(y), len(x) > len(y))
		}
		for i := range x {
			if c := compareJSON(x[i], y[i]); c != 0 {
				return c
			}
		}
	case *sqltypes.JSONObject:
		y := b.(*sqltypes.JSONObject)
		if len(x.Keys) != len(y.Keys) {
			return cmp3(len(x.Keys) < len(y.Keys), len(x.Keys) > len(y.Keys))
		}
		for i := range x.Keys {
			if c := strings.Compare(x.Keys[i], y.Keys[i]); c != 0 {
				return c
			}
			if c := compareJSON(x.Values[x.Keys[i]], y.Values[y.Keys[i]]); c != 0 {
				return c
			}
		}
	}
	return 0
}

// jsonEqual is structural equality of two JSON nodes.
func jsonEqual(a, b any) bool { return jsonRank(a) == jsonRank(b) && compareJSON(a, b) == 0 }
