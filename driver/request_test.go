package driver_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/driver"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

// Issue 11: a DELETE of a subtree of 12,001 znodes succeeded on mem: and
// failed on a live server with "connection lost, outcome unknown": its
// multi was larger than the server's jute.maxbuffer. Both stores now
// refuse it before sending, naming the size and the limit, and leave the
// tree as it was; with max_request raised to the live server's
// jute.maxbuffer (the harness runs 2 MiB) both delete it.
func TestLargeDeleteRefusedAlike(t *testing.T) {
	const kids = 12000
	name := "bigdelete-" + t.Name()
	t.Cleanup(func() { driver.DropMemServer(name) })
	dsns := map[string]string{"mem": "mem:" + name}
	if !testing.Short() {
		addr := zkserver.SharedAddr(t)
		chroot := fmt.Sprintf("/bigdelete-%d", time.Now().UnixNano())
		mustExec(t, openDB(t, "zk://"+addr), "INSERT INTO znodes (path) VALUES (?)", chroot)
		dsns["live"] = "zk://" + addr + chroot
	}
	errs := map[string]string{}
	for store, dsn := range dsns {
		t.Run(store, func(t *testing.T) {
			db := openDB(t, dsn)
			mustExec(t, db, "INSERT INTO znodes (path) VALUES ('/tree')")
			// Paths of 87 bytes: 12,001 deletes of about 104 bytes each, 1.2 MB.
			const batch = 1000
			for i := 0; i < kids; i += batch {
				var q strings.Builder
				q.WriteString("INSERT INTO znodes (path) VALUES ")
				for j := i; j < i+batch; j++ {
					if j > i {
						q.WriteString(", ")
					}
					fmt.Fprintf(&q, "('/tree/node-with-a-name-long-enough-to-matter-in-a-request-of-twelve-thousand-%05d')", j)
				}
				mustExec(t, db, q.String())
			}
			const del = "DELETE FROM znodes WHERE path = '/tree' OR path LIKE '/tree/%'"
			_, err := db.Exec(del)
			if !errors.Is(err, zkstore.ErrRequestTooLarge) {
				t.Fatalf("%s: %v, want ErrRequestTooLarge", del, err)
			}
			msg := err.Error()
			for _, w := range []string{"bytes, the limit is 1048575", "nothing was sent", "max_request=1048575", "raise jute.maxbuffer"} {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not say %q", msg, w)
				}
			}
			t.Logf("%s: %s", store, msg)
			errs[store] = msg
			if got := queryRows(t, db, "SELECT COUNT(*) FROM znodes WHERE parent = '/tree'"); got[0] != fmt.Sprint(kids) {
				t.Fatalf("after the refused DELETE %v children, want %d", got, kids)
			}
			// The session is fine, and with the limit raised to the
			// server's jute.maxbuffer the DELETE goes through.
			big := openDB(t, dsn+"?max_request="+fmt.Sprint(zkserver.JuteMaxBuffer))
			res, err := big.Exec(del)
			if err != nil {
				t.Fatalf("with max_request=%d: %v", zkserver.JuteMaxBuffer, err)
			}
			if n, _ := res.RowsAffected(); n != kids+1 {
				t.Errorf("%d rows deleted, want %d", n, kids+1)
			}
		})
	}
	// The same failure reads the same on both stores, up to the
	// statement's size, which under a chroot counts the chroot's bytes.
	if len(errs) == 2 {
		strip := func(s string) string {
			_, rest, _ := strings.Cut(s, " bytes,")
			return rest
		}
		if strip(errs["mem"]) != strip(errs["live"]) {
			t.Errorf("messages differ:\nmem:  %s\nlive: %s", errs["mem"], errs["live"])
		}
	}
}
