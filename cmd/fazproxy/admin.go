package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.uber.org/zap"

	"github.com/fazproxy/fazproxy/dynamo"
	"github.com/fazproxy/fazproxy/pgerr"
)

// pingTimeout bounds one readiness probe of one database.
const pingTimeout = 3 * time.Second

// admin is the HTTP listener for orchestrators: /healthz answers while the
// process runs; /readyz answers 200 only when every database's DynamoDB
// endpoint answers ListTables and the server is not draining; /metrics
// serves the Prometheus metrics.
type admin struct {
	srv      *http.Server // nil when admin_listen is empty
	apis     map[string]dynamo.API
	metrics  http.Handler
	draining atomic.Bool
	log      *zap.Logger
}

func startAdmin(addr string, apis map[string]dynamo.API, metrics http.Handler, log *zap.Logger) (*admin, error) {
	a := &admin{apis: apis, metrics: metrics, log: log}
	if addr == "" {
		return a, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin listener: %w", err)
	}
	a.srv = &http.Server{Handler: a.handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin listener stopped", zap.Error(err))
		}
	}()
	log.Info("admin listening", zap.String("addr", ln.Addr().String()), zap.Strings("paths", []string{"/healthz", "/readyz", "/metrics"}))
	return a, nil
}

func (a *admin) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	if a.metrics != nil {
		mux.Handle("GET /metrics", a.metrics)
	}
	return mux
}

func (a *admin) readyz(w http.ResponseWriter, r *http.Request) {
	if a.draining.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	var failures []string
	for _, name := range sortedNames(a.apis) {
		if err := pingDatabase(r.Context(), a.apis[name]); err != nil {
			failures = append(failures, fmt.Sprintf("database %s: %v (%s)", name, err, hintOf(err)))
		}
	}
	if len(failures) > 0 {
		http.Error(w, strings.Join(failures, "\n"), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

func (a *admin) setDraining() { a.draining.Store(true) }

func (a *admin) close(ctx context.Context) {
	if a.srv == nil {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := a.srv.Shutdown(sctx); err != nil {
		a.log.Warn("admin listener: shutdown", zap.Error(err))
	}
}

// pingDatabase asks for one table name: the cheapest call that proves the
// endpoint, region and credentials work. Errors carry SQLSTATE and hint.
func pingDatabase(ctx context.Context, api dynamo.API) error {
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	_, err := api.ListTables(pctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
	return dynamo.MapError(err, "ListTables", "")
}

// hintOf returns the troubleshooting hint attached to err, if any.
func hintOf(err error) string {
	var pe *pgerr.Error
	if errors.As(err, &pe) && pe.Hint != "" {
		return pe.Hint
	}
	return "see README.md, Troubleshooting"
}

func sortedNames(m map[string]dynamo.API) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
