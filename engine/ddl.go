package engine

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// defaultPoll is how often DDL asks DescribeTable whether it is done.
const defaultPoll = time.Second

// Noticer is implemented by a WriteIter that has NOTICEs for the client.
type Noticer interface {
	Notices() []*pgerr.Error
}

// ddlIter is the (row-less) result of DDL.
type ddlIter struct {
	writeIter
	notices []*pgerr.Error
}

func (it *ddlIter) Notices() []*pgerr.Error { return it.notices }

func notice(format string, args ...any) *pgerr.Error {
	e := pgerr.New("00000", format, args...)
	e.Severity = "NOTICE"
	return e
}

// DDL is CREATE TABLE, CREATE INDEX or DROP TABLE. Each waits until
// DynamoDB has finished (the table or index ACTIVE, or the table gone), so
// the next statement can use the result, then drops the catalog's cached
// metadata of the table (Invalidate).
type DDL struct {
	Kind  string // CREATE TABLE, CREATE INDEX, DROP TABLE
	Table string
	// CREATE TABLE and CREATE INDEX: the key (an index's key for CREATE INDEX).
	PK *catalog.KeyAttr
	SK *catalog.KeyAttr
	// Index is CREATE INDEX's name.
	Index string
	// IfExists (DROP TABLE IF EXISTS) / IfNotExists (CREATE ... IF NOT EXISTS).
	IfExists, IfNotExists bool
	// Ignored are CREATE TABLE's non-key columns: DynamoDB is schemaless.
	Ignored []string
	// Invalidate drops cached table metadata (catalog.Source.Invalidate).
	Invalidate func(name string)
	// Poll is the DescribeTable interval while waiting (0: one second).
	Poll time.Duration
	// Skip, when set, is the NOTICE of an IF NOT EXISTS that found the
	// object already there: nothing is called.
	Skip string
}

var _ Writer = (*DDL)(nil)

func (n *DDL) Columns() []sqltypes.Column { return nil }
func (n *DDL) Tag() string                { return n.Kind }

func (n *DDL) Describe() *Description {
	d := &Description{Op: n.Kind}
	d.add("Table", n.Table)
	d.add("Index", n.Index)
	if n.PK != nil {
		k := quoteName(n.PK.Name) + " " + n.PK.Type
		if n.SK != nil {
			k += ", " + quoteName(n.SK.Name) + " " + n.SK.Type
		}
		d.add("Key", k)
	}
	switch {
	case n.Skip != "":
		d.add("Calls", "none: "+n.Skip)
	case n.Kind == "CREATE TABLE":
		d.add("Calls", "CreateTable (PAY_PER_REQUEST), DescribeTable until ACTIVE")
	case n.Kind == "CREATE INDEX":
		d.add("Calls", "UpdateTable (create GSI, projection ALL), DescribeTable until ACTIVE")
	case n.Kind == "DROP TABLE":
		d.add("Calls", "DeleteTable, DescribeTable until gone")
	}
	return d
}

func (n *DDL) Open(ctx context.Context, env *Env) (Iter, error) { return n.OpenWrite(ctx, env, nil) }

func (n *DDL) OpenWrite(ctx context.Context, env *Env, tx *TxnBuffer) (WriteIter, error) {
	if tx != nil {
		return nil, pgerr.New(pgerr.ActiveSQLTransaction, "%s cannot run inside a transaction block", n.Kind)
	}
	it := &ddlIter{}
	if n.Skip != "" {
		it.notices = append(it.notices, notice("%s", n.Skip))
		return it, nil
	}
	var err error
	switch n.Kind {
	case "CREATE TABLE":
		err = n.createTable(ctx, env, it)
	case "CREATE INDEX":
		err = n.createIndex(ctx, env)
	case "DROP TABLE":
		err = n.dropTable(ctx, env, it)
	default:
		err = pgerr.Unsupported(n.Kind, "")
	}
	if n.Invalidate != nil {
		n.Invalidate(n.Table)
	}
	if err != nil {
		return nil, err
	}
	return it, nil
}

func keySchema(pk catalog.KeyAttr, sk *catalog.KeyAttr) ([]types.KeySchemaElement, []types.AttributeDefinition) {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(pk.Name), KeyType: types.KeyTypeHash}}
	defs := []types.AttributeDefinition{{AttributeName: aws.String(pk.Name), AttributeType: types.ScalarAttributeType(pk.Type)}}
	if sk != nil {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk.Name), KeyType: types.KeyTypeRange})
		defs = append(defs, types.AttributeDefinition{AttributeName: aws.String(sk.Name), AttributeType: types.ScalarAttributeType(sk.Type)})
	}
	return ks, defs
}

func (n *DDL) createTable(ctx context.Context, env *Env, it *ddlIter) error {
	ks, defs := keySchema(*n.PK, n.SK)
	in := &dynamodb.CreateTableInput{TableName: aws.String(n.Table), KeySchema: ks, AttributeDefinitions: defs,
		BillingMode: types.BillingModePayPerRequest}
	if _, err := env.DB.CreateTable(ctx, in); err != nil {
		var inUse *types.ResourceInUseException
		if n.IfNotExists && errors.As(err, &inUse) {
			it.notices = append(it.notices, notice("relation %q already exists, skipping", n.Table))
			return nil
		}
		return dynamo.MapError(err, "CreateTable", n.Table)
	}
	env.Stats.request("CreateTable", 0, 0)
	if len(n.Ignored) > 0 {
		it.notices = append(it.notices, notice("columns other than the key are not created: DynamoDB is schemaless (%s)",
			attrList(n.Ignored)))
	}
	return n.wait(ctx, env, func(t *types.TableDescription) bool { return t != nil && t.TableStatus == types.TableStatusActive })
}

func (n *DDL) createIndex(ctx context.Context, env *Env) error {
	desc, err := env.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(n.Table)})
	if err != nil {
		return dynamo.MapError(err, "DescribeTable", n.Table)
	}
	env.Stats.request("DescribeTable", 0, 0)
	ks, defs := keySchema(*n.PK, n.SK)
	gsi := &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String(n.Index), KeySchema: ks,
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}
	if t := desc.Table; t != nil && t.ProvisionedThroughput != nil && (t.BillingModeSummary == nil ||
		t.BillingModeSummary.BillingMode == types.BillingModeProvisioned) && aws.ToInt64(t.ProvisionedThroughput.ReadCapacityUnits) > 0 {
		// A provisioned table needs the index's capacity: the table's own.
		gsi.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: t.ProvisionedThroughput.ReadCapacityUnits,
			WriteCapacityUnits: t.ProvisionedThroughput.WriteCapacityUnits}
	}
	in := &dynamodb.UpdateTableInput{TableName: aws.String(n.Table), AttributeDefinitions: defs,
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: gsi}}}
	if _, err := env.DB.UpdateTable(ctx, in); err != nil {
		return dynamo.MapError(err, "UpdateTable", n.Table)
	}
	env.Stats.request("UpdateTable", 0, 0)
	return n.wait(ctx, env, func(t *types.TableDescription) bool {
		if t == nil {
			return false
		}
		for _, g := range t.GlobalSecondaryIndexes {
			if aws.ToString(g.IndexName) == n.Index {
				return g.IndexStatus == types.IndexStatusActive
			}
		}
		return false
	})
}

func (n *DDL) dropTable(ctx context.Context, env *Env, it *ddlIter) error {
	if _, err := env.DB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(n.Table)}); err != nil {
		var nf *types.ResourceNotFoundException
		if n.IfExists && errors.As(err, &nf) {
			it.notices = append(it.notices, notice("table %q does not exist, skipping", n.Table))
			return nil
		}
		return dynamo.MapError(err, "DeleteTable", n.Table)
	}
	env.Stats.request("DeleteTable", 0, 0)
	return n.wait(ctx, env, nil)
}

// wait polls DescribeTable until done reports true, or (done nil) until
// the table is gone. ctx (statement_timeout, cancel) bounds the wait.
func (n *DDL) wait(ctx context.Context, env *Env, done func(*types.TableDescription) bool) error {
	poll := n.Poll
	if poll <= 0 {
		poll = defaultPoll
	}
	for {
		out, err := env.DB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(n.Table)})
		var nf *types.ResourceNotFoundException
		switch {
		case done == nil && errors.As(err, &nf):
			return nil
		case err != nil:
			return dynamo.MapError(err, "DescribeTable", n.Table)
		}
		env.Stats.request("DescribeTable", 0, 0)
		if done != nil && out != nil && done(out.Table) {
			return nil
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
