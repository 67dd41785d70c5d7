package expr

import (
	"testing"

	"github.com/fazproxy/fazproxy/sqltypes"
)

// FuzzBindExpr: any text as "SELECT <text>" must parse, bind and evaluate
// without panicking (errors are fine).
func FuzzBindExpr(f *testing.F) {
	for _, c := range evalCases {
		f.Add(c.expr)
	}
	f.Fuzz(func(t *testing.T, text string) {
		n, err := parseExpr(t, text)
		if err != nil {
			return
		}
		b := &Binder{Scope: fakeScope{}, Params: NewParamTypes(nil), Resolver: fakeResolver{}}
		e, err := b.Bind(n)
		if err != nil {
			return
		}
		_ = e.String()
		params := make([]sqltypes.Value, len(b.Params.Types()))
		for i := range params {
			params[i] = nil
		}
		ctx := &Context{Params: params, Session: newSession(), Resolver: fakeResolver{}}
		v, err := e.Eval(ctx, testRow(t))
		if err == nil && v != nil {
			_, _ = castValue(ctx, v, e.Type(), sqltypes.Text, -1, true)
		}
	})
}
