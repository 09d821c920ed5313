package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// systemPython is Debian's python3, where apt installs python3-sqlalchemy
// and python3-pymysql; a pyenv python3 earlier on PATH would not have them.
func systemPython(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "/bin/python3"} {
		if exec.Command(p, "-c", "import sqlalchemy, pymysql").Run() == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("python3 with sqlalchemy and pymysql is not installed (run .ci/gateway)")
	}
	t.Skip("python3 with sqlalchemy and pymysql is not installed")
	return ""
}

type supersetResult struct {
	SQLAlchemy string `json:"sqlalchemy"`
	Inspect    struct {
		Error   string                 `json:"error"`
		Schemas []string               `json:"schemas"`
		Tables  []string               `json:"tables"`
		Views   []string               `json:"views"`
		Columns map[string][][2]string `json:"columns"`
		PK      []string               `json:"pk"`
	} `json:"inspect"`
	Dialect struct {
		ServerVersionInfo []any  `json:"server_version_info"`
		IsMariaDB         bool   `json:"is_mariadb"`
		ServerInfo        string `json:"server_info"`
	} `json:"dialect"`
	Queries map[string]struct {
		Rows  [][]any `json:"rows"`
		Error string  `json:"error"`
	} `json:"queries"`
}

// TestSuperset runs testdata/superset.py, the queries Superset sends
// through SQLAlchemy 1.4 and pymysql, and requires every one to succeed.
func TestSuperset(t *testing.T) {
	py := systemPython(t)
	stores(t, func(t *testing.T, st zkstore.Store) {
		gw := startGateway(t, st, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, py, "testdata/superset.py")
		cmd.Env = append(os.Environ(), "ZKGW_URL=mysql+pymysql://"+testUser+":"+gw.password+"@"+gw.addr+"/zookeeper")
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("superset.py: %v\n%s", err, stderr.String())
		}
		var r supersetResult
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("superset.py output: %v\n%s", err, out.String())
		}
		if !strings.HasPrefix(r.SQLAlchemy, "1.4") {
			t.Errorf("SQLAlchemy %s, want 1.4", r.SQLAlchemy)
		}
		// SQLAlchemy's MySQL dialect reads the handshake's version as
		// MySQL 8.0.31 (it keeps the numeric parts).
		if got := fmt.Sprint(r.Dialect.ServerVersionInfo); got != "[8 0 31]" || r.Dialect.IsMariaDB || r.Dialect.ServerInfo != serverVersion {
			t.Errorf("dialect: server_version_info %s, is_mariadb %v, server_info %q", got, r.Dialect.IsMariaDB, r.Dialect.ServerInfo)
		}
		if got := fmt.Sprint(r.Queries["version"].Rows, r.Queries["version_var"].Rows, r.Queries["version_comment"].Rows); got != "[[8.0.31-zkgw]] [[8.0.31-zkgw]] [[version_comment zksql gateway (ZooKeeper)]]" {
			t.Errorf("version queries: %s", got)
		}
		if r.Inspect.Error != "" {
			t.Fatalf("inspect: %s", r.Inspect.Error)
		}
		if got := strings.Join(r.Inspect.Tables, ","); got != "acls,connections,ensemble_config,ephemerals,servers,session,watches,znodes" {
			t.Errorf("inspect tables: %s", got)
		}
		if len(r.Inspect.Views) != 0 || strings.Join(r.Inspect.PK, ",") != "path" {
			t.Errorf("inspect views %v, pk %v", r.Inspect.Views, r.Inspect.PK)
		}
		cols := map[string]string{}
		for _, c := range r.Inspect.Columns["znodes"] {
			cols[c[0]] = c[1]
		}
		for name, typ := range map[string]string{"path": "VARCHAR(4096)", "data": "LONGBLOB", "data_text": "LONGTEXT", "ctime": "DATETIME", "mtime": "DATETIME"} {
			if cols[name] != typ {
				t.Errorf("inspect column %s: %q, want %s", name, cols[name], typ)
			}
		}
		for name, q := range r.Queries {
			if q.Error != "" {
				t.Errorf("query %s: %s", name, q.Error)
			}
		}
		rows := func(name string) [][]any { return r.Queries[name].Rows }
		if got := len(rows("like_unicode")); got != 3 {
			t.Errorf("like_unicode: %d rows, want 3: %v", got, rows("like_unicode"))
		}
		if got := len(rows("preview")); got < 18 || got > 100 {
			t.Errorf("preview: %d rows", got)
		}
		if plan, _ := json.Marshal(rows("explain")); !strings.Contains(string(plan), "IndexedTableAccess") {
			t.Errorf("explain: %s", plan)
		}
		for _, name := range []string{"explain_pk", "explain_count"} {
			if plan, _ := json.Marshal(rows(name)); len(rows(name)) < 2 || !strings.Contains(string(plan), "IndexedTableAccess") {
				t.Errorf("%s: %s", name, plan)
			}
		}
		if got := fmt.Sprint(rows("point_lookup")); got != "[[/app/config/timeout_ms 2500]]" {
			t.Errorf("point_lookup: %s", got)
		}
		for name := range r.Queries {
			if strings.HasPrefix(name, "grain_") && len(rows(name)) == 0 {
				t.Errorf("%s: no rows", name)
			}
		}
		// The servers table: one reachable standalone member, whose znode
		// count covers the demo tree.
		if srv := rows("servers"); len(srv) != 1 || srv[0][2] != "standalone" || srv[0][3] != float64(1) || srv[0][5].(float64) < float64(len(rows("preview"))) {
			t.Errorf("servers: %v", srv)
		}
		t.Logf("servers: %v", rows("servers"))
		if got := fmt.Sprint(rows("servers_by_role")); got != "[[standalone 1]]" {
			t.Errorf("servers_by_role: %s", got)
		}
		var total float64
		for _, row := range rows("grain_P3M") {
			total += row[1].(float64)
		}
		if n := len(rows("preview")); int(total) != n {
			t.Errorf("grain_P3M counts %v znodes, the preview %d", total, n)
		}
	})
}
