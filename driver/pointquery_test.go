package driver_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
)

// checkPointQueryMatchesPlanner: the one-znode SELECT runs on a path of
// its own (pointQuery, no planner); adding `AND 1 = 1` to its WHERE sends
// the same statement through the general planner. Both must return the
// same columns, column types, values and errors, for every column, for
// znodes that exist or not, with arguments of every kind.
func checkPointQueryMatchesPlanner(t *testing.T, db *sql.DB) {
	ctx := context.Background()
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/pq', 'abc'), ('/pq/empty', ''), ('/pq/nil', NULL)")
	mustExec(t, db, "INSERT INTO znodes (path, mode) VALUES ('/pq/eph', 'ephemeral')")
	mustExec(t, db, "UPDATE znodes SET data = 'abcd' WHERE path = '/pq'")
	// Readable by nobody: reading it fails with NoAuth on both paths.
	mustExec(t, db, "INSERT INTO znodes (path, data) VALUES ('/pq/locked', 'x')")
	mustExec(t, db, "UPDATE acls SET perms = 'cdwa' WHERE path = '/pq/locked'")

	lists := []string{
		"*", "data, version", "path", "name, parent", "data AS d, version AS v, mode, ttl",
		"ctime, mtime, czxid, mzxid, pzxid", "cversion, aversion, ephemeral_owner, data_length, num_children",
		"path, path, data",
	}
	args := []any{"/", "/pq", "/pq/empty", "/pq/nil", "/pq/eph", "/pq/missing", "/pq/locked",
		"pq", "/pq/", "", []byte("/pq"), 7, nil}
	for _, list := range lists {
		for _, arg := range args {
			fast := fmt.Sprintf("SELECT %s FROM znodes WHERE path = ?", list)
			slow := fast + " AND 1 = 1"
			want, wantErr := renderTyped(ctx, db, slow, arg)
			got, gotErr := renderTyped(ctx, db, fast, arg)
			// Errors quote the statement, which differs.
			if strings.ReplaceAll(fmt.Sprint(wantErr), slow, fast) != fmt.Sprint(gotErr) || !reflect.DeepEqual(got, want) {
				t.Errorf("%s [%v]:\n got %v, %v\nwant %v, %v", fast, arg, got, gotErr, want, wantErr)
			}
		}
		// The same with the path written into the statement.
		fast := fmt.Sprintf("SELECT %s FROM znodes WHERE path = '/pq'", list)
		want, wantErr := renderTyped(ctx, db, fast+" AND 1 = 1")
		got, gotErr := renderTyped(ctx, db, fast)
		if wantErr != nil || gotErr != nil || !reflect.DeepEqual(got, want) || !strings.HasPrefix(got[len(got)-1], "[]interface {}{") {
			t.Errorf("%s:\n got %v, %v\nwant %v, %v", fast, got, gotErr, want, wantErr)
		}
	}
}

// renderTyped runs q and returns its column names and types, then its rows,
// every value with its Go type.
func renderTyped(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ct := range types {
		n, nok := ct.Nullable()
		l, lok := ct.Length()
		out = append(out, fmt.Sprintf("%s %s %v %v/%v %d/%v", ct.Name(), ct.DatabaseTypeName(), ct.ScanType(), n, nok, l, lok))
	}
	for rows.Next() {
		vals, err := scanValues(rows, len(types))
		if err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%#v", vals))
	}
	return out, rows.Err()
}

func TestPointQueryMatchesPlanner(t *testing.T) {
	checkPointQueryMatchesPlanner(t, openDB(t, "mem:"))
}

func TestPointQueryMatchesPlannerLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live ZooKeeper test skipped in -short mode")
	}
	root := openDB(t, "zk://"+zkserver.SharedAddr(t))
	chroot := fmt.Sprintf("/pqlive-%d", time.Now().UnixNano()) // a fresh one per run (-count)
	mustExec(t, root, "INSERT INTO znodes (path) VALUES (?)", chroot)
	checkPointQueryMatchesPlanner(t, openDB(t, "zk://"+zkserver.SharedAddr(t)+chroot))
}

// TestPointListPipelinedLive: an IN list is read with the reads sent
// ahead (livestore); rows come back in path order, missing paths skipped,
// and max_scan still bounds how many are read.
func TestPointListPipelinedLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live ZooKeeper test skipped in -short mode")
	}
	addr := zkserver.SharedAddr(t)
	root := openDB(t, "zk://"+addr)
	chroot := fmt.Sprintf("/pipe-%d", time.Now().UnixNano()) // a fresh one per run (-count)
	mustExec(t, root, "INSERT INTO znodes (path) VALUES (?)", chroot)
	dbs := map[string]*sql.DB{"mem": openDB(t, "mem:"), "live": openDB(t, "zk://"+addr+chroot)}
	var in []string
	var args []any
	results := map[string][]string{}
	for name, db := range dbs {
		mustExec(t, db, "INSERT INTO znodes (path) VALUES ('/p')")
		for i := range 150 {
			if i%3 != 0 {
				mustExec(t, db, "INSERT INTO znodes (path, data) VALUES (?, ?)", fmt.Sprintf("/p/%03d", i), fmt.Sprint(i))
			}
		}
		in, args = nil, nil
		for i := 149; i >= 0; i-- { // out of order, with duplicates
			in = append(in, "?", "?")
			args = append(args, fmt.Sprintf("/p/%03d", i), fmt.Sprintf("/p/%03d", i))
		}
		q := "SELECT path, data, version FROM znodes WHERE path IN (" + strings.Join(in, ", ") + ")"
		results[name] = queryRows(t, db, q, args...)
	}
	if len(results["live"]) != 100 || !reflect.DeepEqual(results["live"], results["mem"]) {
		t.Fatalf("live %d rows %q\nmem %d rows %q", len(results["live"]), results["live"], len(results["mem"]), results["mem"])
	}
	if results["live"][0] != "/p/001|1|0" || results["live"][99] != "/p/149|149|0" {
		t.Fatalf("first and last rows %q, %q", results["live"][0], results["live"][99])
	}
	limited := openDB(t, "zk://"+addr+chroot+"?max_scan=10")
	q := "SELECT path, data FROM znodes WHERE path IN (" + strings.Join(in, ", ") + ")"
	if _, err := tryQuery(limited, q, args...); err == nil || !strings.Contains(err.Error(), "max_scan") {
		t.Fatalf("max_scan=10 over 150 paths: %v", err)
	}
}
