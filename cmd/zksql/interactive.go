package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/chzyer/readline"
)

const (
	prompt         = "zksql> "
	promptTx       = "zksql*> "
	promptContinue = "    -> "
)

// historyPath is the history file: $XDG_CONFIG_HOME/zksql/history or the
// platform's equivalent (os.UserConfigDir). It is created private (0600)
// since statements may carry data worth keeping to oneself. "" when there
// is no config directory.
func historyPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	dir = filepath.Join(dir, "zksql")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	p := filepath.Join(dir, "history")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return ""
	}
	f.Close()
	return p
}

// interactive is the shell on a terminal: line editing, history, and a
// statement run each time a line ends with ';'.
func (s *shell) interactive(ctx context.Context, stdin *os.File) int {
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 prompt,
		HistoryFile:            historyPath(),
		DisableAutoSaveHistory: true, // whole statements are saved, not lines
		HistorySearchFold:      true,
		InterruptPrompt:        "^C",
		EOFPrompt:              `\q`,
		Stdin:                  stdin,
		Stdout:                 os.Stdout,
		Stderr:                 os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(s.errOut, "zksql:", err)
		return exitUsage
	}
	defer rl.Close()
	s.ask = func(question string) (bool, error) {
		rl.SetPrompt(question)
		answer, err := rl.Readline()
		if err != nil {
			return false, err
		}
		return strings.EqualFold(strings.TrimSpace(answer), "yes") || strings.EqualFold(strings.TrimSpace(answer), "y"), nil
	}
	defer func() { s.ask = nil }()
	fmt.Fprintf(s.out, "zksql: %s\nType \\? for help, \\q to quit.\n\n", s.d.display)
	s.flush()

	var sp splitter
	var lines []string // the statement's lines, for history
	for {
		switch {
		case sp.pending():
			rl.SetPrompt(promptContinue)
		case s.tx != nil:
			rl.SetPrompt(promptTx)
		default:
			rl.SetPrompt(prompt)
		}
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			if !sp.pending() && line == "" {
				fmt.Fprintln(s.errOut, `(\q or Ctrl-D quits)`)
			}
			sp.reset()
			lines = lines[:0]
			continue
		}
		if err == io.EOF {
			return exitOK
		}
		if err != nil {
			fmt.Fprintln(s.errOut, "zksql:", err)
			return exitStatement
		}
		text := ""
		if !sp.pending() {
			t := strings.TrimSpace(line)
			switch {
			case t == "":
				continue
			case strings.HasPrefix(t, `\`):
				text = t
			case isComment(t):
				continue
			case strings.EqualFold(strings.TrimSuffix(t, ";"), "quit") || strings.EqualFold(strings.TrimSuffix(t, ";"), "exit"):
				rl.SaveHistory(t)
				return exitOK
			}
		}
		if text != "" {
			rl.SaveHistory(text)
			err = s.exec(ctx, text)
			s.flush()
			if err == errQuit {
				return exitOK
			}
			continue
		}
		lines = append(lines, line)
		stmts := sp.add(line)
		if len(stmts) == 0 {
			continue
		}
		rl.SaveHistory(strings.Join(trimAll(lines), " "))
		lines = lines[:0]
		if sp.pending() {
			// The line began the next statement after its last ';'.
			lines = append(lines, line)
		}
		for _, stmt := range stmts {
			err = s.exec(ctx, stmt)
			s.flush()
			if err == errQuit {
				return exitOK
			}
		}
	}
}

func trimAll(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" {
			out = append(out, t)
		}
	}
	return out
}
