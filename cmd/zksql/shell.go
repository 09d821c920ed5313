package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
)

// shell runs statements and backslash commands on one database
// connection and prints their results.
type shell struct {
	d      *database
	conn   *sql.Conn // one connection, so BEGIN ... COMMIT stays on it
	tx     *sql.Tx   // open transaction, nil outside one
	out    io.Writer
	errOut io.Writer
	format format
	timing bool
	// progress, when set, is where the progress line of a long
	// statement goes (a terminal).
	progress io.Writer
	// progressAfter is how long a statement runs before its progress
	// line appears.
	progressAfter time.Duration
	// safeUpdates refuses UPDATE and DELETE without WHERE (safety.go).
	safeUpdates bool
	// confirmDelete is how many znodes a DELETE may match before it must
	// be confirmed; 0 never asks.
	confirmDelete int
	// ask puts a yes/no question to the user at the terminal; nil when
	// there is none (-e, -f, piped input).
	ask func(question string) (bool, error)
	// running is the progress line of the running statement, if any.
	running *progress
}

func (s *shell) startProgress() {
	s.running = startProgress(s.progress, s.d.n, s.progressAfter)
}

func (s *shell) stopProgress() {
	if s.running != nil {
		s.running.stop()
		s.running = nil
	}
}

// errQuit ends the shell (\q).
var errQuit = errors.New("quit")

// exec runs one statement or backslash command. The error is already
// reported on errOut when it is not errQuit.
func (s *shell) exec(ctx context.Context, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if strings.HasPrefix(text, `\`) {
		err := s.command(ctx, text)
		if err != nil && err != errQuit {
			fmt.Fprintln(s.errOut, "ERROR:", err)
		}
		return err
	}
	start := time.Now()
	res, err := s.run(ctx, text)
	if err != nil && (errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone)) {
		// The session behind the connection is gone (expired, closed):
		// take a new connection. Both errors mean nothing was sent, so
		// a statement outside a transaction is run again once.
		inTx := s.tx != nil
		if inTx {
			s.tx.Rollback() // releases the dead connection; it fails too
			s.tx = nil
		}
		if rerr := s.reconnect(ctx); rerr == nil && !inTx {
			start = time.Now()
			res, err = s.run(ctx, text)
		} else if rerr == nil {
			err = fmt.Errorf("%w (the transaction is lost)", err)
		}
	}
	elapsed := time.Since(start)
	if err != nil {
		s.reportError(text, err)
		return err
	}
	return s.print(res, elapsed)
}

// print writes a result in the current format, then its summary and time.
func (s *shell) print(res *result, elapsed time.Duration) error {
	var err error
	switch s.format {
	case formatCSV:
		err = writeCSV(s.out, res)
	case formatJSON:
		err = writeJSON(s.out, res)
	default:
		writeTable(s.out, res)
	}
	if err != nil {
		fmt.Fprintln(s.errOut, "ERROR: writing the result:", err)
		return err
	}
	sum := summary(res)
	if s.timing && res.message == "" {
		if sum != "" {
			sum += " "
		}
		sum += "(" + formatDuration(elapsed) + ")"
	}
	switch {
	case sum == "":
	case s.format == formatTable:
		fmt.Fprintln(s.out, sum)
		fmt.Fprintln(s.out)
	case s.timing:
		// CSV and JSON keep stdout machine-readable.
		fmt.Fprintln(s.errOut, sum)
	}
	return nil
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

// run executes one SQL statement. Ctrl-C cancels it (the shell lives on);
// BEGIN, START TRANSACTION, COMMIT and ROLLBACK are run through
// database/sql's transaction calls, which is how the driver takes them.
func (s *shell) run(ctx context.Context, text string) (*result, error) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if s.progress != nil {
		s.startProgress()
		defer s.stopProgress()
	}
	if s.conn == nil {
		if err := s.reconnect(ctx); err != nil {
			return nil, err
		}
	}
	kw := leadingKeywords(text, 2)
	switch {
	case kw == "begin" || kw == "start transaction" || kw == "begin work":
		if s.tx != nil {
			return nil, errors.New("a transaction is already open; COMMIT or ROLLBACK it first")
		}
		// database/sql rolls a transaction back when its context ends:
		// it must outlive this statement's context.
		tx, err := s.conn.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			return nil, err
		}
		s.tx = tx
		return &result{message: "transaction started (optimistic: COMMIT fails if anything read has changed)"}, nil
	case kw == "commit" || kw == "commit work":
		if s.tx == nil {
			return nil, errors.New("no transaction is open")
		}
		tx := s.tx
		s.tx = nil
		if err := tx.Commit(); err != nil {
			return nil, err
		}
		return &result{message: "committed"}, nil
	case kw == "rollback" || kw == "rollback work":
		if s.tx == nil {
			return nil, errors.New("no transaction is open")
		}
		tx := s.tx
		s.tx = nil
		if err := tx.Rollback(); err != nil {
			return nil, err
		}
		return &result{message: "rolled back"}, nil
	}
	type querier interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}
	var q querier = s.conn
	if s.tx != nil {
		q = s.tx
	}
	first, _, _ := strings.Cut(kw, " ")
	switch first {
	case "select", "show", "describe", "desc", "explain", "with":
		rows, err := q.QueryContext(ctx, text)
		if err != nil {
			return nil, interrupted(ctx, err, false)
		}
		res, err := collect(rows, first == "explain" && isPlan(text))
		return res, interrupted(ctx, err, false)
	}
	if err := s.guard(ctx, q, text); err != nil {
		return nil, interrupted(ctx, err, false)
	}
	r, err := q.ExecContext(ctx, text)
	if err != nil {
		return nil, interrupted(ctx, err, true)
	}
	res := &result{exec: true}
	res.affected, _ = r.RowsAffected()
	res.lastInsertID, _ = r.LastInsertId()
	return res, nil
}

// interruptedError is a statement error after Ctrl-C.
type interruptedError struct {
	err   error
	write bool // the statement may have changed znodes
}

func (e *interruptedError) Error() string { return e.err.Error() }
func (e *interruptedError) Unwrap() error { return e.err }

// interrupted marks err as caused by Ctrl-C when the statement's context
// (which only Ctrl-C ends) is done.
func interrupted(ctx context.Context, err error, write bool) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	return &interruptedError{err: err, write: write}
}

// isPlan tells EXPLAIN <statement> (a plan) from EXPLAIN <table> (columns).
func isPlan(text string) bool {
	switch kw := leadingKeywords(text, 2); kw {
	case "explain select", "explain insert", "explain update", "explain delete":
		return true
	}
	return false
}

// collect reads every row, so a table can be aligned.
func collect(rows *sql.Rows, explain bool) (*result, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	// EXPLAIN answers (step, operation): shown as a numbered plan.
	res := &result{cols: cols, explain: explain && len(cols) >= 1}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			// database/sql reuses a driver's []byte; keep a copy.
			if b, ok := v.([]byte); ok {
				vals[i] = append([]byte(nil), b...)
			}
		}
		res.rows = append(res.rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// leadingKeywords returns up to n leading words of text, lower case,
// skipping comments, separated by single spaces.
func leadingKeywords(text string, n int) string {
	var words []string
	t := text
	for len(words) < n {
		t = strings.TrimLeft(t, " \t\r\n(")
		switch {
		case strings.HasPrefix(t, "--") || strings.HasPrefix(t, "#"):
			_, rest, _ := strings.Cut(t, "\n")
			t = rest
			continue
		case strings.HasPrefix(t, "/*"):
			_, rest, ok := strings.Cut(t[2:], "*/")
			if !ok {
				t = ""
			} else {
				t = rest
			}
			continue
		}
		end := strings.IndexFunc(t, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
		})
		if end < 0 {
			end = len(t)
		}
		if end == 0 {
			break
		}
		words = append(words, strings.ToLower(t[:end]))
		t = t[end:]
	}
	return strings.Join(words, " ")
}

// reconnect replaces the shell's connection with a new one from the pool.
func (s *shell) reconnect(ctx context.Context) error {
	if s.conn != nil {
		s.conn.Close()
	}
	c, err := s.d.db.Conn(ctx)
	if err != nil {
		s.conn = nil
		return err
	}
	s.conn = c
	return nil
}

// close ends an open transaction (rolling it back) and the connection.
func (s *shell) close() {
	if s.tx != nil {
		s.tx.Rollback()
		s.tx = nil
	}
	if s.conn != nil {
		s.conn.Close()
	}
}

// flush writes out buffered results.
func (s *shell) flush() {
	if f, ok := s.out.(interface{ Flush() error }); ok {
		f.Flush()
	}
}
