package translate

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// bindRangeFunction binds a function in FROM: a set-returning function
// (generate_series, unnest, the registry's, see isSRF) or any scalar
// function (one row). Functions in FROM may always refer to the
// items to their left, as in PostgreSQL.
func (st *selectState) bindRangeFunction(rf *pg_query.RangeFunction, left fromNode) (fromNode, error) {
	if len(rf.Functions) != 1 || rf.IsRowsfrom {
		return nil, pgerr.Unsupported("ROWS FROM with several functions", "")
	}
	items := rf.Functions[0].GetList().GetItems()
	if len(items) == 0 || items[0].GetFuncCall() == nil {
		return nil, pgerr.Unsupported("this function in FROM", "")
	}
	if len(items) > 1 && items[1] != nil && items[1].GetList() != nil {
		return nil, pgerr.Unsupported("column definition lists", "")
	}
	fc := items[0].GetFuncCall()
	var (
		node   *engine.FuncScan
		parent expr.Scope
	)
	lat, err := st.lateral(left, true, func(sc expr.Scope) error {
		var err error
		// The arguments are evaluated with no row of their own: the items
		// they read are one level out (Outer), as for a subquery in FROM.
		node, err = st.funcScan(fc, &relScope{parent: sc})
		parent = sc
		return err
	})
	if err != nil {
		return nil, err
	}
	node.Ordinality = rf.Ordinality
	alias := funcName(fc)
	if rf.Alias != nil && rf.Alias.Aliasname != "" && len(node.Out) == 1 && len(rf.Alias.Colnames) == 0 {
		// FROM f(...) AS g names the column g too
		node.Out[0].Name = rf.Alias.Aliasname
	}
	if rf.Ordinality {
		node.Out = append(node.Out, sqltypes.Column{Name: "ordinality", Type: sqltypes.Int8, Typmod: -1})
	}
	e := newEntry(alias, node.Out)
	if err := applyAlias(e, rf.Alias); err != nil {
		return nil, err
	}
	st.addEntry(e)
	return &leafRel{e: e, node: node, parent: parent, lateral: lat}, nil
}

func (st *selectState) funcScan(fc *pg_query.FuncCall, sc expr.Scope) (*engine.FuncScan, error) {
	name := funcName(fc)
	b := st.binder(sc, nil)
	if st.isSRF(fc) {
		c, err := st.bindSRF(fc, b)
		if err != nil {
			return nil, err
		}
		return &engine.FuncScan{Func: c.Func, Name: name, Args: c.Args, Out: c.Out, Set: c.Set, ZeroBased: c.ZeroBased}, nil
	}
	e, err := b.Bind(&pg_query.Node{Node: &pg_query.Node_FuncCall{FuncCall: fc}})
	if err != nil {
		return nil, err
	}
	return &engine.FuncScan{Func: engine.FuncScalar, Name: name, Args: []expr.Expr{e},
		Out: []sqltypes.Column{{Name: name, Type: e.Type(), Typmod: -1}}}, nil
}

func typeName(t sqltypes.OID) string {
	if info, ok := sqltypes.TypeInfo(t); ok {
		return info.Name
	}
	return "unknown"
}
