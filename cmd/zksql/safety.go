package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/zksql/zksql/parser"
)

// Safe updates, as the mysql client's --safe-updates: an UPDATE or
// DELETE without a WHERE clause is refused, so a statement cut short or
// typed in haste does not rewrite or remove every znode. A DELETE that
// matches more than confirmDelete znodes is counted first and needs a
// "yes" typed at the terminal; without a terminal (-e, -f, piped input)
// there is nobody to ask, so it is refused, never left waiting.

// defaultConfirmDelete is the number of znodes a DELETE may match without
// being confirmed.
const defaultConfirmDelete = 100

// errUnsafe is a statement refused by the safe-updates checks; nothing
// was sent to ZooKeeper (but the count of a DELETE's matches).
var errUnsafe = errors.New("refused")

// guard checks a write statement before it runs: q is where it will run
// (the transaction, if one is open), so the count sees the transaction's
// own writes.
func (s *shell) guard(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, text string) error {
	stmt, err := parser.Parse(text)
	if err != nil {
		return nil // the driver reports it, with its position
	}
	var table, verb string
	var where parser.Expr
	switch st := stmt.(type) {
	case *parser.Update:
		table, verb, where = st.Table, "UPDATE", st.Where
	case *parser.Delete:
		table, verb, where = st.Table, "DELETE", st.Where
	default:
		return nil
	}
	if s.safeUpdates && where == nil {
		return fmt.Errorf("%w: %s without a WHERE clause would change every row of %s (safe updates are on); add a WHERE clause, or turn safe updates off with \\safe off or -safe-updates=false", errUnsafe, verb, table)
	}
	if verb != "DELETE" || table != parser.TableZnodes || s.confirmDelete <= 0 {
		return nil
	}
	n, err := s.countMatches(ctx, q, text)
	if err != nil {
		return err
	}
	if n <= s.confirmDelete {
		return nil
	}
	if s.ask == nil {
		return fmt.Errorf("%w: the DELETE matches %d znodes, more than -confirm-delete=%d, and there is no terminal to confirm it; run it in the interactive shell, or raise the limit with -confirm-delete=N (0: never ask)", errUnsafe, n, s.confirmDelete)
	}
	// The progress line would draw over the question.
	paused := s.running != nil
	s.stopProgress()
	ok, err := s.ask(fmt.Sprintf("The DELETE matches %d znodes (more than %d). Type yes to delete them: ", n, s.confirmDelete))
	if paused {
		s.startProgress()
	}
	if err != nil {
		return fmt.Errorf("%w: the DELETE was not confirmed: %v", errUnsafe, err)
	}
	if !ok {
		return fmt.Errorf("%w: the DELETE was not confirmed; nothing was deleted", errUnsafe)
	}
	return nil
}

// countMatches counts the znodes a DELETE matches, by running its FROM
// and WHERE as SELECT COUNT(*): the same text, so aliases and the WHERE
// mean what they mean in the DELETE.
func (s *shell) countMatches(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, text string) (int, error) {
	at := keywordOffset(text, "delete")
	if at < 0 {
		return 0, fmt.Errorf("%w: cannot find DELETE to count its matches", errUnsafe)
	}
	rows, err := q.QueryContext(ctx, "SELECT COUNT(*)"+text[at+len("delete"):])
	if err != nil {
		return 0, fmt.Errorf("counting the znodes the DELETE matches: %w", err)
	}
	defer rows.Close()
	n := 0
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("counting the znodes the DELETE matches: %w", err)
	}
	return n, nil
}

// keywordOffset is the offset of the first word of text, after blanks
// and comments, if it is kw (case-insensitive); else -1.
func keywordOffset(text, kw string) int {
	i := 0
	for i < len(text) {
		t := text[i:]
		switch {
		case strings.HasPrefix(t, "--") || strings.HasPrefix(t, "#"):
			nl := strings.IndexByte(t, '\n')
			if nl < 0 {
				return -1
			}
			i += nl + 1
		case strings.HasPrefix(t, "/*"):
			end := strings.Index(t[2:], "*/")
			if end < 0 {
				return -1
			}
			i += 2 + end + 2
		case strings.IndexByte(" \t\r\n", t[0]) >= 0:
			i++
		default:
			if len(t) >= len(kw) && strings.EqualFold(t[:len(kw)], kw) {
				return i
			}
			return -1
		}
	}
	return -1
}

// safeCommand is \safe [on|off]: show, toggle or set safe updates.
func (s *shell) safeCommand(args []string) error {
	switch {
	case len(args) == 0:
		s.safeUpdates = !s.safeUpdates
	case len(args) == 1 && strings.EqualFold(args[0], "on"):
		s.safeUpdates = true
	case len(args) == 1 && strings.EqualFold(args[0], "off"):
		s.safeUpdates = false
	default:
		return fmt.Errorf(`usage: \safe [on|off]`)
	}
	if s.safeUpdates {
		fmt.Fprintln(s.out, "safe updates are on: UPDATE and DELETE need a WHERE clause")
	} else {
		fmt.Fprintln(s.out, "safe updates are off")
	}
	return nil
}
