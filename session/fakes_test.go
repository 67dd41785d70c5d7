package session

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/session/guc"
	"github.com/fazproxy/fazproxy/sqltypes"
	"github.com/fazproxy/fazproxy/wire"
)

// fakeCatalog serves fixed tables.
type fakeCatalog map[string]*catalog.Table

func (f fakeCatalog) TableNames(context.Context) ([]string, error) {
	var out []string
	for n := range f {
		out = append(out, n)
	}
	return out, nil
}

func (f fakeCatalog) Table(_ context.Context, name string) (*catalog.Table, error) {
	if t, ok := f[name]; ok {
		return t, nil
	}
	return nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name)
}

func (f fakeCatalog) Invalidate(string) {}

// testCatalog has two tables keyed by id: items (readable) and secrets
// (hidden from alice by a "none" override).
func testCatalog() fakeCatalog {
	mk := func(name string, oid uint32) *catalog.Table {
		return &catalog.Table{Name: name, OID: oid, Status: "ACTIVE",
			PartitionKey: catalog.KeyAttr{Name: "id", Type: "S"},
			Columns: []catalog.Column{
				{Name: "id", Type: sqltypes.Text, AttNum: 1, Source: catalog.SourceKey, NotNull: true},
				{Name: "n", Type: sqltypes.Numeric, AttNum: 2, Source: catalog.SourceSampled},
				{Name: catalog.ItemColumn, Type: sqltypes.Jsonb, AttNum: 3, Source: catalog.SourceItem},
			}}
	}
	return fakeCatalog{"items": mk("items", 30001), "secrets": mk("secrets", 30002)}
}

// fakeDynamo answers Scan with fixed items in one page; with block set, Scan
// waits for its context to end (for timeouts and cancels). Every other call
// reaches the nil embedded API and panics, which the tests would show.
type fakeDynamo struct {
	dynamo.API
	items    []map[string]types.AttributeValue
	capacity float64
	block    bool
	started  chan struct{} // closed when a blocking Scan starts (if set)
}

func (f *fakeDynamo) Scan(ctx context.Context, _ *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	if f.block {
		if f.started != nil {
			close(f.started)
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return &dynamodb.ScanOutput{Items: f.items, Count: int32(len(f.items)), ScannedCount: int32(len(f.items)),
		ConsumedCapacity: &types.ConsumedCapacity{TableName: aws.String("items"), CapacityUnits: aws.Float64(f.capacity)}}, nil
}

func item(id, n string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: id},
		"n":  &types.AttributeValueMemberN{Value: n},
	}
}

// fixture is a backend over the fake catalog and a recorder of DynamoDB calls.
type fixture struct {
	backend *Backend
	fake    *fakeDynamo
	calls   *dynamo.Recorder
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fake := &fakeDynamo{items: []map[string]types.AttributeValue{item("a", "1"), item("b", "2"), item("c", "3")}, capacity: 0.5}
	rec := dynamo.NewRecorder(fake)
	f := &fixture{fake: fake, calls: rec}
	f.backend = NewBackend([]*Database{{Name: "shop", API: rec, Catalog: testCatalog(), AllowFullScan: true}},
		&Security{Method: wire.AuthTrust, Rules: rules(t, map[string]string{"secrets": "none"})},
		guc.Defaults{ServerVersion: "15.8"}, nil)
	return f
}

// rules grants alice RW on shop with per-table overrides.
func rules(t *testing.T, tables map[string]string) *policy.Rules {
	t.Helper()
	r, err := policy.Compile([]policy.Entry{{Database: "shop", Access: "RW", Users: []string{"alice"}, Tables: tables}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) session(t *testing.T, params map[string]string) *Session {
	t.Helper()
	ws, err := f.backend.NewSession(context.Background(), wire.StartupInfo{User: "alice", Database: "shop", Params: params, ProcessID: 42})
	if err != nil {
		t.Fatalf("NewSession: %v", err)
	}
	return ws.(*Session)
}

// recorder is a wire.ResultWriter that keeps what it is sent.
type recorder struct {
	mu          sync.Mutex
	rows        [][][]byte
	notices     []*pgerr.Error
	params      []wire.ParamStatus
	deallocated []string
}

func (r *recorder) Row(v [][]byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows = append(r.rows, v)
	return nil
}

func (r *recorder) Notice(n *pgerr.Error) error {
	r.notices = append(r.notices, n)
	return nil
}

func (r *recorder) ParameterStatus(name, value string) error {
	r.params = append(r.params, wire.ParamStatus{Name: name, Value: value})
	return nil
}

func (r *recorder) Deallocate(name string, all bool) error {
	if all {
		name = "ALL"
	}
	r.deallocated = append(r.deallocated, name)
	return nil
}

// textRows renders rows as strings ("NULL" for NULL) for comparisons.
func (r *recorder) textRows() [][]string {
	out := make([][]string, len(r.rows))
	for i, row := range r.rows {
		out[i] = make([]string, len(row))
		for j, v := range row {
			if v == nil {
				out[i][j] = "NULL"
			} else {
				out[i][j] = string(v)
			}
		}
	}
	return out
}

// result of running one query string as the simple protocol does.
type run struct {
	tags []string
	out  *recorder
	err  error
}

// simple runs text like wire's simple query: every statement in turn, text
// results, stopping at the first error.
func simple(ctx context.Context, s *Session, text string) run {
	r := run{out: &recorder{}}
	stmts, err := s.Prepare(ctx, text, nil)
	if err != nil {
		r.err = err
		return r
	}
	for _, st := range stmts {
		if st.Empty() {
			continue
		}
		p, err := st.Bind(ctx, nil, nil, nil)
		if err != nil {
			r.err = err
			return r
		}
		tag, _, err := p.Execute(ctx, 0, r.out)
		p.Close()
		if err != nil {
			r.err = err
			return r
		}
		r.tags = append(r.tags, tag)
	}
	return r
}
