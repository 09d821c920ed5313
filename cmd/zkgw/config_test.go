package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dolthub/go-mysql-server/sql"

	"github.com/zksql/zksql/zkstore"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigRequiresCredentials(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-mem"}, nil, "no user"},
		{[]string{"-mem", "-user", "u"}, nil, "no password"},
		{[]string{"-mem"}, map[string]string{"ZKGW_USER": "u"}, "no password"},
		{[]string{"-user", "u"}, map[string]string{"ZKGW_PASSWORD": "p"}, "exactly one of -zk"},
		{[]string{"-mem", "-user", "u", "-max-scan", "0"}, map[string]string{"ZKGW_PASSWORD": "p"}, "-max-scan"},
	} {
		_, err := parseConfig(c.args, env(c.env))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: %v, want %q", c.args, c.env, err, c.want)
		}
	}
}

func TestConfigDefaultsAndRedaction(t *testing.T) {
	const pw = "s3cret-Pa55"
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := parseConfig([]string{"-zk", "127.0.0.1:2181/app", "-password-file", file}, env(map[string]string{"ZKGW_USER": "reader"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:3306" || c.Writable || c.User != "reader" || c.Password != pw {
		t.Errorf("defaults: listen %s writable %v user %s password ok %v", c.Listen, c.Writable, c.User, c.Password == pw)
	}
	for _, s := range []string{c.String(), fmt.Sprint(c), fmt.Sprintf("%v %+v %#v", c, c, c)} {
		if strings.Contains(s, pw) {
			t.Errorf("password leaked: %s", s)
		}
	}
	if _, err := parseConfig([]string{"-mem", "-password-file", file}, env(map[string]string{"ZKGW_USER": "u", "ZKGW_PASSWORD": "x"})); err == nil {
		t.Error("both ZKGW_PASSWORD and a password file were accepted")
	}
}

// TestStaleVersion: an UPDATE or DELETE carries the version its row was
// read with; a znode changed since fails the statement, nothing applied.
func TestStaleVersion(t *testing.T) {
	ctx := context.Background()
	st := memStore(t)
	gw := &gateway{cfg: Config{Writable: true, QueryTimeout: 10e9}, store: st, budgets: newBudgets(100)}
	tbl := newZnodesTable(gw)
	data, stat, err := st.Get(ctx, "/app/config/timeout_ms")
	if err != nil {
		t.Fatal(err)
	}
	old := znodeRow("/app/config/timeout_ms", data, stat)
	if _, err := st.Set(ctx, "/app/config/timeout_ms", []byte("9000"), stat.Version); err != nil {
		t.Fatal(err)
	}
	sctx := sql.NewEmptyContext()
	upd := tbl.Updater(sctx)
	upd.StatementBegin(sctx)
	nw := append(sql.Row{}, old...)
	nw[colData] = []byte("1")
	if err := upd.Update(sctx, old, nw); err != nil {
		t.Fatal(err)
	}
	del := tbl.Deleter(sctx)
	del.StatementBegin(sctx)
	if err := del.Delete(sctx, old); err != nil {
		t.Fatal(err)
	}
	for name, ed := range map[string]sql.EditOpenerCloser{"update": upd, "delete": del} {
		if err := ed.StatementComplete(sctx); !errors.Is(err, zkstore.ErrBadVersion) {
			t.Errorf("%s with a stale version: %v", name, err)
		}
	}
	if data, _, err := st.Get(ctx, "/app/config/timeout_ms"); err != nil || string(data) != "9000" {
		t.Errorf("after the failed statements: %q, %v", data, err)
	}
}
