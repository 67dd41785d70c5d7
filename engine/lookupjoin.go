package engine

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

var _ Node = (*LookupJoin)(nil)

// LookupJoin joins each Left row to the item of a table whose whole primary
// key the row gives: Get's Key values read the left row as the innermost
// Outer row (Depth 1). Left rows are taken 100 at a time and their distinct
// keys read with one BatchGetItem, so a join of N rows costs N/100 calls
// rather than N GetItems or a scan of the table. Filter (nil: none) is what
// remains of the join condition, evaluated over the item's row with the left
// row as Outer; a Left join pads left rows with no passing item with NULLs.
// Output keeps the order of Left.
type LookupJoin struct {
	Kind   JoinKind // JoinInner or JoinLeft
	Left   Node
	Get    *GetItem
	Filter expr.Expr
}

func (n *LookupJoin) Columns() []sqltypes.Column {
	return append(append([]sqltypes.Column(nil), n.Left.Columns()...), n.Get.Columns()...)
}

func (n *LookupJoin) Describe() *Description {
	d := &Description{Op: "Lookup " + n.Kind.String() + " Join", Children: []*Description{n.Left.Describe()}}
	d.add("Table", n.Get.Table).add("Key", keyString(n.Get.Key))
	d.add("Calls", "BatchGetItem per 100 outer rows").add("Projection", attrList(n.Get.Projection))
	if n.Filter != nil {
		d.add("Filter", n.Filter.String())
	}
	return d
}

func (n *LookupJoin) Open(ctx context.Context, env *Env) (Iter, error) {
	left, err := n.Left.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &lookupIter{n: n, env: env, left: left}, nil
}

type lookupIter struct {
	n    *LookupJoin
	env  *Env
	left Iter
	out  []sqltypes.Row
	done bool
}

func (it *lookupIter) Next(ctx context.Context) (sqltypes.Row, error) {
	for len(it.out) == 0 {
		if it.done {
			return nil, io.EOF
		}
		if err := it.batch(ctx); err != nil {
			return nil, err
		}
	}
	row := it.out[0]
	it.out = it.out[1:]
	return row, nil
}

// pending is one left row of a batch and the key it looks up.
type pending struct {
	row sqltypes.Row
	env *Env
	id  string // "" when the row's key can match no item
}

// batch reads up to 100 left rows, fetches their items and queues the
// joined rows.
func (it *lookupIter) batch(ctx context.Context) error {
	var (
		rows []pending
		keys []map[string]types.AttributeValue
		seen = map[string]bool{}
	)
	for len(keys) < batchGetMax {
		row, err := it.left.Next(ctx)
		if err == io.EOF {
			it.done = true
			break
		}
		if err != nil {
			return err
		}
		env := it.env.withOuter(row)
		env.enter(ctx)
		p := pending{row: row, env: env}
		key, ok, err := evalKey(env.evalCtx(), it.n.Get.Key)
		if err != nil {
			return err
		}
		if ok {
			p.id = keyID(it.n.Get.Key, key)
			if !seen[p.id] {
				seen[p.id] = true
				keys = append(keys, key)
			}
		}
		rows = append(rows, p)
	}
	items, err := it.fetch(ctx, keys)
	if err != nil {
		return err
	}
	width := len(it.n.Get.Out)
	for _, p := range rows {
		item, ok := items[p.id]
		if ok && it.n.Filter != nil {
			if ok, err = holds(p.env.evalCtx(), it.n.Filter, item); err != nil {
				return err
			}
		}
		switch {
		case ok:
			it.out = append(it.out, concatRows(p.row, item))
		case it.n.Kind == JoinLeft:
			it.out = append(it.out, concatRows(p.row, make(sqltypes.Row, width)))
		}
	}
	return nil
}

// fetch reads the items of keys, by key id.
func (it *lookupIter) fetch(ctx context.Context, keys []map[string]types.AttributeValue) (map[string]sqltypes.Row, error) {
	out := map[string]sqltypes.Row{}
	if len(keys) == 0 {
		return out, nil
	}
	g := it.n.Get
	get := &BatchGetItem{Table: g.Table, Projection: g.Projection, Out: g.Out}
	bi := get.iter(it.env, keys)
	defer bi.Close()
	for {
		item, err := bi.nextItem(ctx)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		key := make(map[string]types.AttributeValue, len(g.Key))
		for _, k := range g.Key {
			key[k.Attr] = item[k.Attr]
		}
		row, err := itemRow(item, g.Out)
		if err != nil {
			return nil, err
		}
		out[keyID(g.Key, key)] = row
	}
}

func (it *lookupIter) Close() {
	it.left.Close()
	it.out = nil
}
