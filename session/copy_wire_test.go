package session

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/session/guc"
	"github.com/fazproxy/fazproxy/wire"
)

// wireSession serves a backend over the copy fake on a loopback listener
// and connects pgx to it, so COPY and verb requests go through the real
// protocol server (simple and extended protocol, copy sub-protocol).
func wireSession(t *testing.T, fake *copyFake) *pgx.Conn {
	t.Helper()
	b := NewBackend([]*Database{{Name: "shop", API: dynamo.NewRecorder(fake), Catalog: copyCatalog(), AllowFullScan: true,
		DefaultTable: "things"}},
		&Security{Method: wire.AuthTrust, Rules: rules(t, nil)}, guc.Defaults{ServerVersion: "15.8"}, nil)
	srv := wire.NewServer(wire.Config{Backend: b, Auth: b})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-done; err != nil && !errors.Is(err, wire.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://alice@"+ln.Addr().String()+"/shop?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestCopyOverTheWire(t *testing.T) {
	fake := newCopyFake()
	fake.scan = thingsItems()
	conn := wireSession(t, fake)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	tag, err := conn.PgConn().CopyFrom(ctx, strings.NewReader("x\t1\ny\t\\N\n"), "COPY things (id, num) FROM STDIN")
	if err != nil || tag.String() != "COPY 2" || len(fake.stored) != 2 {
		t.Fatalf("COPY FROM: %q, %v, stored %d", tag, err, len(fake.stored))
	}
	// A failing COPY FROM leaves the connection usable.
	if _, err := conn.PgConn().CopyFrom(ctx, strings.NewReader("\\N\n"), "COPY things (id) FROM STDIN"); err == nil ||
		!strings.Contains(err.Error(), "23502") {
		t.Fatalf("COPY FROM without a key: %v", err)
	}
	var out bytes.Buffer
	tag, err = conn.PgConn().CopyTo(ctx, &out, "COPY things (id, ok) TO STDOUT WITH (FORMAT csv)")
	if err != nil || tag.String() != "COPY 10" || !strings.HasPrefix(out.String(), "a,t\nb,f\nc,\n") {
		t.Fatalf("COPY TO: %q, %v, %q", tag, err, out.String())
	}
}

func TestVerbOverTheWire(t *testing.T) {
	fake := newCopyFake()
	fake.scan = thingsItems()
	conn := wireSession(t, fake)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// pgx prepares and describes the statement, then binds and executes.
	rows, err := conn.Query(ctx, `{"verb": "Scan", "Limit": 10}`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		var note *string
		var num, ok, item any
		if err := rows.Scan(&id, &note, &num, &ok, &item); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) != 10 || ids[0] != "a" {
		t.Fatalf("ids %v, err %v", ids, err)
	}
	if _, err := conn.Exec(ctx, "SET faz.language = 'partiql'"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `SELECT * FROM "things" WHERE id = $1`, "a"); err == nil || !strings.Contains(err.Error(), "42P02") {
		t.Fatalf("$1 in PartiQL: %v", err)
	}
	if _, err := conn.Exec(ctx, "SET faz.language = sql"); err != nil {
		t.Fatal(err)
	}
}
