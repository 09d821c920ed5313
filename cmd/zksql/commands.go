package main

import (
	"context"
	"fmt"
	"strings"
)

const helpText = `Statements end with ';' at the end of a line and may span lines.
  SELECT ... FROM znodes | acls ...   INSERT / UPDATE / DELETE ...
  SHOW TABLES   DESCRIBE table   EXPLAIN statement
  BEGIN ... COMMIT | ROLLBACK        (optimistic transaction)
Ctrl-C cancels a running statement or clears the line; Ctrl-D quits.

Commands:
  \d               list tables
  \d TABLE         describe a table
  \o [FORMAT]      show or set the output format: table, csv or json
  \timing [on|off] toggle or set the time shown after each statement
  \safe [on|off]   toggle or set safe updates: UPDATE and DELETE need WHERE
  \c               show the connection (DSN, passwords hidden)
  \? or \h         this help
  \q               quit
`

// command runs a backslash command.
func (s *shell) command(ctx context.Context, text string) error {
	fields := strings.Fields(strings.TrimSuffix(text, ";"))
	name, args := fields[0], fields[1:]
	switch name {
	case `\q`, `\quit`:
		return errQuit
	case `\?`, `\h`, `\help`:
		fmt.Fprint(s.out, helpText)
		return nil
	case `\d`, `\dt`:
		switch len(args) {
		case 0:
			return s.exec(ctx, "SHOW TABLES")
		case 1:
			return s.exec(ctx, "DESCRIBE "+args[0])
		}
		return fmt.Errorf(`usage: \d [TABLE]`)
	case `\o`, `\format`:
		switch len(args) {
		case 0:
			fmt.Fprintln(s.out, "output format is", s.format)
			return nil
		case 1:
			f, err := parseFormat(args[0])
			if err != nil {
				return err
			}
			s.format = f
			fmt.Fprintln(s.out, "output format is", f)
			return nil
		}
		return fmt.Errorf(`usage: \o [table|csv|json]`)
	case `\timing`:
		switch {
		case len(args) == 0:
			s.timing = !s.timing
		case len(args) == 1 && strings.EqualFold(args[0], "on"):
			s.timing = true
		case len(args) == 1 && strings.EqualFold(args[0], "off"):
			s.timing = false
		default:
			return fmt.Errorf(`usage: \timing [on|off]`)
		}
		if s.timing {
			fmt.Fprintln(s.out, "timing is on")
		} else {
			fmt.Fprintln(s.out, "timing is off")
		}
		return nil
	case `\safe`:
		return s.safeCommand(args)
	case `\c`, `\conninfo`:
		fmt.Fprintln(s.out, "connected to", s.d.display)
		if s.tx != nil {
			fmt.Fprintln(s.out, "a transaction is open")
		}
		return nil
	}
	return fmt.Errorf(`unknown command %s; \? lists the commands`, safeText(name))
}
