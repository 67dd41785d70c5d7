package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/config"
	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/metrics"
	"github.com/fazproxy/fazproxy/session"
	"github.com/fazproxy/fazproxy/session/guc"
	"github.com/fazproxy/fazproxy/wire"
)

// serverVersion is the PostgreSQL version fazproxy reports (spec/clients.md:
// 15.x, so clients pick their PostgreSQL 15 catalog queries).
const serverVersion = "15.8"

type serveOptions struct {
	configPath string
	listen     string
	logLevel   string
	logFormat  string
	grace      time.Duration
}

func parseServeFlags(args []string, stderr io.Writer) (serveOptions, error) {
	var o serveOptions
	fs := flag.NewFlagSet("fazproxy serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.configPath, "config", "faz.yaml", "path of faz.yaml")
	fs.StringVar(&o.listen, "listen", "", "PostgreSQL listener host:port (overrides listen: and FAZ_LISTEN)")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "console", "console or json")
	fs.DurationVar(&o.grace, "shutdown-grace", 30*time.Second, "on SIGTERM/SIGINT, how long running statements may finish")
	if err := fs.Parse(args); err != nil {
		return o, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fazproxy serve: unexpected arguments %q\n", fs.Args())
		return o, errUsage
	}
	return o, nil
}

// runServe implements `fazproxy serve`: it serves until SIGTERM or SIGINT,
// then drains; SIGHUP re-reads users and permissions.
func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	opts, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(opts.logLevel, opts.logFormat, stderr)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	cfg, err := loadConfig(opts)
	if err != nil {
		return err
	}
	p, err := newProxy(ctx, cfg, log)
	if err != nil {
		return err
	}
	return p.run(ctx, opts)
}

func loadConfig(opts serveOptions) (*config.Config, error) {
	cfg, err := config.Load(opts.configPath)
	if err != nil {
		return nil, err
	}
	if opts.listen != "" {
		cfg.Listen = opts.listen
	}
	return cfg, nil
}

// proxy is one running fazproxy: the protocol server, the session backend
// and the per-database clients, built from one Config.
type proxy struct {
	cfg     *config.Config
	log     *zap.Logger
	backend *session.Backend
	server  *wire.Server
	apis    map[string]dynamo.API // by database name, for readiness
	metrics *metrics.Registry
}

// sessionDefaults are the run-time parameter defaults every session starts
// from: the server's identity and what faz.yaml's limits and tls say, so
// SHOW statement_timeout, max_connections and ssl answer truthfully.
func sessionDefaults(cfg *config.Config) guc.Defaults {
	maxConns := cfg.Limits.MaxConnections
	if maxConns == 0 {
		maxConns = -1 // faz.yaml's 0 means unlimited; guc's 0 means "show 100"
	}
	return guc.Defaults{
		ServerVersion:    serverVersion,
		StatementTimeout: cfg.Limits.StatementTimeout,
		TimeZone:         "UTC",
		SSL:              cfg.TLS != nil,
		MaxConnections:   maxConns,
	}
}

func newProxy(ctx context.Context, cfg *config.Config, log *zap.Logger) (*proxy, error) {
	reg := metrics.New()
	dbs, apis, err := buildDatabases(ctx, cfg, reg)
	if err != nil {
		return nil, err
	}
	tlsCfg, err := buildTLS(cfg.TLS, time.Now())
	if err != nil {
		return nil, err
	}
	defaults := sessionDefaults(cfg)
	backend := session.NewBackend(dbs, security(cfg), defaults, log)
	backend.SetObserver(reg)
	backend.SetSlowStatement(cfg.Limits.SlowStatement)
	server := wire.NewServer(wire.Config{
		Backend:         backend,
		Auth:            backend,
		Log:             log,
		TLS:             tlsCfg,
		RequireTLS:      cfg.TLS != nil && cfg.TLS.Require,
		MaxMessageBytes: cfg.Limits.MaxMessageBytes,
		MaxConnections:  cfg.Limits.MaxConnections,
		IdleTimeout:     cfg.Limits.IdleTimeout,
		Observer:        reg,
	})
	return &proxy{cfg: cfg, log: log, backend: backend, server: server, apis: apis, metrics: reg}, nil
}

// buildDatabases makes one SDK client and one catalog per configured
// database. Sessions' requests go through a dynamo.Instrumented client that
// reports them to reg; the catalog's own DescribeTable and sampling Scans
// (made with the bare client by buildDatabase) are not counted.
func buildDatabases(ctx context.Context, cfg *config.Config, reg *metrics.Registry) ([]*session.Database, map[string]dynamo.API, error) {
	var dbs []*session.Database
	apis := map[string]dynamo.API{}
	for _, d := range cfg.Databases {
		observer := reg.Database(d.Name)
		db, err := buildDatabase(ctx, d, cfg.Limits.MaxConnections, func(api dynamo.API) dynamo.API {
			return dynamo.NewInstrumented(api, observer)
		})
		if err != nil {
			return nil, nil, err
		}
		dbs = append(dbs, db)
		apis[d.Name] = db.API
	}
	return dbs, apis, nil
}

// poolSize sizes a database's HTTP pool: one connection per client
// connection that may run a statement at once, at least the SDK client's own
// default (0 lets package dynamo choose).
func poolSize(maxConnections int) int {
	if maxConnections <= 0 {
		return 0
	}
	return max(maxConnections, 64)
}

// security is the part of a Config that SIGHUP may replace.
func security(cfg *config.Config) *session.Security {
	users := make(map[string]session.User, len(cfg.Users))
	for _, u := range cfg.Users {
		users[u.Name] = session.User{Name: u.Name, SCRAM: u.SCRAM, Plaintext: u.Plaintext.Reveal()}
	}
	return &session.Security{Method: cfg.Auth, Users: users, Rules: cfg.Rules}
}

// run listens, serves and handles signals until the server stops.
func (p *proxy) run(ctx context.Context, opts serveOptions) error {
	ln, err := net.Listen("tcp", p.cfg.Listen)
	if err != nil {
		return err // "address already in use" reaches the user as is
	}
	adm, err := startAdmin(p.cfg.AdminListen, p.apis, p.metrics.Handler(), p.log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)

	served := make(chan error, 1)
	go func() { served <- p.server.Serve(ln) }()
	p.logStart(ln.Addr().String())
	go p.checkDatabases(ctx)

	for {
		select {
		case err := <-served:
			adm.close(ctx)
			return fmt.Errorf("serving %s: %w", p.cfg.Listen, err)
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				p.reload(opts)
				continue
			}
			p.log.Info("stopping: no new connections; running statements may finish",
				zap.String("signal", sig.String()), zap.String("grace", opts.grace.String()))
			adm.setDraining()
			err := p.shutdown(ctx, opts.grace, sigs, served)
			adm.close(ctx)
			return err
		}
	}
}

// shutdown stops the wire server within grace; a second SIGTERM/SIGINT ends
// the grace period at once.
func (p *proxy) shutdown(ctx context.Context, grace time.Duration, sigs <-chan os.Signal, served <-chan error) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	go func() {
		for sig := range sigs {
			if sig != syscall.SIGHUP {
				p.log.Warn("second signal: closing connections now", zap.String("signal", sig.String()))
				cancel()
				return
			}
		}
	}()
	if err := p.server.Shutdown(sctx); err != nil {
		p.log.Warn("grace period over: remaining connections were closed", zap.Error(err))
	}
	if err := <-served; err != nil && !errors.Is(err, wire.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	p.log.Info("stopped")
	return nil
}

func (p *proxy) logStart(addr string) {
	names := make([]string, 0, len(p.cfg.Databases))
	for _, d := range p.cfg.Databases {
		names = append(names, d.Name)
	}
	p.log.Info("fazproxy listening",
		zap.String("version", version),
		zap.String("addr", addr),
		zap.String("admin", p.cfg.AdminListen),
		zap.Strings("databases", names),
		zap.Int("users", len(p.cfg.Users)),
		zap.Bool("tls", p.cfg.TLS != nil))
}

// checkDatabases calls ListTables once per database at start-up so a wrong
// endpoint, region or credential is logged (with the troubleshooting hint)
// before the first client trips over it. It does not stop the server:
// DynamoDB may come up later, and /readyz reports it meanwhile.
func (p *proxy) checkDatabases(ctx context.Context) {
	for name, api := range p.apis {
		if err := pingDatabase(ctx, api); err != nil {
			p.log.Warn("database not reachable yet", zap.String("database", name), zap.Error(err), zap.String("hint", hintOf(err)))
			continue
		}
		p.log.Debug("database reachable", zap.String("database", name))
	}
}

// reload re-reads the file and swaps users, permissions and the auth method;
// a file that does not validate keeps the current ones.
func (p *proxy) reload(opts serveOptions) {
	cfg, err := loadConfig(opts)
	if err != nil {
		p.log.Error("SIGHUP: configuration not reloaded; keeping the current users and permissions", zap.Error(err))
		return
	}
	p.backend.SetSecurity(security(cfg))
	p.log.Info("SIGHUP: users and permissions reloaded", zap.Int("users", len(cfg.Users)), zap.Int("permissions", len(cfg.Permissions)))
	if changed := restartOnlyChanges(p.cfg, cfg); len(changed) > 0 {
		p.log.Warn("SIGHUP: these sections changed but only take effect after a restart", zap.Strings("sections", changed))
	}
}

// restartOnlyChanges lists what a reload does not apply.
func restartOnlyChanges(old, cur *config.Config) []string {
	var out []string
	if old.Listen != cur.Listen || old.AdminListen != cur.AdminListen {
		out = append(out, "listen")
	}
	if (old.TLS == nil) != (cur.TLS == nil) || old.TLS != nil && *old.TLS != *cur.TLS {
		out = append(out, "tls")
	}
	if old.Limits != cur.Limits {
		out = append(out, "limits")
	}
	if fmt.Sprint(old.Databases) != fmt.Sprint(cur.Databases) { // Secret fields print redacted, so a key rotation is missed; acceptable for a warning
		out = append(out, "databases")
	}
	return out
}
