package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/fazproxy/fazproxy/config"
)

// runVerifier implements `fazproxy verifier`: it reads one password line from
// stdin and prints the SCRAM-SHA-256 verifier to put under users[].password,
// so plain passwords never need to be written into faz.yaml.
func runVerifier(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("fazproxy verifier", flag.ContinueOnError)
	iters := fs.Int("iterations", config.DefaultIterations, "PBKDF2 iterations")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *iters < 1 {
		return errors.New("--iterations must be at least 1")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the password from stdin: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return errors.New("no password on stdin (e.g. printf '%s\\n' \"$PW\" | fazproxy verifier)")
	}
	v, err := config.MakeVerifier(password, *iters)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, v)
	return err
}
