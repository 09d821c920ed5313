package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
)

var txDiffSeeds = flag.Int("zksql.txdiff.seeds", 0, "sequences the transaction differential test runs (0: 300 on mem:, 15 live)")

// The transaction differential test: a random sequence of INSERT, UPDATE,
// DELETE and SELECT over every access path (point, IN, parent, LIKE
// prefix, full walk, COUNT, ORDER BY … LIMIT) run inside one transaction
// must return, statement by statement, exactly what the same sequence
// returns run outside a transaction on a copy of the tree, and after
// Commit the two trees must be equal.
//
// Left out, because they differ by design: sequential creates (their
// names are ZooKeeper's to choose at commit, so the transaction cannot
// see them), the zxid and time columns (NULL for the transaction's own
// writes until commit), ephemeral_owner (two sessions), and writes that
// the znode's ACL refuses (a transaction does not read ACLs, so ZooKeeper
// refuses them at commit).

// txDiffPaths are the paths statements name: a small tree, so statements
// collide.
var txDiffPaths = []string{"/p", "/p/a", "/p/b", "/p/c", "/p/a/x", "/p/a/y", "/q", "/q/z"}

// txDiffCols are the columns compared.
const txDiffCols = "path, data, version, cversion, num_children, data_length"

func txDiffStatement(r *rand.Rand) (string, []any) {
	p := func() string { return txDiffPaths[r.IntN(len(txDiffPaths))] }
	val := func() string { return []string{"", "x", "y", "zz"}[r.IntN(4)] }
	prefix := func() string { return []string{"/p/", "/p/a/", "/q", "/"}[r.IntN(4)] }
	switch r.IntN(18) {
	case 0, 1:
		return "INSERT INTO znodes (path, data) VALUES (?, ?)", []any{p(), val()}
	case 2:
		return "INSERT INTO znodes (path, data) VALUES (?, ?), (?, ?)", []any{p(), val(), p(), val()}
	case 3:
		return "INSERT INTO znodes (path, data) VALUES (?, ?) ON DUPLICATE KEY UPDATE data = CONCAT(data, '+')", []any{p(), val()}
	case 4:
		return "UPDATE znodes SET data = ? WHERE path = ?", []any{val(), p()}
	case 5:
		return "UPDATE znodes SET data = ? WHERE path = ? AND version = ?", []any{val(), p(), r.IntN(3)}
	case 6:
		// Not "/": /zookeeper/config's ACL refuses writes, which a
		// transaction learns only at commit (it does not read ACLs).
		return "UPDATE znodes SET data = CONCAT(data, ?) WHERE path LIKE ?", []any{val(), []string{"/p/", "/p/a/", "/q"}[r.IntN(3)] + "%"}
	case 7:
		return "DELETE FROM znodes WHERE path = ?", []any{p()}
	case 8:
		return "DELETE FROM znodes WHERE path LIKE ?", []any{[]string{"/p/a/%", "/q/%", "/p/c%"}[r.IntN(3)]}
	case 9:
		return "SELECT " + txDiffCols + " FROM znodes WHERE path = ?", []any{p()}
	case 10:
		return "SELECT " + txDiffCols + " FROM znodes WHERE path IN (?, ?, ?)", []any{p(), p(), p()}
	case 11:
		return "SELECT " + txDiffCols + " FROM znodes WHERE parent = ?", []any{p()}
	case 12:
		return "SELECT " + txDiffCols + " FROM znodes WHERE path LIKE ?", []any{prefix() + "%"}
	case 13:
		return "SELECT " + txDiffCols + " FROM znodes WHERE data = ?", []any{val()}
	case 14:
		return "SELECT COUNT(*) FROM znodes WHERE parent = ?", []any{p()}
	case 15:
		return "SELECT path, data FROM znodes WHERE path LIKE ? ORDER BY path DESC LIMIT 2", []any{prefix() + "%"}
	case 16:
		return "SELECT " + txDiffCols + " FROM znodes WHERE path = ? OR path LIKE ?", []any{p(), prefix() + "%"}
	default:
		return "SELECT name, version FROM znodes WHERE parent = ? ORDER BY name LIMIT 1", []any{p()}
	}
}

// txDiffOutcome renders what a statement returned: its rows, its
// RowsAffected, or the class of its error.
func txDiffOutcome(db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, args []any) string {
	if strings.HasPrefix(q, "SELECT") {
		rows, err := tryQuery(db, q, args...)
		if err != nil {
			return errClass(err)
		}
		return "rows " + strings.Join(rows, ", ")
	}
	res, err := db.ExecContext(context.Background(), q, args...)
	if err != nil {
		return errClass(err)
	}
	n, _ := res.RowsAffected()
	return fmt.Sprintf("affected %d", n)
}

func errClass(err error) string {
	for _, e := range []error{zkstore.ErrNodeExists, zkstore.ErrNoNode, zkstore.ErrNotEmpty, zkstore.ErrBadVersion, zkstore.ErrNoChildrenForEphemerals} {
		if errors.Is(err, e) {
			return "error " + e.Error()
		}
	}
	return "error " + err.Error()
}

// runTxDiff runs seeds sequences; fresh gives two databases holding the
// same tree.
func runTxDiff(t *testing.T, seeds int, fresh func(t *testing.T, seed int) (inTx, outside *sql.DB)) {
	const statements = 14
	for seed := range seeds {
		inTx, outside := fresh(t, seed)
		r := rand.New(rand.NewPCG(uint64(seed), 12))
		tx, err := inTx.Begin()
		if err != nil {
			t.Fatal(err)
		}
		var log []string
		for i := range statements {
			q, args := txDiffStatement(r)
			got, want := txDiffOutcome(tx, q, args), txDiffOutcome(outside, q, args)
			log = append(log, fmt.Sprintf("%s %v -> %s", q, args, want))
			if got != want {
				tx.Rollback()
				t.Fatalf("seed %d, statement %d differs in a transaction:\n%s\n  in the transaction: %s\n  outside:            %s", seed, i, strings.Join(log, "\n"), got, want)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatalf("seed %d: commit: %v\n%s", seed, err, strings.Join(log, "\n"))
		}
		const all = "SELECT " + txDiffCols + " FROM znodes WHERE path LIKE '/%'"
		if got, want := queryRows(t, inTx, all), queryRows(t, outside, all); !slices.Equal(got, want) {
			t.Fatalf("seed %d: trees differ after commit\n%s\n  committed: %q\n  outside:   %q", seed, strings.Join(log, "\n"), got, want)
		}
	}
}

const txDiffSetup = "INSERT INTO znodes (path, data) VALUES ('/p', ''), ('/p/a', 'x'), ('/p/a/x', 'y'), ('/p/b', '')"

func TestTxDifferentialMem(t *testing.T) {
	seeds := *txDiffSeeds
	if seeds == 0 {
		seeds = 300
	}
	runTxDiff(t, seeds, func(t *testing.T, seed int) (*sql.DB, *sql.DB) {
		a, b := openDB(t, "mem:"), openDB(t, "mem:")
		mustExec(t, a, txDiffSetup)
		mustExec(t, b, txDiffSetup)
		return a, b
	})
}

func TestTxDifferentialLive(t *testing.T) {
	if testing.Short() {
		t.Skip("live ZooKeeper test skipped in -short mode")
	}
	seeds := *txDiffSeeds
	if seeds == 0 {
		seeds = 15
	}
	addr := zkserver.SharedAddr(t)
	root := openDB(t, "zk://"+addr)
	base := fmt.Sprintf("/txdiff-%d", time.Now().UnixNano())
	mustExec(t, root, "INSERT INTO znodes (path) VALUES (?)", base)
	runTxDiff(t, seeds, func(t *testing.T, seed int) (*sql.DB, *sql.DB) {
		var dbs [2]*sql.DB
		for i := range dbs {
			chroot := fmt.Sprintf("%s/%d-%d", base, seed, i)
			mustExec(t, root, "INSERT INTO znodes (path) VALUES (?)", chroot)
			dbs[i] = openDB(t, "zk://"+addr+chroot)
			mustExec(t, dbs[i], txDiffSetup)
		}
		return dbs[0], dbs[1]
	})
}
