// Command zksql is an interactive SQL shell for Apache ZooKeeper, built on
// the zksql database/sql driver.
//
//	zksql [flags] [DSN]
//
// With no DSN (and no ZKSQL_DSN in the environment) it opens an in-memory
// store holding a small demo tree. See README.md for the commands.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/chzyer/readline"
)

// Exit codes.
const (
	exitOK        = 0
	exitStatement = 1 // a statement failed in -e, -f or piped input
	exitUsage     = 2 // bad flags or DSN, or no connection
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

type options struct {
	exec          string
	file          string
	format        string
	timing        bool
	force         bool
	safeUpdates   bool
	confirmDelete int
}

func usage(fs *flag.FlagSet, w io.Writer) func() {
	return func() {
		fmt.Fprintln(w, `usage: zksql [flags] [DSN]

DSN is zk://HOST:PORT[,HOST:PORT...][/CHROOT][?OPTIONS], mem: or mem:NAME;
without one, $ZKSQL_DSN is used, and without that an in-memory demo tree.

flags:`)
		fs.PrintDefaults()
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("zksql", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usage(fs, stderr)
	fs.StringVar(&o.exec, "e", "", "run `STATEMENT` and exit")
	fs.StringVar(&o.file, "f", "", "run the statements in `FILE` (- for stdin) and exit")
	fs.StringVar(&o.format, "o", "table", "output `FORMAT`: table, csv or json")
	fs.BoolVar(&o.timing, "timing", false, "show each statement's time (default on in the interactive shell)")
	fs.BoolVar(&o.force, "force", false, "with -f or piped input, go on after a failed statement (the exit code still says it failed)")
	fs.BoolVar(&o.safeUpdates, "safe-updates", true, "refuse UPDATE and DELETE without a WHERE clause (-safe-updates=false to allow them; \\safe toggles it)")
	fs.BoolVar(&o.safeUpdates, "U", true, "short for -safe-updates")
	fs.IntVar(&o.confirmDelete, "confirm-delete", defaultConfirmDelete, "a DELETE matching more than `N` znodes asks for confirmation, and without a terminal is refused (0: never ask)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	dsn := ""
	if fs.NArg() > 0 {
		dsn = fs.Arg(0)
		// Flags may follow the DSN too.
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return exitUsage
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "zksql: unexpected argument %q after the DSN\n", safeText(fs.Arg(0)))
			return exitUsage
		}
	} else {
		dsn = os.Getenv("ZKSQL_DSN")
	}
	if o.confirmDelete < 0 {
		fmt.Fprintln(stderr, "zksql: -confirm-delete must be 0 or more")
		return exitUsage
	}
	if o.exec != "" && o.file != "" {
		fmt.Fprintln(stderr, "zksql: -e and -f cannot be used together")
		return exitUsage
	}
	f, err := parseFormat(o.format)
	if err != nil {
		fmt.Fprintln(stderr, "zksql:", err)
		return exitUsage
	}

	ctx := context.Background()
	d, err := openDatabase(ctx, dsn)
	if err != nil {
		fmt.Fprintln(stderr, "zksql:", err)
		return exitUsage
	}
	defer d.close()

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	s := &shell{d: d, out: out, errOut: flushFirst{out, stderr}, format: f, timing: o.timing, progressAfter: 500 * time.Millisecond,
		safeUpdates: o.safeUpdates, confirmDelete: o.confirmDelete}
	defer s.close()
	if isTerminal(stderr) {
		s.progress = stderr
	}
	if err := s.reconnect(ctx); err != nil {
		fmt.Fprintf(stderr, "zksql: connecting to %s: %v\n", d.display, err)
		return exitUsage
	}

	switch {
	case o.exec != "":
		return s.script(ctx, strings.NewReader(o.exec), false)
	case o.file == "-":
		return s.script(ctx, stdin, o.force)
	case o.file != "":
		fh, err := os.Open(o.file)
		if err != nil {
			fmt.Fprintln(stderr, "zksql:", err)
			return exitUsage
		}
		defer fh.Close()
		return s.script(ctx, fh, o.force)
	case isTerminal(stdin) && isTerminal(stdout):
		if !flagSet(fs, "timing") {
			s.timing = true
		}
		return s.interactive(ctx, stdin.(*os.File))
	default:
		return s.script(ctx, stdin, o.force)
	}
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// flushFirst writes to w after flushing the buffered results, so errors
// and results appear in order.
type flushFirst struct {
	buf *bufio.Writer
	w   io.Writer
}

func (f flushFirst) Write(p []byte) (int, error) {
	f.buf.Flush()
	return f.w.Write(p)
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && readline.IsTerminal(int(f.Fd()))
}

// script runs statements read from r, one per ';' at the end of a line.
// It stops at the first failure unless force is set; either way a failure
// makes the exit code exitStatement.
func (s *shell) script(ctx context.Context, r io.Reader, force bool) int {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	var sp splitter
	code := exitOK
	do := func(stmt string) bool {
		err := s.exec(ctx, stmt)
		s.flush()
		if err == errQuit {
			return false
		}
		if err != nil {
			code = exitStatement
			return force
		}
		return true
	}
	for sc.Scan() {
		line := sc.Text()
		if !sp.pending() {
			if isComment(line) {
				continue
			}
			if t := strings.TrimSpace(line); strings.HasPrefix(t, `\`) {
				if !do(t) {
					return code
				}
				continue
			}
		}
		for _, stmt := range sp.add(line) {
			if !do(stmt) {
				return code
			}
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(s.errOut, "zksql: reading input:", err)
		return exitStatement
	}
	if sp.inQuote() {
		fmt.Fprintln(s.errOut, "ERROR: unterminated quoted string at end of input")
		return exitStatement
	}
	if stmt := sp.flush(); stmt != "" {
		do(stmt)
	}
	return code
}
