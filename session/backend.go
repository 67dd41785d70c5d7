package session

import (
	"context"
	"crypto/subtle"
	"maps"
	"net"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/catalog"
	"github.com/fazproxy/fazproxy/catalog/system"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/expr"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/policy"
	"github.com/fazproxy/fazproxy/session/guc"
	"github.com/fazproxy/fazproxy/translate"
	"github.com/fazproxy/fazproxy/wire"
)

// Database is one configured DynamoDB database as sessions use it.
type Database struct {
	Name          string
	API           dynamo.API
	Catalog       catalog.Source
	AllowFullScan bool
	// DefaultTable is the database's `database:` value in faz.yaml: the
	// table a verb request means when it names none.
	DefaultTable string
}

// User is one configured user's secrets: a SCRAM verifier, or a plain password
// (from password_env) from which the server derives one.
type User struct {
	Name      string
	SCRAM     *wire.Credentials
	Plaintext string
}

// Security is what may change on SIGHUP: users, permissions and the auth method.
type Security struct {
	Method wire.AuthMethod
	Users  map[string]User
	Rules  *policy.Rules
}

// Backend creates sessions; it implements wire.Backend and wire.Authenticator.
type Backend struct {
	dbs      map[string]*Database
	security atomic.Pointer[Security]
	defaults guc.Defaults
	funcs    *expr.Funcs
	log      *zap.Logger
	// system is the virtual pg_catalog and information_schema; functions
	// lists funcs for pg_proc. Both are read-only once built.
	system    *system.Catalog
	functions []system.Function
	started   time.Time // pg_postmaster_start_time
	// observer and slowStatement are set before serving (observe.go).
	observer      StatementObserver
	slowStatement time.Duration
}

var (
	_ wire.Backend       = (*Backend)(nil)
	_ wire.Authenticator = (*Backend)(nil)
)

// NewBackend builds a Backend over the configured databases.
func NewBackend(dbs []*Database, sec *Security, defaults guc.Defaults, log *zap.Logger) *Backend {
	if log == nil {
		log = zap.NewNop()
	}
	b := &Backend{dbs: map[string]*Database{}, defaults: defaults, funcs: expr.NewFuncs(), log: log,
		system: system.New(), started: time.Now(), observer: nopObserver{}, slowStatement: defaultSlowStatement}
	b.functions = functionsOf(b.funcs)
	for _, d := range dbs {
		b.dbs[d.Name] = d
	}
	b.security.Store(sec)
	return b
}

// SetSecurity swaps users and permissions (SIGHUP). Running sessions see the
// new rules at their next statement; prepared statements are re-checked at
// every Execute.
func (b *Backend) SetSecurity(sec *Security) { b.security.Store(sec) }

// Method implements wire.Authenticator.
func (b *Backend) Method(_ context.Context, user, database string, _ net.Addr) (wire.AuthMethod, error) {
	sec := b.security.Load()
	if _, ok := b.dbs[database]; !ok {
		// Authenticate first anyway; NewSession reports the unknown database.
		return sec.Method, nil
	}
	if !sec.Rules.CanConnect(user, database) && sec.Method == wire.AuthTrust {
		return 0, noPermission(user, database)
	}
	return sec.Method, nil
}

// SCRAMCredentials implements wire.Authenticator.
func (b *Backend) SCRAMCredentials(user string) (wire.Credentials, bool) {
	u, ok := b.security.Load().Users[user]
	if !ok || u.SCRAM == nil {
		return wire.Credentials{}, false
	}
	return *u.SCRAM, true
}

// CheckPassword implements wire.Authenticator for cleartext password auth.
func (b *Backend) CheckPassword(user, password string) bool {
	u, ok := b.security.Load().Users[user]
	if !ok {
		return false
	}
	if u.Plaintext != "" {
		return subtle.ConstantTimeCompare([]byte(u.Plaintext), []byte(password)) == 1
	}
	if u.SCRAM != nil {
		return verifySCRAMPassword(*u.SCRAM, password)
	}
	return false
}

// NewSession implements wire.Backend.
func (b *Backend) NewSession(_ context.Context, info wire.StartupInfo) (wire.Session, error) {
	db, ok := b.dbs[info.Database]
	if !ok {
		return nil, pgerr.New(pgerr.InvalidCatalogName, "database %q does not exist", info.Database).
			WithHint("databases are the names under databases: in faz.yaml")
	}
	if !b.security.Load().Rules.CanConnect(info.User, info.Database) {
		return nil, noPermission(info.User, info.Database)
	}
	params := maps.Clone(info.Params)
	if params == nil {
		params = map[string]string{}
	}
	params["user"] = info.User // session_authorization is the authenticated user
	settings, err := guc.New(params, b.defaults)
	if err != nil {
		return nil, err // already PostgreSQL's message for a bad startup parameter
	}
	s := &Session{
		backend:  b,
		db:       db,
		user:     info.User,
		pid:      int32(info.ProcessID),
		settings: settings,
		tx:       txIdle,
		log:      b.log.With(zap.String("user", info.User), zap.String("database", info.Database), zap.Uint32("pid", info.ProcessID)),
	}
	s.planner = &translate.Planner{Catalog: db.Catalog, AllowFullScan: db.AllowFullScan, Funcs: b.funcs,
		System: b.system}
	return s, nil
}

func noPermission(user, database string) error {
	return pgerr.New(pgerr.InvalidAuthorizationSpec, "user %q has no permission on database %q", user, database).
		WithHint("add a permissions entry for database %q that applies to this user in faz.yaml", database)
}
