package faults_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
)

// Server restart with data kept: every member of the ensemble is killed
// (SIGKILL, as a power cut) after a batch of acknowledged writes, then the
// ensemble restarts from its data directories. Every acknowledged write is
// there with its acknowledged value, read by a fresh independent client.
func TestRestartKeepsAcknowledged(t *testing.T) {
	ens := ensemble(t)
	r := rawConn(t, ens.Addrs()...)
	root := newRoot(t, r)
	db := openDB(t, dsn(ens.Addrs(), root, "session_timeout=4s&create_parents=true"))
	const n = 300
	acked := map[string]string{}
	for i := 0; i < n; i += 10 {
		q := "INSERT INTO znodes (path, data) VALUES "
		var args []any
		for j := i; j < i+10; j++ {
			if j > i {
				q += ", "
			}
			q += "(?, ?)"
			args = append(args, fmt.Sprintf("/d%d/n%d", j%7, j), fmt.Sprintf("v%d", j))
		}
		mustExec(t, db, q, args...)
		for j := i; j < i+10; j++ {
			acked[fmt.Sprintf("/d%d/n%d", j%7, j)] = fmt.Sprintf("v%d", j)
		}
	}
	updates := 0
	for i := 0; i < n; i += 3 {
		updates++
		p := fmt.Sprintf("/d%d/n%d", i%7, i)
		mustExec(t, db, "UPDATE znodes SET data = ? WHERE path = ?", "u"+acked[p], p)
		acked[p] = "u" + acked[p]
	}
	for i := range ens.Servers() {
		if err := ens.Kill(i); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Now()
	heal(t, ens)
	took := time.Since(t0)

	fresh := rawConn(t, ens.Addrs()...)
	fresh.sync(t, root)
	found, wrong := 0, 0
	for p, want := range acked {
		got, _, ok := fresh.get(t, root+p)
		switch {
		case !ok:
			t.Errorf("%s lost", p)
		case got != want:
			wrong++
			t.Errorf("%s holds %q, acknowledged %q", p, got, want)
		default:
			found++
		}
	}
	// The driver's own session rides out the restart or gets a new one;
	// either way it reads the same.
	settle(t, db)
	var count int
	if err := db.QueryRowContext(ctxT(t, 10*time.Second), "SELECT COUNT(*) FROM znodes WHERE path LIKE '/d%/n%'").Scan(&count); err != nil {
		t.Fatal(err)
	}
	t.Logf("ensemble killed (3 of 3, SIGKILL) and restarted in %v: %d rows created and %d updated, acknowledged (%d znodes), %d found with the acknowledged value, %d wrong; the driver counts %d", took.Round(time.Millisecond), n, updates, len(acked), found, wrong, count)
	if count != len(acked) {
		t.Errorf("the driver counts %d znodes, want %d", count, len(acked))
	}
}

// The in-memory store loses nothing while the process lives: a named
// server outlives the sql.DBs on it and the expiry of their sessions.
func TestMemServerKeepsAcknowledged(t *testing.T) {
	name := "faults-" + randHex(4)
	defer driver.DropMemServer(name)
	db1 := openDB(t, "mem:"+name)
	const n = 500
	for i := range n {
		mustExec(t, db1, "INSERT INTO znodes (path, data) VALUES (?, ?)", fmt.Sprintf("/m%d", i), fmt.Sprintf("v%d", i))
	}
	if err := driver.MemServer(name).Expire(sessionID(t, db1)); err != nil {
		t.Fatal(err)
	}
	db1.Close()
	db2 := openDB(t, "mem:"+name)
	rows, err := db2.QueryContext(context.Background(), "SELECT path, data FROM znodes WHERE path LIKE '/m%'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var p, d string
		if err := rows.Scan(&p, &d); err != nil {
			t.Fatal(err)
		}
		if d != "v"+p[2:] {
			t.Errorf("%s holds %q", p, d)
		}
		found++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("mem:NAME: %d acknowledged, %d found after the writer's session expired and its sql.DB closed", n, found)
	if found != n {
		t.Errorf("found %d of %d", found, n)
	}
}
