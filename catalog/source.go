package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// Defaults for zero Options fields.
const (
	DefaultSampleSize = 100
	DefaultTTL        = 30 * time.Second
)

// Options configure a DynamoDB-backed Source.
type Options struct {
	// SampleSize is how many items are read (Scan, Limit) to infer non-key
	// columns (extra.sample_size; 0 = default 100, <0 = no sampling).
	SampleSize int
	// TTL is how long DescribeTable/ListTables answers are cached (0 = 30s).
	// It bounds how long a table created or deleted by another client stays
	// unseen.
	TTL time.Duration
	// Declared are faz.yaml's tables.<t>.columns: table → column → SQL type.
	Declared map[string]map[string]sqltypes.OID
	// Now is the clock for cache expiry and FetchedAt (nil = time.Now); tests
	// inject one.
	Now func() time.Time
}

// New returns a Source reading api's tables. Tables it returns are shared
// between callers and must not be modified.
func New(api dynamo.API, opts Options) Source {
	if opts.SampleSize == 0 {
		opts.SampleSize = DefaultSampleSize
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &source{
		api:    api,
		opts:   opts,
		names:  newMemo[[]string](opts.TTL, opts.Now),
		tables: newMemo[*Table](opts.TTL, opts.Now),
	}
}

// source is the DynamoDB-backed Source. Each memo guards its own state.
type source struct {
	api    dynamo.API
	opts   Options
	names  *memo[[]string] // one key, "": the sorted ListTables answer
	tables *memo[*Table]   // key: table name
}

var _ Source = (*source)(nil)

// TableNames lists the tables, sorted (ListTables over all pages, cached).
func (s *source) TableNames(ctx context.Context) ([]string, error) {
	names, err := s.names.get(ctx, "", s.listTables, neverKeep)
	if err != nil {
		return nil, err
	}
	return slices.Clone(names), nil // callers may sort or append
}

func (s *source) listTables(ctx context.Context) ([]string, error) {
	var names []string
	var start *string
	for {
		out, err := s.api.ListTables(ctx, &dynamodb.ListTablesInput{ExclusiveStartTableName: start})
		if err != nil {
			return nil, fmt.Errorf("catalog: listing tables: %w", dynamo.MapError(err, "ListTables", ""))
		}
		names = append(names, out.TableNames...)
		if aws.ToString(out.LastEvaluatedTableName) == "" {
			break
		}
		start = out.LastEvaluatedTableName
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// Table returns name's metadata (DescribeTable plus a sample Scan, cached;
// concurrent misses share one load). A missing table is 42P01 and that
// answer is cached for the TTL too.
func (s *source) Table(ctx context.Context, name string) (*Table, error) {
	if !validTableName(name) {
		// DynamoDB would answer ValidationException; to SQL it is simply a
		// relation that does not exist — provided DynamoDB can be reached at
		// all. A user whose endpoint or credentials are wrong must hear that
		// (08006, 28000 with the seed's hint), not that a table is missing,
		// so the (cached) table list stands in for the call not made.
		if _, err := s.TableNames(ctx); err != nil {
			return nil, err
		}
		return nil, undefinedTable(name)
	}
	return s.tables.get(ctx, name, func(ctx context.Context) (*Table, error) {
		return s.loadTable(ctx, name)
	}, isUndefinedTable)
}

func (s *source) loadTable(ctx context.Context, name string) (*Table, error) {
	out, err := s.api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return nil, describeErr(err, "DescribeTable", name)
	}
	if out.Table == nil {
		return nil, pgerr.New(pgerr.InternalError, "catalog: DescribeTable %q returned no table", name)
	}
	t, err := fromDescription(name, out.Table)
	if err != nil {
		return nil, err
	}
	t.FetchedAt = s.opts.Now()
	var sampled map[string]sqltypes.OID
	// A table still CREATING cannot be scanned and holds nothing yet.
	if s.opts.SampleSize > 0 && out.Table.TableStatus != types.TableStatusCreating {
		res, err := sample(ctx, s.api, name, s.opts.SampleSize)
		if err != nil {
			return nil, err
		}
		sampled = res.types
		t.SampleCapacityUnits = res.capacityUnits
	}
	t.Columns = buildColumns(t, s.opts.Declared[name], sampled)
	return t, nil
}

// Invalidate drops name's cached metadata and the table list (after DDL), or
// everything when name is "".
func (s *source) Invalidate(name string) {
	s.names.dropAll()
	if name == "" {
		s.tables.dropAll()
		return
	}
	s.tables.drop(name)
}

// describeErr maps an SDK error from op on table. ResourceNotFound is
// recognised here, not only in dynamo.MapError, because the exact
// PostgreSQL message is what clients (and ORMs probing for tables) match.
func describeErr(err error, op, table string) error {
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return undefinedTable(table).WithDetail("DynamoDB %s: %s", op, nf.ErrorMessage())
	}
	return wrapOp(dynamo.MapError(err, op, table), op, table)
}

// wrapOp adds the operation and table to an already mapped error.
func wrapOp(err error, op, table string) error {
	return fmt.Errorf("catalog: %s %q: %w", op, table, err)
}

// undefinedTable is PostgreSQL's own message, the name unescaped as it
// prints it (%q would add Go escapes).
func undefinedTable(name string) *pgerr.Error {
	return pgerr.New(pgerr.UndefinedTable, `relation "%s" does not exist`, name)
}

func isUndefinedTable(err error) bool {
	return pgerr.CodeOf(err) == pgerr.UndefinedTable
}

func neverKeep(error) bool { return false }

// validTableName reports whether DynamoDB could have a table called name:
// 3 to 255 of [a-zA-Z0-9_.-], or a table ARN (which DescribeTable accepts).
func validTableName(name string) bool {
	if strings.HasPrefix(name, "arn:") {
		return len(name) <= 1024
	}
	if len(name) < 3 || len(name) > 255 {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
		default:
			return false
		}
	}
	return true
}
