package native

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
)

// EnforceAppendOnly makes every PutItem of the request (PutItem, and each Put
// of TransactWriteItems) conditional on its key not existing, so that under
// RA an append can never overwrite: attribute_not_exists(#pk) is ANDed with
// any existing condition, #pk being a fresh placeholder. keys are the key
// attribute names, partition key first. It returns where it changed the
// request (e.g. "PutItem", "TransactItems[2].Put"); puts that already could
// not overwrite are left alone. Run it before Needs: the changed puts then
// classify as insert.
func (r *Request) EnforceAppendOnly(keys []string) ([]string, error) {
	return r.EnforceAppendOnlyFunc(func(string) []string { return keys })
}

// EnforceAppendOnlyFunc is EnforceAppendOnly with key names per table; puts
// on tables for which keysOf returns nil are left alone (the caller applies
// it only to the tables held under RA).
func (r *Request) EnforceAppendOnlyFunc(keysOf func(table string) []string) ([]string, error) {
	var changed []string
	switch in := r.Input.(type) {
	case *dynamodb.PutItemInput:
		p := putFields{in.TableName, &in.ConditionExpression, &in.ExpressionAttributeNames, &in.Expected, in.ConditionalOperator}
		ok, err := r.guardPut(p, keysOf)
		if err != nil {
			return nil, fmt.Errorf("PutItem: %w", err)
		}
		if ok {
			changed = append(changed, "PutItem")
		}
	case *dynamodb.TransactWriteItemsInput:
		for i := range in.TransactItems {
			put := in.TransactItems[i].Put
			if put == nil {
				continue
			}
			p := putFields{put.TableName, &put.ConditionExpression, &put.ExpressionAttributeNames, nil, ""}
			ok, err := r.guardPut(p, keysOf)
			if err != nil {
				return nil, fmt.Errorf("TransactItems[%d].Put: %w", i, err)
			}
			if ok {
				changed = append(changed, fmt.Sprintf("TransactItems[%d].Put", i))
			}
		}
	}
	return changed, nil
}

// putFields points into one put's members so they can be changed in place.
type putFields struct {
	table    *string
	cond     **string
	names    *map[string]string
	expected *map[string]types.ExpectedAttributeValue
	condOp   types.ConditionalOperator
}

func (r *Request) guardPut(p putFields, keysOf func(string) []string) (bool, error) {
	table := aws.ToString(p.table)
	keys := keysOf(table)
	if len(keys) == 0 {
		return false, nil
	}
	// Needs must see the guard with the same keys, even when the request
	// was parsed without Options.KeyNames.
	r.learnKeys(table, keys)
	w := write{table: p.table, cond: *p.cond, names: *p.names, condOp: p.condOp}
	if p.expected != nil {
		w.expected = *p.expected
	}
	if insertOnly(w, keys) {
		return false, nil
	}
	if p.expected != nil && len(*p.expected) > 0 {
		return true, guardExpected(p, keys[0])
	}
	return true, guardCondition(p, keys[0])
}

// guardCondition ANDs attribute_not_exists(#pk) with the condition.
func guardCondition(p putFields, pk string) error {
	if *p.names == nil {
		*p.names = map[string]string{}
	}
	ph := freshPlaceholder(*p.names, aws.ToString(*p.cond))
	(*p.names)[ph] = pk
	guard := "attribute_not_exists(" + ph + ")"
	if *p.cond != nil && strings.TrimSpace(**p.cond) != "" {
		guard = "(" + **p.cond + ") AND " + guard
	}
	*p.cond = aws.String(guard)
	return nil
}

// guardExpected adds the key's Exists=false to a legacy Expected map (a
// request may not mix Expected and ConditionExpression).
func guardExpected(p putFields, pk string) error {
	if p.condOp == types.ConditionalOperatorOr {
		return pgerr.New(pgerr.InsufficientPrivilege,
			"an append-only PutItem cannot use Expected with ConditionalOperator OR").
			WithHint("use ConditionExpression instead")
	}
	if _, ok := (*p.expected)[pk]; ok {
		return pgerr.New(pgerr.InsufficientPrivilege,
			"an append-only PutItem must require key attribute %q not to exist", pk)
	}
	(*p.expected)[pk] = types.ExpectedAttributeValue{Exists: aws.Bool(false)}
	return nil
}

// freshPlaceholder returns a #name used neither in names nor in the
// expression text, so it cannot capture or shadow the request's own names.
func freshPlaceholder(names map[string]string, expr string) string {
	used := map[string]bool{}
	if toks, err := tokenizeCondition(expr); err == nil {
		for _, t := range toks {
			used[t.text] = true
		}
	}
	for i := 0; ; i++ {
		ph := "#faz_key"
		if i > 0 {
			ph += strconv.Itoa(i)
		}
		if _, taken := names[ph]; !taken && !used[ph] && !strings.Contains(expr, ph) {
			return ph
		}
	}
}
