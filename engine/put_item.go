package engine

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// KeyValue wraps the value written to a key column so that a value of the
// wrong kind is reported naming the column (22P02), as spec/types.md asks.
type KeyValue struct {
	Arg    expr.Expr
	Column string
}

var _ expr.Expr = (*KeyValue)(nil)

func (k *KeyValue) Type() sqltypes.OID { return k.Arg.Type() }
func (k *KeyValue) String() string     { return k.Arg.String() }

func (k *KeyValue) Eval(ctx *expr.Context, row sqltypes.Row) (sqltypes.Value, error) {
	v, err := k.Arg.Eval(ctx, row)
	if err != nil {
		code := pgerr.CodeOf(err)
		if code == pgerr.InternalError {
			code = pgerr.InvalidTextRepresentation
		}
		return nil, pgerr.Wrap(err, code, "invalid value for key column %q", k.Column)
	}
	return v, nil
}

// itemShape is what building items needs to know of a table.
type itemShape struct {
	table string
	pk    catalog.KeyAttr
	sk    *catalog.KeyAttr
}

func (s itemShape) keyNames() []string {
	if s.sk == nil {
		return []string{s.pk.Name}
	}
	return []string{s.pk.Name, s.sk.Name}
}

// key extracts the key attributes of an item.
func (s itemShape) key(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	k := map[string]types.AttributeValue{s.pk.Name: item[s.pk.Name]}
	if s.sk != nil {
		k[s.sk.Name] = item[s.sk.Name]
	}
	return k
}

// buildItem turns one row of target columns into the item it writes:
// _item (a jsonb object) gives the whole item, the other columns override
// its attributes; NULL and empty sets are left out.
func (s itemShape) buildItem(target []catalog.Column, row sqltypes.Row) (map[string]types.AttributeValue, error) {
	item := map[string]types.AttributeValue{}
	for i, c := range target {
		if c.Source != catalog.SourceItem || row[i] == nil {
			continue
		}
		av, err := sqltypes.ToAttribute(row[i], sqltypes.Jsonb)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.Name, err)
		}
		m, ok := av.(*types.AttributeValueMemberM)
		if !ok {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "column %q must be a jsonb object: it is the whole item", c.Name)
		}
		for k, v := range m.Value {
			item[k] = v
		}
	}
	for i, c := range target {
		if c.Source == catalog.SourceItem {
			continue
		}
		av, err := writeAttr(row[i], c.Type, c.Name)
		if err != nil {
			return nil, err
		}
		if av == nil {
			delete(item, c.Name)
			continue
		}
		item[c.Name] = av
	}
	if err := s.checkKey(item); err != nil {
		return nil, err
	}
	return item, checkItemSize(s.table, item)
}

// checkKey enforces spec/types.md for key attributes: present and not NULL
// (23502), of the key's DynamoDB type (22P02), not an empty string or
// binary (22023).
func (s itemShape) checkKey(item map[string]types.AttributeValue) error {
	attrs := []catalog.KeyAttr{s.pk}
	if s.sk != nil {
		attrs = append(attrs, *s.sk)
	}
	for _, k := range attrs {
		av, ok := item[k.Name]
		if _, null := av.(*types.AttributeValueMemberNULL); !ok || null {
			return pgerr.New(pgerr.NotNullViolation, "null value in column %q of relation %q violates not-null constraint", k.Name, s.table).
				WithDetail("Every item needs its key attribute %q.", k.Name)
		}
		if kind := sqltypes.AttributeKind(av); kind != k.Type {
			return pgerr.New(pgerr.InvalidTextRepresentation, "key column %q needs a value of DynamoDB type %s, not %s", k.Name, k.Type, kind)
		}
		if emptyKeyValue(av) {
			return pgerr.New(pgerr.InvalidParameterValue, "key column %q cannot be empty", k.Name).
				WithDetail("DynamoDB does not store an empty string or binary as a key attribute.")
		}
	}
	return nil
}

// duplicateKey is PostgreSQL's unique violation for an item's key.
func (s itemShape) duplicateKey(cause error, key map[string]types.AttributeValue) error {
	msg := "duplicate key value violates unique constraint \"%s_pkey\""
	var e *pgerr.Error
	if cause != nil {
		e = pgerr.Wrap(cause, pgerr.UniqueViolation, msg, s.table)
	} else {
		e = pgerr.New(pgerr.UniqueViolation, msg, s.table)
	}
	return e.WithDetail("%s already exists.", keyDetail(s.keyNames(), key))
}

// returning evaluates the RETURNING list over an item.
func returningRow(env *Env, item map[string]types.AttributeValue, out []catalog.Column, list []expr.Expr) (sqltypes.Row, error) {
	row, err := itemRow(item, out)
	if err != nil {
		return nil, err
	}
	res := make(sqltypes.Row, len(list))
	for i, e := range list {
		if res[i], err = e.Eval(env.evalCtx(), row); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// putCond is the ConditionExpression of a put that may not overwrite.
func putCond(b *exprBuilder, pk string) string {
	return "attribute_not_exists(" + b.name(pk) + ")"
}
