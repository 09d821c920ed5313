package faults_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/zkstore"
)

// writerLog is what one writer was told, to be compared with what the
// ensemble holds afterwards.
type writerLog struct {
	// pairs[i]: a two-row INSERT (/wW/pI-a, /wW/pI-b), one multi;
	// acked when it returned no error.
	pairs map[int]bool
	// lastAck is the value of /wW/c last acknowledged (initially "c0");
	// pending the values of failed UPDATEs sent after it, any of which
	// may have been applied.
	lastAck string
	pending []string
	// seqAcked are the LastInsertIds of acknowledged sequential INSERTs;
	// seqFailed counts the failed ones.
	seqAcked  []int64
	seqFailed int
	// acks are the times of acknowledged writes, for the failover gap.
	acks []time.Time
}

// Leader killed under load: 8 writers INSERT (two rows per multi, and
// protected sequential znodes) and UPDATE through database/sql while the
// ensemble's leader is killed and later restarted. Afterwards every
// acknowledged write is present with its acknowledged value, every failed
// one is all there or not at all, and the session - failover being quicker
// than its timeout - is the same, its ephemeral still there.
//
// CI: 6 s, kill at 2 s, restart at 4 s. -zksql.long: 20 s, 5 s, 10 s.
func TestLeaderKilledUnderLoad(t *testing.T) {
	const writers = 8
	total, killAt, restartAt := 6*time.Second, 2*time.Second, 4*time.Second
	if long() {
		total, killAt, restartAt = 20*time.Second, 5*time.Second, 10*time.Second
	}
	const sessionTimeout = 8 * time.Second
	ens := ensemble(t)
	r := rawConn(t, ens.Addrs()...)
	root := newRoot(t, r)
	db := openDB(t, dsn(ens.Addrs(), root, fmt.Sprintf("session_timeout=%v&protect_sequential=true", sessionTimeout)))
	db.SetMaxOpenConns(writers)
	db.SetMaxIdleConns(writers)
	mustExec(t, db, "INSERT INTO znodes (path, data, mode) VALUES ('/eph', 'alive', 'ephemeral')")
	sid := sessionID(t, db)
	logs := make([]*writerLog, writers)
	for w := range writers {
		mustExec(t, db, "INSERT INTO znodes (path) VALUES (?)", fmt.Sprintf("/w%d", w))
		mustExec(t, db, "INSERT INTO znodes (path, data) VALUES (?, 'c0')", fmt.Sprintf("/w%d/c", w))
		logs[w] = &writerLog{pairs: map[int]bool{}, lastAck: "c0"}
	}

	errs := newTally()
	stop := make(chan struct{})
	start := time.Now()
	var wg sync.WaitGroup
	var dupes sync.Map // statements that failed with ErrNodeExists: a re-sent create
	for w := range writers {
		wg.Go(func() {
			l := logs[w]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
				var err error
				var res sql.Result
				switch i % 3 {
				case 0:
					_, err = db.ExecContext(ctx, "INSERT INTO znodes (path, data) VALUES (?, ?), (?, ?)",
						fmt.Sprintf("/w%d/p%d-a", w, i), fmt.Sprintf("a%d", i), fmt.Sprintf("/w%d/p%d-b", w, i), fmt.Sprintf("b%d", i))
					l.pairs[i] = err == nil
					if errors.Is(err, zkstore.ErrNodeExists) {
						dupes.Store(fmt.Sprintf("w%d/p%d", w, i), err.Error())
					}
				case 1:
					v := fmt.Sprintf("u%d", i)
					_, err = db.ExecContext(ctx, "UPDATE znodes SET data = ? WHERE path = ?", v, fmt.Sprintf("/w%d/c", w))
					if err == nil {
						l.lastAck, l.pending = v, nil
					} else {
						l.pending = append(l.pending, v)
					}
				case 2:
					res, err = db.ExecContext(ctx, "INSERT INTO znodes (path, mode) VALUES (?, 'persistent_sequential')", fmt.Sprintf("/w%d/s-", w))
					if err == nil {
						id, _ := res.LastInsertId()
						l.seqAcked = append(l.seqAcked, id)
					} else {
						l.seqFailed++
					}
				}
				cancel()
				if errs.add(err) == "ok" {
					l.acks = append(l.acks, time.Now())
				} else {
					time.Sleep(20 * time.Millisecond) // no hot loop while the ensemble elects
				}
			}
		})
	}

	// The fault: kill the leader, later restart it.
	time.Sleep(killAt - time.Since(start))
	ctx := ctxT(t, 2*time.Minute)
	leader, err := ens.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	if err := ens.Kill(leader); err != nil {
		t.Fatal(err)
	}
	newLeader, err := ens.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	elected := time.Since(killed)
	time.Sleep(restartAt - time.Since(start))
	restartBegan := time.Now()
	if err := ens.Restart(ctx, leader); err != nil {
		t.Fatal(err)
	}
	restartTook := time.Since(restartBegan)
	time.Sleep(total - time.Since(start))
	close(stop)
	wg.Wait()

	// Failover as the writers saw it: from each writer's last ack before
	// the kill to its first one after.
	var gaps []time.Duration
	for _, l := range logs {
		i, _ := slices.BinarySearchFunc(l.acks, killed, func(a, b time.Time) int { return a.Compare(b) })
		if i == 0 || i == len(l.acks) {
			t.Errorf("a writer has no ack before or after the kill (%d acks)", len(l.acks))
			continue
		}
		gaps = append(gaps, l.acks[i].Sub(l.acks[i-1]))
	}
	slices.Sort(gaps)

	// What the ensemble holds, read by an independent client after sync.
	r.sync(t, root)
	var acked, found, failed, failedPresent int
	var seqAcked, seqFound, seqFailed, seqExtra int
	for w, l := range logs {
		dir := fmt.Sprintf("%s/w%d", root, w)
		names := r.children(t, dir)
		have := map[string]bool{}
		for _, n := range names {
			have[n] = true
		}
		for i, ok := range l.pairs {
			a, b := fmt.Sprintf("p%d-a", i), fmt.Sprintf("p%d-b", i)
			if have[a] != have[b] {
				t.Errorf("w%d: multi %d half applied: %s=%v %s=%v", w, i, a, have[a], b, have[b])
			}
			if have[a] {
				if da, _, _ := r.get(t, dir+"/"+a); da != fmt.Sprintf("a%d", i) {
					t.Errorf("w%d: %s holds %q", w, a, da)
				}
			}
			if ok {
				acked++
				if have[a] && have[b] {
					found++
				} else {
					t.Errorf("w%d: acknowledged INSERT %d lost", w, i)
				}
			} else {
				failed++
				if have[a] {
					failedPresent++
				}
			}
		}
		c, _, _ := r.get(t, dir+"/c")
		if c != l.lastAck && !slices.Contains(l.pending, c) {
			t.Errorf("w%d: /c holds %q; last acknowledged %q, unacknowledged after it %v", w, c, l.lastAck, l.pending)
		}
		var seqs []int64
		for _, n := range names {
			if i := strings.Index(n, "s-"); i >= 0 {
				if v, ok := zkstore.ParseSequence(n); ok {
					seqs = append(seqs, int64(v))
				}
			}
		}
		for _, id := range l.seqAcked {
			if slices.Contains(seqs, id) {
				seqFound++
			} else {
				t.Errorf("w%d: acknowledged sequential znode %d lost (have %v)", w, id, seqs)
			}
		}
		seqAcked += len(l.seqAcked)
		seqFailed += l.seqFailed
		seqExtra += len(seqs) - len(l.seqAcked)
		if len(seqs)-len(l.seqAcked) > l.seqFailed {
			t.Errorf("w%d: %d sequential znodes, %d acknowledged, only %d failed", w, len(seqs), len(l.seqAcked), l.seqFailed)
		}
	}
	dupes.Range(func(k, v any) bool {
		t.Errorf("INSERT %v failed with ErrNodeExists, a sign it was sent twice: %v", k, v)
		return true
	})

	_, st, ephOK := r.get(t, root+"/eph")
	now := sessionID(t, db)
	t.Logf("leader killed under load: %d writers, %v (kill member %d at %v, restart at %v)", writers, total, leader, killAt, restartAt)
	t.Logf("  new leader member %d elected %v after the kill; restart took %v", newLeader, elected.Round(time.Millisecond), restartTook.Round(time.Millisecond))
	if len(gaps) > 0 {
		t.Logf("  failover seen by writers (last ack before kill -> first after): min %v, median %v, max %v",
			gaps[0].Round(time.Millisecond), gaps[len(gaps)/2].Round(time.Millisecond), gaps[len(gaps)-1].Round(time.Millisecond))
	}
	t.Logf("  statements: %s%s", errs, errs.examples())
	t.Logf("  two-row INSERTs: acknowledged %d, found %d; failed %d, of which applied %d, half-applied 0 checked", acked, found, failed, failedPresent)
	t.Logf("  protected sequential INSERTs: acknowledged %d, found %d; failed %d, znodes from failed ones %d", seqAcked, seqFound, seqFailed, seqExtra)
	t.Logf("  session %#x before, %#x after; ephemeral present=%v", sid, now, ephOK)
	if errs.get("ErrBadConn") > 0 {
		t.Errorf("%d statements returned ErrBadConn", errs.get("ErrBadConn"))
	}
	if len(gaps) > 0 && gaps[len(gaps)-1] < sessionTimeout {
		if now != sid {
			t.Errorf("failover took at most %v < session timeout %v, yet the session changed", gaps[len(gaps)-1], sessionTimeout)
		}
		if !ephOK || st.EphemeralOwner != sid {
			t.Errorf("failover took at most %v < session timeout %v, yet the ephemeral is gone (present=%v)", gaps[len(gaps)-1], sessionTimeout, ephOK)
		}
	}
}
