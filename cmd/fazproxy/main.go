// Command fazproxy serves Amazon DynamoDB tables to PostgreSQL clients.
//
//	fazproxy serve --config faz.yaml [--listen addr] [--log-level info]
//	fazproxy check --config faz.yaml
//	fazproxy query TEXT --database NAME [--language sql|partiql|dynamo] [--format table|json|csv]
//	fazproxy tables [--database NAME]
//	fazproxy describe TABLE [--database NAME]
//	fazproxy demo load|reset|sql [flags]
//	fazproxy verifier [--iterations n]    (reads a password on stdin)
//	fazproxy version
//
// Everything the server needs is constructed here, from faz.yaml, and passed
// down (DESIGN.md: construct, don't register).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

const usage = `fazproxy serves Amazon DynamoDB tables to PostgreSQL clients.

Usage:
  fazproxy serve --config faz.yaml [--listen host:port] [--log-level info]
  fazproxy check --config faz.yaml          validate the file and reach every database
  fazproxy query TEXT [flags]               run one request in-process, as --user would over the wire
      --database NAME  --table T  --language sql|partiql|dynamo  --format table|json|csv
      --user U  --config faz.yaml              (TEXT "-" reads stdin)
  fazproxy tables [--database NAME]         the tables the user may see, with their keys
  fazproxy describe TABLE [--database NAME] a table's columns, keys and indexes
  fazproxy demo load|reset|sql [flags]      the demo data set (fazproxy demo --help)
  fazproxy verifier [--iterations 4096]     print a SCRAM-SHA-256 verifier for users:
                                            (reads the password from stdin)
  fazproxy version

query, tables and describe honour faz.yaml's permissions for --user
(default: the only user in users:, else $USER). Exit status: 0 ok, 1 SQL
or DynamoDB error (SQLSTATE on stderr), 2 usage or configuration error,
3 permission denied (42501, 28000). Notices and a continuation key go to
stderr.

Configuration: faz.yaml (README.md, "Configuration"); FAZ_ environment
variables override its scalars.
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], stderr)
	case "check":
		err = runCheck(ctx, args[1:], stdout)
	case "query":
		err = runQuery(ctx, args[1:], stdin, stdout, stderr)
	case "tables":
		err = runTables(ctx, args[1:], stdout, stderr)
	case "describe":
		err = runDescribe(ctx, args[1:], stdout, stderr)
	case "demo":
		err = runDemo(ctx, args[1:], stdout)
	case "verifier":
		err = runVerifier(args[1:], stdin, stdout)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "fazproxy %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "fazproxy: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, errUsage) {
			return exitUsage
		}
		var ce *cliError
		if errors.As(err, &ce) {
			ce.report(stderr, args[0])
			return ce.code
		}
		fmt.Fprintf(stderr, "fazproxy %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// errUsage reports a command line error already explained to the user.
var errUsage = errors.New("usage")
