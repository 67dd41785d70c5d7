package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fazproxy/fazproxy/demo"
)

const demoUsage = `usage: fazproxy demo <command> [flags]

Commands:
  load    create the demo tables (customers, orders, products) in DynamoDB and
          load their items; existing demo tables with the same schema are kept
          and their items overwritten (--fresh drops them first)
  reset   delete the demo tables
  sql     print the same data as PostgreSQL SQL (CREATE TABLE + INSERT), as
          loaded into the reference PostgreSQL of the differential tests

Flags (load, reset):
  --endpoint URL   DynamoDB endpoint (default $FAZ_DEMO_ENDPOINT or http://127.0.0.1:8000)
  --region NAME    AWS region (default us-east-1)
  --fresh          load: delete the demo tables first
  --wait DURATION  retry until the endpoint answers, for at most this long (default 0: no retry)
  --timeout DUR    overall time limit (default 5m)

Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY when set, else the
dummy pair local/local, which DynamoDB Local accepts.
`

// runDemo implements `fazproxy demo ...` (see demoUsage).
func runDemo(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, demoUsage)
		if len(args) == 0 {
			return errors.New("demo: missing command (load, reset or sql)")
		}
		return nil
	}
	cmd, rest := args[0], args[1:]
	if cmd == "sql" {
		if len(rest) > 0 {
			return fmt.Errorf("demo sql: unexpected arguments %q", rest)
		}
		_, err := io.WriteString(stdout, demo.PostgresSQL())
		return err
	}
	if cmd != "load" && cmd != "reset" {
		return fmt.Errorf("demo: unknown command %q (want load, reset or sql)", cmd)
	}
	fs := flag.NewFlagSet("fazproxy demo "+cmd, flag.ContinueOnError)
	fs.SetOutput(stdout)
	defaultEndpoint := os.Getenv("FAZ_DEMO_ENDPOINT")
	if defaultEndpoint == "" {
		defaultEndpoint = "http://127.0.0.1:8000"
	}
	endpoint := fs.String("endpoint", defaultEndpoint, "DynamoDB endpoint URL")
	region := fs.String("region", "us-east-1", "AWS region")
	fresh := fs.Bool("fresh", false, "delete the demo tables before loading")
	wait := fs.Duration("wait", 0, "retry until the endpoint answers, at most this long")
	timeout := fs.Duration("timeout", 5*time.Minute, "overall time limit")
	fs.Usage = func() { fmt.Fprint(stdout, demoUsage) }
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo %s: unexpected arguments %q", cmd, fs.Args())
	}
	if !strings.HasPrefix(*endpoint, "http://") && !strings.HasPrefix(*endpoint, "https://") {
		return fmt.Errorf("demo %s: --endpoint must be an http:// or https:// URL, got %q", cmd, *endpoint)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	api := demo.LocalClient(*endpoint, *region)
	if err := waitEndpoint(ctx, api, *endpoint, *wait, stdout); err != nil {
		return err
	}
	start := time.Now()
	if cmd == "reset" || *fresh {
		if err := demo.Reset(ctx, api); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "demo: deleted the demo tables at %s\n", *endpoint)
		if cmd == "reset" {
			return nil
		}
	}
	if err := demo.Create(ctx, api); err != nil {
		return err
	}
	if err := demo.Load(ctx, api); err != nil {
		return err
	}
	var parts []string
	for _, t := range demo.Tables() {
		n, err := demo.Count(ctx, api, t.Name)
		if err != nil {
			return err
		}
		parts = append(parts, fmt.Sprintf("%s %d", t.Name, n))
	}
	fmt.Fprintf(stdout, "demo: loaded %s items into %s (%s) in %s\n",
		strings.Join(parts, ", "), *endpoint, *region, time.Since(start).Round(time.Millisecond))
	return nil
}

// waitEndpoint calls ListTables until it succeeds or wait has passed.
func waitEndpoint(ctx context.Context, api *dynamodb.Client, endpoint string, wait time.Duration, stdout io.Writer) error {
	deadline := time.Now().Add(wait)
	for said := false; ; {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := api.ListTables(cctx, &dynamodb.ListTablesInput{}, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("demo: DynamoDB at %s does not answer: %w (is DynamoDB Local running? scripts/dynamodb-local start)", endpoint, err)
		}
		if !said {
			fmt.Fprintf(stdout, "demo: waiting for DynamoDB at %s ...\n", endpoint)
			said = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
