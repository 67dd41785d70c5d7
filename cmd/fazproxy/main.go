// Command fazproxy serves Amazon DynamoDB tables to PostgreSQL clients.
//
//	fazproxy serve --config faz.yaml [--listen addr] [--log-level info]
//	fazproxy check --config faz.yaml
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
  fazproxy demo load|reset|sql [flags]      the demo data set (fazproxy demo --help)
  fazproxy verifier [--iterations 4096]     print a SCRAM-SHA-256 verifier for users:
                                            (reads the password from stdin)
  fazproxy version

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
			return 2
		}
		fmt.Fprintf(stderr, "fazproxy %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// errUsage reports a command line error already explained to the user.
var errUsage = errors.New("usage")
