package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"

	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/config"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/session"
	"github.com/fazproxy/fazproxy/wire"
)

// `fazproxy query`, `tables` and `describe` run in-process through exactly
// the path a network client takes: session.Backend.NewSession for the user,
// then Prepare, Bind and Execute on that session, so faz.yaml's
// permissions, the translation and the execution are the server's own.
// Only authentication is skipped: whoever runs the CLI reads faz.yaml,
// which holds the DynamoDB credentials anyway.

// Exit statuses for scripts.
const (
	exitOK         = 0
	exitSQL        = 1 // an SQL or DynamoDB error (SQLSTATE on stderr)
	exitUsage      = 2 // a command line or configuration error
	exitPermission = 3 // permission denied (42501) or no access to the database (28000)
)

// Input languages (--language): faz.language's values.
var languages = []string{"sql", "partiql", "dynamo"}

// cliError is an error with its exit status; user says who ran the
// statement when the user was not named on the command line.
type cliError struct {
	code int
	err  error
	user string
}

func (e *cliError) Error() string { return e.err.Error() }
func (e *cliError) Unwrap() error { return e.err }

// report prints e on w: a usage or configuration mistake as
// "fazproxy <command>: message", anything else psql-style with its SQLSTATE.
func (e *cliError) report(w io.Writer, command string) {
	if e.code == exitUsage {
		fmt.Fprintf(w, "fazproxy %s: %v\n", command, e.err)
		return
	}
	writeDiagnostic(w, pgerr.From(e.err))
	if e.code == exitPermission && e.user != "" {
		fmt.Fprintf(w, "NOTE:  ran as user %q (chosen by default); pick another with --user\n", e.user)
	}
}

// usageErrorf is a command line or configuration mistake (exit 2).
func usageErrorf(format string, args ...any) error {
	return &cliError{code: exitUsage, err: pgerr.New(pgerr.ConfigFileError, format, args...)}
}

// exitCodeOf classifies an error by its SQLSTATE.
func exitCodeOf(err error) int {
	switch pgerr.CodeOf(err) {
	case pgerr.InsufficientPrivilege, pgerr.InvalidAuthorizationSpec:
		return exitPermission
	case pgerr.ConfigFileError, pgerr.InvalidCatalogName:
		return exitUsage
	}
	return exitSQL
}

// cliOptions are the flags the CLI commands share.
type cliOptions struct {
	configPath string
	database   string
	user       string
	format     string
	table      string // query only: the table a verb request means when it names none
	language   string // query only
}

// newCLIFlags declares the shared flags on a new FlagSet.
func newCLIFlags(name string, stderr io.Writer, o *cliOptions) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.configPath, "config", "faz.yaml", "path of faz.yaml")
	fs.StringVar(&o.database, "database", "", "database name from faz.yaml (default: the only one)")
	fs.StringVar(&o.user, "user", "", "run as this faz.yaml user (default: the only user, else $USER)")
	fs.StringVar(&o.format, "format", formatTable, "output: table, json or csv")
	return fs
}

// parseInterleaved parses flags that may come before and after the
// positional arguments (`fazproxy query 'text' --database d`), which the
// flag package alone stops at.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, errUsage
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func (o *cliOptions) validate() error {
	switch o.format {
	case formatTable, formatJSON, formatCSV:
	default:
		return usageErrorf("--format %q: use table, json or csv", o.format)
	}
	if o.language != "" && !slices.Contains(languages, o.language) {
		return usageErrorf("--language %q: use sql, partiql or dynamo", o.language)
	}
	return nil
}

// runQuery implements `fazproxy query TEXT` (TEXT "-" reads stdin).
func runQuery(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o cliOptions
	fs := newCLIFlags("fazproxy query", stderr, &o)
	fs.StringVar(&o.table, "table", "", "table a verb request means when its JSON names no TableName (default: the database's database: value)")
	fs.StringVar(&o.language, "language", "sql", "language of TEXT: sql, partiql or dynamo (verb JSON)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: fazproxy query TEXT --database NAME [--table T] [--language sql|partiql|dynamo] [--format table|json|csv] [--user U] [--config faz.yaml]")
		return errUsage
	}
	if err := o.validate(); err != nil {
		return err
	}
	text := pos[0]
	if text == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return usageErrorf("reading the query from stdin: %v", err)
		}
		text = string(b)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop() // Ctrl-C cancels the statement like a CancelRequest
	cs, err := openCLISession(ctx, o, "fazproxy query", stderr)
	if err != nil {
		return err
	}
	defer cs.close()
	if o.language != "sql" {
		// The language is a session setting, set as a network client would.
		if err := cs.run(ctx, "SET faz.language = '"+o.language+"'", nil, discard); err != nil {
			return err
		}
	}
	return cs.run(ctx, text, nil, func(rs *resultSet) error { return writeResult(stdout, stderr, o.format, rs) })
}

func discard(*resultSet) error { return nil }

// cliSession is one in-process session of the server's backend.
type cliSession struct {
	sess     wire.Session
	user     string
	implicit bool // the user was chosen, not named with --user
	notices  io.Writer
}

// openCLISession loads faz.yaml, picks the database and the user, builds
// the backend as `serve` does (for that database only) and opens a session
// as the user.
func openCLISession(ctx context.Context, o cliOptions, appName string, stderr io.Writer) (*cliSession, error) {
	cfg, err := config.Load(o.configPath)
	if err != nil {
		return nil, &cliError{code: exitUsage, err: err}
	}
	d, err := pickDatabase(cfg, o.database)
	if err != nil {
		return nil, err
	}
	user, err := pickUser(cfg, o.user, os.Getenv("USER"))
	if err != nil {
		return nil, err
	}
	db, err := buildDatabase(ctx, *d, 0, nil)
	if err != nil {
		return nil, &cliError{code: exitUsage, err: err}
	}
	if o.table != "" {
		db.DefaultTable = o.table
	}
	log, err := newLogger("error", "console", stderr)
	if err != nil {
		return nil, err
	}
	defaults := sessionDefaults(cfg)
	backend := session.NewBackend([]*session.Database{db}, security(cfg), defaults, log.With(zap.String("command", appName)))
	sess, err := backend.NewSession(ctx, wire.StartupInfo{
		User: user, Database: d.Name,
		Params:    map[string]string{"application_name": appName},
		ProcessID: uint32(os.Getpid()),
	})
	cs := &cliSession{sess: sess, user: user, implicit: o.user == "", notices: stderr}
	if err != nil {
		return nil, cs.fail(err)
	}
	return cs, nil
}

// buildDatabase makes the SDK client and the catalog of one database;
// maxConnections sizes its HTTP pool (0: package dynamo's default).
// buildDatabase builds one database's client, catalog and session view.
// wrap, when set, wraps the client (metrics) before anything uses it, so the
// catalog's DescribeTable and sampling calls are counted too.
func buildDatabase(ctx context.Context, d config.Database, maxConnections int, wrap func(dynamo.API) dynamo.API) (*session.Database, error) {
	client, err := dynamo.NewClient(ctx, dynamo.ClientConfig{
		Region:          d.Region,
		EndpointURL:     d.EndpointURL,
		AccessKeyID:     d.AccessKeyID,
		SecretAccessKey: d.SecretAccessKey.Reveal(),
		Profile:         d.Profile,
		MaxConns:        poolSize(maxConnections),
	})
	if err != nil {
		return nil, fmt.Errorf("database %q: %w", d.Name, err)
	}
	var api dynamo.API = client
	if wrap != nil {
		api = wrap(api)
	}
	cat := catalog.New(api, catalog.Options{SampleSize: d.SampleSize, Declared: d.Tables, TTL: d.CacheTTL})
	return &session.Database{Name: d.Name, API: api, Catalog: cat, AllowFullScan: d.AllowFullScan, DefaultTable: d.Database}, nil
}

// pickDatabase is --database, or the only database of the file.
func pickDatabase(cfg *config.Config, name string) (*config.Database, error) {
	names := make([]string, len(cfg.Databases))
	for i, d := range cfg.Databases {
		names[i] = d.Name
	}
	if name == "" {
		if len(cfg.Databases) == 1 {
			return &cfg.Databases[0], nil
		}
		return nil, usageErrorf("--database is required: faz.yaml has databases %s", quoted(names))
	}
	d := cfg.Database(name)
	if d == nil {
		return nil, usageErrorf("database %q is not in faz.yaml (databases: %s)", name, quoted(names))
	}
	return d, nil
}

// pickUser is --user; else the only user of the file; else $USER (with no
// users: section every name is allowed, as permissions decide).
func pickUser(cfg *config.Config, name, envUser string) (string, error) {
	known := make([]string, len(cfg.Users))
	for i, u := range cfg.Users {
		known[i] = u.Name
	}
	switch {
	case name != "":
	case len(known) == 1:
		return known[0], nil
	case envUser != "":
		name = envUser
	default:
		return "", usageErrorf("--user is required: $USER is not set")
	}
	if len(known) > 0 && !slices.Contains(known, name) {
		return "", usageErrorf("user %q is not in faz.yaml (users: %s); choose one with --user", name, quoted(known))
	}
	return name, nil
}

func quoted(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// run prepares text and runs each of its statements to completion, in
// order, like a simple-protocol Query; emit receives each statement's
// result. The first error stops it.
func (cs *cliSession) run(ctx context.Context, text string, params [][]byte, emit func(*resultSet) error) error {
	stmts, err := cs.sess.Prepare(ctx, text, nil)
	if err != nil {
		return cs.fail(err)
	}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for _, st := range stmts {
		if st.Empty() {
			continue
		}
		rs, err := cs.execute(ctx, st, params)
		if err != nil {
			return cs.fail(err)
		}
		if err := emit(rs); err != nil {
			return fmt.Errorf("writing the result: %w", err)
		}
	}
	return nil
}

// execute binds one statement (text formats) and runs its portal.
func (cs *cliSession) execute(ctx context.Context, st wire.Statement, params [][]byte) (*resultSet, error) {
	p, err := st.Bind(ctx, params, nil, nil)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	c := &collector{notice: cs.notices}
	tag, suspended, err := p.Execute(ctx, 0, c)
	if err != nil {
		return nil, err
	}
	if suspended {
		return nil, pgerr.New(pgerr.InternalError, "portal suspended although no row limit was set")
	}
	return &resultSet{fields: p.Fields(), rows: c.rows, tag: tag}, nil
}

// fail turns a session error into a cliError with its exit status.
func (cs *cliSession) fail(err error) error {
	var ce *cliError
	if errors.As(err, &ce) {
		return err
	}
	ce = &cliError{code: exitCodeOf(err), err: err}
	if cs.implicit {
		ce.user = cs.user
	}
	return ce
}

func (cs *cliSession) close() {
	if cs.sess != nil {
		_ = cs.sess.Close() // nothing to roll back: an open block is simply discarded
	}
}
