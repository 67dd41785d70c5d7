package engine

import (
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// exprBuilder collects the placeholders of one DynamoDB request's expressions
// (key condition, filter, projection share one name map and one value map).
// Names get #n0, #n1 ... (one per distinct attribute); values get :v0, :v1 ...
// (one per use). No attribute name or value is ever written into an
// expression string itself.
type exprBuilder struct {
	eval *expr.Context
	// keys is set while rendering a KeyConditionExpression: DynamoDB rejects
	// an empty string or binary compared with a key attribute, so such
	// comparisons are resolved here (no key is empty).
	keys   bool
	names  map[string]string // placeholder → attribute name
	byAttr map[string]string // attribute name → placeholder
	values map[string]types.AttributeValue
}

func newExprBuilder(eval *expr.Context) *exprBuilder {
	return &exprBuilder{eval: eval, names: map[string]string{}, byAttr: map[string]string{},
		values: map[string]types.AttributeValue{}}
}

// name returns the placeholder for attribute attr.
func (b *exprBuilder) name(attr string) string {
	if p, ok := b.byAttr[attr]; ok {
		return p
	}
	p := "#n" + strconv.Itoa(len(b.names))
	b.names[p] = attr
	b.byAttr[attr] = p
	return p
}

// add registers an attribute value and returns its placeholder.
func (b *exprBuilder) add(av types.AttributeValue) string {
	p := ":v" + strconv.Itoa(len(b.values))
	b.values[p] = av
	return p
}

// literal registers a string value (e.g. attribute_type's type name).
func (b *exprBuilder) literal(s string) string {
	return b.add(&types.AttributeValueMemberS{Value: s})
}

// value evaluates e and registers it; "" means the value is SQL NULL (the
// condition it is part of can never be true).
func (b *exprBuilder) value(e expr.Expr, attrType string) (string, error) {
	av, err := evalAttr(b.eval, e, attrType)
	if err != nil || av == nil {
		return "", err
	}
	return b.add(av), nil
}

// projection renders a ProjectionExpression for attrs ("" when attrs is empty,
// meaning the whole item).
func (b *exprBuilder) projection(attrs []string) string {
	parts := make([]string, len(attrs))
	for i, a := range attrs {
		parts[i] = b.name(a)
	}
	return strings.Join(parts, ", ")
}

// nameMap and valueMap return the maps for the request, nil when empty
// (DynamoDB rejects empty maps).
func (b *exprBuilder) nameMap() map[string]string {
	if len(b.names) == 0 {
		return nil
	}
	return b.names
}

func (b *exprBuilder) valueMap() map[string]types.AttributeValue {
	if len(b.values) == 0 {
		return nil
	}
	return b.values
}

// evalAttr evaluates a runtime constant (literal or parameter, maybe cast) and
// converts it to an AttributeValue of DynamoDB type attrType ("S", "N", "B",
// or "" for whatever the SQL type maps to). SQL NULL gives nil.
func evalAttr(ctx *expr.Context, e expr.Expr, attrType string) (types.AttributeValue, error) {
	v, err := e.Eval(ctx, nil)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	return toAttr(v, e.Type(), attrType, e)
}

// toAttr converts a non-NULL value of SQL type t (from expression e, named in
// errors) to an AttributeValue that must be of DynamoDB type attrType.
func toAttr(v sqltypes.Value, t sqltypes.OID, attrType string, e expr.Expr) (types.AttributeValue, error) {
	switch t {
	case sqltypes.Unknown, sqltypes.Name, sqltypes.Varchar, 0:
		t = sqltypes.Text // an untyped literal compared with a string attribute
	}
	av, err := sqltypes.ToAttribute(v, t)
	if err != nil {
		return nil, err
	}
	if attrType != "" && sqltypes.AttributeKind(av) != attrType {
		return nil, pgerr.New(pgerr.DatatypeMismatch,
			"value %s (DynamoDB type %s) cannot be compared with an attribute of DynamoDB type %s",
			e.String(), sqltypes.AttributeKind(av), attrType)
	}
	return av, nil
}

// renderCond renders an optional condition: ("", false) when c is nil.
func renderCond(b *exprBuilder, c Cond) (s string, never bool, err error) {
	if c == nil {
		return "", false, nil
	}
	return c.render(b)
}

// optString is nil for "" (an absent optional request field).
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
