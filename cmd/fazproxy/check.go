package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/fazproxy/fazproxy/config"
	"github.com/fazproxy/fazproxy/dynamo"
)

// runCheck implements `fazproxy check --config faz.yaml` (spec/config.md):
// validate the file, then call ListTables once per database and say, in the
// troubleshooting words of the hint, what is wrong.
func runCheck(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fazproxy check", flag.ContinueOnError)
	fs.SetOutput(stdout)
	path := fs.String("config", "faz.yaml", "path of faz.yaml")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit per database")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: valid (%d databases, %d users, %d permission entries)\n",
		*path, len(cfg.Databases), len(cfg.Users), len(cfg.Permissions))
	failed := 0
	for _, d := range cfg.Databases {
		if err := checkDatabase(ctx, d, *timeout); err != nil {
			failed++
			fmt.Fprintf(stdout, "database %s (%s): %v\n  hint: %s\n", d.Name, describeEndpoint(d), err, hintOf(err))
			continue
		}
		fmt.Fprintf(stdout, "database %s (%s): ok\n", d.Name, describeEndpoint(d))
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d databases cannot be reached", failed, len(cfg.Databases))
	}
	return nil
}

func checkDatabase(ctx context.Context, d config.Database, timeout time.Duration) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	api, err := dynamo.NewClient(cctx, dynamo.ClientConfig{
		Region: d.Region, EndpointURL: d.EndpointURL, AccessKeyID: d.AccessKeyID,
		SecretAccessKey: d.SecretAccessKey.Reveal(), Profile: d.Profile, MaxAttempts: 2,
	})
	if err != nil {
		return err
	}
	err = pingDatabase(cctx, api)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s: %w", timeout, err)
	}
	return err
}

func describeEndpoint(d config.Database) string {
	if d.EndpointURL != "" {
		return d.EndpointURL + ", region " + d.Region
	}
	return "AWS, region " + d.Region
}
