package storetest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/zkstore"
)

var (
	diffOps   = flag.Int("zksql.diff.ops", 500, "operations per seed in the differential test")
	diffSeeds = flag.Int("zksql.diff.seeds", 4, "number of seeds in the differential test")
	diffSeed  = flag.Uint64("zksql.diff.seed", 0, "run the differential test with this one seed only")
)

// DiffOptions configures RunDifferential. Zero values take the flags'
// values: -zksql.diff.ops (per seed), -zksql.diff.seeds, -zksql.diff.seed.
type DiffOptions struct {
	Seeds []uint64 // the seeds to run; default 1..-zksql.diff.seeds, or -zksql.diff.seed
	Ops   int      // operations per seed
	// Sessions is the number of sessions the program spreads its calls
	// over (default 3).
	Sessions int
	// ZxidRank compares zxids by rank order instead of as exact offsets
	// from the base znode's Czxid: for a server with unrelated writers.
	ZxidRank bool
	// ShrinkBudget bounds the time spent shrinking a failing program
	// (default 2 minutes).
	ShrinkBudget time.Duration
}

func (o DiffOptions) withDefaults() DiffOptions {
	if len(o.Seeds) == 0 {
		if *diffSeed != 0 {
			o.Seeds = []uint64{*diffSeed}
		} else {
			for i := range *diffSeeds {
				o.Seeds = append(o.Seeds, uint64(i+1))
			}
		}
	}
	if o.Ops <= 0 {
		o.Ops = *diffOps
	}
	if o.Sessions <= 0 {
		o.Sessions = 3
	}
	if o.ShrinkBudget <= 0 {
		o.ShrinkBudget = 2 * time.Minute
	}
	return o
}

// RunDifferential applies the same seeded random programs to two clusters
// and compares every result: data, names, ACLs, errors (by which zkstore
// error they match) and whole Stats, with zxids as offsets from the
// program's base znode (so zxid accounting must agree exactly, failed
// writes and sessions included), times as relations (Ctime == Mtime) and
// ephemeral owners as session numbers. On a divergence it prints the seed,
// shrinks the program (shortest failing prefix, then without single
// operations) and prints the shrunk program.
func RunDifferential(t *testing.T, a, b Cluster, opts DiffOptions) {
	opts = opts.withDefaults()
	if la, lb := requestLimit(a), requestLimit(b); la != lb {
		t.Fatalf("the clusters' request limits differ: %d and %d", la, lb)
	}
	for _, seed := range opts.Seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			prog := genProgram(seed, opts.Ops, opts.Sessions)
			var tally map[string]int
			d := runBoth(t, a, b, prog, opts, func(op diffOp, o outcome) {
				if tally == nil {
					tally = map[string]int{}
				}
				k := op.Kind + ":ok"
				if o.Err != "" {
					k = op.Kind + ":" + o.Err
				}
				tally[k]++
			})
			if d == nil {
				keys := slices.Sorted(maps.Keys(tally))
				var parts []string
				for _, k := range keys {
					parts = append(parts, fmt.Sprintf("%s=%d", k, tally[k]))
				}
				t.Logf("seed %d: %d operations agree; outcomes: %s", seed, len(prog), strings.Join(parts, " "))
				return
			}
			t.Errorf("seed %d: the stores diverge at operation %d of %d: %s\n%s", seed, d.step, len(prog), prog[d.step], d.diff)
			short := shrink(t, a, b, prog[:d.step+1], opts)
			var sb strings.Builder
			for i, op := range short {
				fmt.Fprintf(&sb, "  %3d  %s\n", i, op)
			}
			sd := runBoth(t, a, b, short, opts)
			detail := "(the shrunk program no longer diverges: flaky?)"
			if sd != nil {
				detail = fmt.Sprintf("diverges at operation %d:\n%s", sd.step, sd.diff)
			}
			t.Errorf("seed %d: shrunk to %d operations (rerun with -zksql.diff.seed=%d -zksql.diff.ops=%d):\n%s%s", seed, len(short), seed, d.step+1, sb.String(), detail)
		})
	}
}

// ---- programs ----

// diffOp is one operation of a program. Programs are generated without
// looking at results, so the same program runs on both stores and any of
// its operations can be dropped while shrinking.
type diffOp struct {
	Kind    string // create get set delete exists children getacl setacl multi bigmulti check auth reopen sync
	Session int
	Path    string // relative to the program's base
	Data    []byte
	Mode    zkstore.CreateMode
	ACL     int // index into aclChoices
	Version int32
	Sub     []diffOp // a multi's operations
	// Pad is a bigmulti's size relative to the request limit: its request
	// is limit+Pad bytes.
	Pad int
}

func (o diffOp) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "s%d %s", o.Session, o.Kind)
	if o.Kind == "multi" {
		var subs []string
		for _, s := range o.Sub {
			subs = append(subs, strings.TrimPrefix(s.String(), fmt.Sprintf("s%d ", s.Session)))
		}
		fmt.Fprintf(&b, " [%s]", strings.Join(subs, "; "))
		return b.String()
	}
	if o.Kind == "bigmulti" {
		fmt.Fprintf(&b, " %q limit%+d", o.Path, o.Pad)
		return b.String()
	}
	if o.Path != "" || o.Kind != "auth" && o.Kind != "reopen" {
		fmt.Fprintf(&b, " %q", o.Path)
	}
	switch o.Kind {
	case "create":
		fmt.Fprintf(&b, " %s data=%q acl=%s", o.Mode, o.Data, aclChoices[o.ACL].name)
	case "set":
		fmt.Fprintf(&b, " data=%q version=%d", o.Data, o.Version)
	case "delete", "check":
		fmt.Fprintf(&b, " version=%d", o.Version)
	case "setacl":
		fmt.Fprintf(&b, " acl=%s version=%d", aclChoices[o.ACL].name, o.Version)
	}
	return b.String()
}

var aclChoices = []struct {
	name string
	acl  []zkstore.ACL
}{
	{"nil", nil},
	{"open", zkstore.OpenACLUnsafe()},
	{"read", zkstore.ReadACLUnsafe()},
	{"world-rwcd", zkstore.WorldACL(zkstore.PermAll &^ zkstore.PermAdmin)},
	{"digest-alice", append(zkstore.WorldACL(zkstore.PermRead), zkstore.DigestACL(zkstore.PermAll, "alice", "pw")...)},
	{"auth", zkstore.CreatorAllACL()},
	{"empty", []zkstore.ACL{}},
	{"bogus-scheme", []zkstore.ACL{{Perms: zkstore.PermAll, Scheme: "bogus", ID: "x"}}},
}

// Paths the programs use. Containers only ever go at "k..." leaves, which
// never get children, so no container is reaped while a program runs.
var (
	diffParents = []string{"", "a", "b", "a/a", "a/b", "b/a"}
	diffNames   = []string{"a", "b", "c", "s-0000000000", "s-0000000001", "s-0000000002", "s-0000000003", "s-0000000004"}
)

// generator makes programs. It keeps a guess of which znodes exist (what
// it has created and not deleted, ignoring failures) so that most
// operations hit something; the guess never looks at real results, so a
// program is the same on every store.
type generator struct {
	r        *rand.Rand
	sessions int
	guess    map[string]bool // path → may have children (not ephemeral, not a container)
}

func (g *generator) guessed() []string {
	return slices.Sorted(maps.Keys(g.guess))
}

// parent picks a parent for a new znode: mostly the base or a guessed
// persistent znode, sometimes any.
func (g *generator) parent() string {
	var ps []string
	for _, p := range g.guessed() {
		if g.guess[p] {
			ps = append(ps, p)
		}
	}
	switch n := g.r.IntN(10); {
	case n < 2 || len(ps) == 0 && n < 7:
		return ""
	case n < 9 && len(ps) > 0:
		return ps[g.r.IntN(len(ps))]
	}
	return diffParents[g.r.IntN(len(diffParents))]
}

func (g *generator) path(leafOK bool) string {
	r := g.r
	if gs := g.guessed(); len(gs) > 0 && r.IntN(10) < 6 {
		return gs[r.IntN(len(gs))]
	}
	parent := g.parent()
	var name string
	if leafOK && r.IntN(8) == 0 {
		name = "k"
	} else {
		name = diffNames[r.IntN(len(diffNames))]
	}
	if r.IntN(20) == 0 {
		parent = "zz/missing" // a parent that never exists
	}
	if parent == "" {
		return name
	}
	return parent + "/" + name
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "/" + name
}

func genData(r *rand.Rand) []byte {
	switch r.IntN(6) {
	case 0:
		return nil
	case 1:
		return []byte{}
	}
	b := make([]byte, r.IntN(12)+1)
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	if r.IntN(10) == 0 {
		b = append(b, 0, 0xff)
	}
	return b
}

func genVersion(r *rand.Rand) int32 {
	if r.IntN(5) < 2 {
		return -1
	}
	return int32(r.IntN(4))
}

func (g *generator) create(session int, inMulti bool) diffOp {
	r := g.r
	op := diffOp{Kind: "create", Session: session, Data: genData(r)}
	modes := []zkstore.CreateMode{zkstore.ModePersistent, zkstore.ModePersistent, zkstore.ModePersistent, zkstore.ModePersistent,
		zkstore.ModeEphemeral, zkstore.ModePersistentSequential, zkstore.ModeEphemeralSequential,
		zkstore.ModeContainer, zkstore.ModePersistentTTL, zkstore.ModePersistentSequentialTTL}
	op.Mode = modes[r.IntN(len(modes))]
	switch {
	case op.Mode.IsSequential():
		op.Path = join(g.parent(), "s-")
	case op.Mode == zkstore.ModeContainer:
		op.Path = join(g.parent(), "k")
	default:
		op.Path = join(g.parent(), diffNames[r.IntN(3)])
		if r.IntN(4) == 0 {
			op.Path = g.path(false)
		}
	}
	if r.IntN(5) == 0 {
		op.ACL = r.IntN(len(aclChoices))
	}
	// Nothing goes under a container ("k"): an emptied container is reaped
	// whenever the server's reaper runs, which two stores need not agree on.
	if strings.HasPrefix(op.Path, "k/") || strings.Contains(op.Path, "/k/") {
		op.Path = zkstore.Base("/" + op.Path)
	}
	parent := zkstore.Parent("/" + op.Path)[1:]
	if _, ok := g.guess[parent]; ok || parent == "" {
		name := op.Path
		if op.Mode.IsSequential() {
			name = join(parent, diffNames[3+r.IntN(5)]) // a guess at the name it gets
		}
		g.guess[name] = op.ACL == 0 && !op.Mode.IsEphemeral() && !op.Mode.IsContainer()
	}
	return op
}

func (g *generator) op(inMulti bool) diffOp {
	r := g.r
	s := r.IntN(g.sessions)
	n := r.IntN(100)
	if inMulti {
		n = r.IntN(60)
	}
	switch {
	case n < 24:
		return g.create(s, inMulti)
	case n < 38:
		return diffOp{Kind: "set", Session: s, Path: g.path(true), Data: genData(r), Version: genVersion(r)}
	case n < 48:
		p := g.path(true)
		if r.IntN(2) == 0 {
			delete(g.guess, p)
		}
		return diffOp{Kind: "delete", Session: s, Path: p, Version: genVersion(r)}
	case n < 60:
		return diffOp{Kind: "check", Session: s, Path: g.path(true), Version: genVersion(r)}
	case n < 68:
		return diffOp{Kind: "get", Session: s, Path: g.path(true)}
	case n < 73:
		return diffOp{Kind: "exists", Session: s, Path: g.path(true)}
	case n < 80:
		return diffOp{Kind: "children", Session: s, Path: g.parent()}
	case n < 83:
		return diffOp{Kind: "getacl", Session: s, Path: g.path(true)}
	case n < 87:
		return diffOp{Kind: "setacl", Session: s, Path: g.path(true), ACL: r.IntN(len(aclChoices)), Version: genVersion(r)}
	case n < 95:
		k := r.IntN(4) + 1
		if r.IntN(15) == 0 {
			k = 0
		}
		op := diffOp{Kind: "multi", Session: s}
		for range k {
			sub := g.op(true)
			sub.Session = s
			op.Sub = append(op.Sub, sub)
		}
		return op
	case n < 97:
		return diffOp{Kind: "auth", Session: s}
	case n < 99:
		return diffOp{Kind: "reopen", Session: s}
	default:
		return diffOp{Kind: "sync", Session: s, Path: ""}
	}
}

func genProgram(seed uint64, n, sessions int) []diffOp {
	g := &generator{r: rand.New(rand.NewPCG(seed, 0x5eed)), sessions: sessions, guess: map[string]bool{}}
	prog := make([]diffOp, 0, n+n/bigEvery)
	// The bigmultis come from a generator of their own, so the other
	// operations of a seed stay what they were.
	big := rand.New(rand.NewPCG(seed, 0xb16))
	for i := range n {
		prog = append(prog, g.op(false))
		if i%bigEvery == bigEvery/2 {
			pads := []int{-1, 0, 1, -1000, 1000}
			prog = append(prog, diffOp{Kind: "bigmulti", Session: big.IntN(sessions), Path: fmt.Sprintf("big%d", i), Pad: pads[big.IntN(len(pads))]})
		}
	}
	return prog
}

// bigEvery is how many operations come between two bigmultis: multis of
// creates padded to the request limit, a byte under or over it, or well
// under or over, which both stores must refuse (ErrRequestTooLarge, no
// zxid taken) or send alike (a failing check at the end: NoNode, one zxid).
const bigEvery = 50

// bigMulti is a bigmulti's operations: three creates whose data make the
// request limit+op.Pad bytes long.
func (d *diffStore) bigMulti(op diffOp) []zkstore.Op {
	p := d.abs(op.Path)
	ops := []zkstore.Op{
		&zkstore.CreateOp{Path: p + "-0"}, &zkstore.CreateOp{Path: p + "-1"}, &zkstore.CreateOp{Path: p + "-2"},
	}
	// The check fails, so the server reads the request and answers it
	// without writing megabytes to its log within the 2s session timeout.
	ops = append(ops, &zkstore.CheckOp{Path: p + "-none", Version: 0})
	pad := d.limit + op.Pad - zkstore.MultiRequestSize(ops)
	for i := range 3 {
		k := pad / 3
		if i == 0 {
			k += pad % 3
		}
		ops[i].(*zkstore.CreateOp).Data = bytes.Repeat([]byte{byte('a' + i)}, k)
	}
	return ops
}

// ---- running ----

// nstat is a Stat made comparable across stores.
type nstat struct {
	Czxid, Mzxid, Pzxid         int64  // offsets from the base's Czxid (or ranks)
	Times                       string // "created", "modified" or what is wrong
	Version, Cversion, Aversion int32
	Owner                       string // "", "session N" or the raw value
	DataLength, NumChildren     int32
	TimeOutOfWindow             bool
}

// outcome is what one operation returned, normalized.
type outcome struct {
	Err string
	// Msg is the error's text with the base path written $base: users
	// grep logs and tests compare messages, so the same failure must read
	// the same on every store.
	Msg    string
	Path   string
	Data   string
	Exists bool
	Stat   *nstat
	Names  []string
	ACL    string
	Multi  []outcome
	// Events are what the base's persistent watches received
	// (diffwatch.go).
	Events []string
}

// diffStore is one cluster running a program.
type diffStore struct {
	t        *testing.T
	c        Cluster
	sessions []zkstore.Store
	owners   map[int64]string
	nextSess int
	base     string
	z0       int64
	start    time.Time
	ctx      context.Context
	rank     bool
	seen     map[int64]int64 // zxid → rank, with rank
	limit    int             // the request limit
	watchers []*diffWatcher  // persistent watches on the base
}

func newDiffStore(t *testing.T, c Cluster, sessions int, rank bool) (*diffStore, error) {
	d := &diffStore{t: t, c: c, owners: map[int64]string{}, start: time.Now(), ctx: t.Context(), rank: rank, limit: requestLimit(c)}
	for range sessions {
		d.sessions = append(d.sessions, d.open())
	}
	d.openWatchers()
	d.base = "/storetest-diff-" + randHex(6)
	if _, err := d.sessions[0].Create(d.ctx, d.base, nil, zkstore.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("create base: %w", err)
	}
	if err := d.armWatchers(); err != nil {
		return nil, err
	}
	st, _, err := d.sessions[0].Exists(d.ctx, d.base)
	if err != nil {
		return nil, err
	}
	d.z0 = st.Czxid
	d.seen = map[int64]int64{d.z0: 0}
	return d, nil
}

func (d *diffStore) open() zkstore.Store {
	s := d.c.Open(d.t)
	d.owners[s.SessionID()] = fmt.Sprintf("session %d", d.nextSess)
	d.nextSess++
	return s
}

func (d *diffStore) close() {
	for _, s := range d.sessions {
		_ = s.Close()
	}
	d.closeWatchers()
}

func (d *diffStore) abs(rel string) string {
	if rel == "" {
		return d.base
	}
	return d.base + "/" + rel
}

func (d *diffStore) rel(p string) string {
	if p == d.base {
		return ""
	}
	if r, ok := strings.CutPrefix(p, d.base+"/"); ok {
		return r
	}
	return "!" + p
}

// zx normalizes a zxid: its offset from the base's Czxid, or with
// ZxidRank the order in which the program first saw it (0 the base), which
// two equivalent stores share even when unrelated writers add zxids.
func (d *diffStore) zx(z int64) int64 {
	if !d.rank {
		return z - d.z0
	}
	if z < d.z0 {
		return -1
	}
	r, ok := d.seen[z]
	if !ok {
		r = int64(len(d.seen))
		d.seen[z] = r
	}
	return r
}

func (d *diffStore) stat(st zkstore.Stat) *nstat {
	owner := ""
	if st.EphemeralOwner != 0 {
		var ok bool
		if owner, ok = d.owners[st.EphemeralOwner]; !ok {
			owner = fmt.Sprintf("%#x", st.EphemeralOwner)
		}
	}
	lo, hi := d.start.Add(-timeSlack).UnixMilli(), time.Now().Add(timeSlack).UnixMilli()
	return &nstat{
		Czxid: d.zx(st.Czxid), Mzxid: d.zx(st.Mzxid), Pzxid: d.zx(st.Pzxid),
		Times:   timeRelation(st),
		Version: st.Version, Cversion: st.Cversion, Aversion: st.Aversion,
		Owner: owner, DataLength: st.DataLength, NumChildren: st.NumChildren,
		TimeOutOfWindow: st.Ctime < lo || st.Ctime > hi || st.Mtime < lo || st.Mtime > hi,
	}
}

// timeRelation is what can be compared of a Stat's times across stores:
// Mtime == Ctime until the first data change, Mtime >= Ctime after it.
func timeRelation(st zkstore.Stat) string {
	switch {
	case st.Version == 0 && st.Mtime == st.Ctime:
		return "created"
	case st.Version > 0 && st.Mtime >= st.Ctime:
		return "modified"
	}
	return fmt.Sprintf("bad: version %d, ctime %d, mtime %d", st.Version, st.Ctime, st.Mtime)
}

var errorKinds = []struct {
	name string
	err  error
}{
	{"NoNode", zkstore.ErrNoNode}, {"NodeExists", zkstore.ErrNodeExists}, {"NotEmpty", zkstore.ErrNotEmpty},
	{"BadVersion", zkstore.ErrBadVersion}, {"NoChildrenForEphemerals", zkstore.ErrNoChildrenForEphemerals},
	{"NoAuth", zkstore.ErrNoAuth}, {"AuthFailed", zkstore.ErrAuthFailed}, {"InvalidACL", zkstore.ErrInvalidACL},
	{"BadArguments", zkstore.ErrBadArguments}, {"InvalidPath", zkstore.ErrInvalidPath},
	{"DataTooLarge", zkstore.ErrDataTooLarge}, {"RequestTooLarge", zkstore.ErrRequestTooLarge}, {"Unimplemented", zkstore.ErrUnimplemented},
	{"RuntimeInconsistency", zkstore.ErrRuntimeInconsistency}, {"SessionExpired", zkstore.ErrSessionExpired},
	{"ConnectionLoss", zkstore.ErrConnectionLoss}, {"Closed", zkstore.ErrClosed}, {"SystemError", zkstore.ErrSystemError},
	{"Canceled", context.Canceled}, {"DeadlineExceeded", context.DeadlineExceeded},
}

// errKind names the zkstore error err matches.
func errKind(err error) string {
	if err == nil {
		return ""
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "other: " + err.Error()
}

func (d *diffStore) acl(op diffOp) []zkstore.ACL {
	return slices.Clone(aclChoices[op.ACL].acl)
}

func (d *diffStore) zkOp(op diffOp) zkstore.Op {
	switch op.Kind {
	case "create":
		c := &zkstore.CreateOp{Path: d.abs(op.Path), Data: op.Data, Mode: op.Mode, ACL: d.acl(op)}
		if op.Mode.IsTTL() {
			c.TTL = time.Hour
		}
		return c
	case "set":
		return &zkstore.SetOp{Path: d.abs(op.Path), Data: op.Data, Version: op.Version}
	case "delete":
		return &zkstore.DeleteOp{Path: d.abs(op.Path), Version: op.Version}
	default: // check, and reads turned into checks
		return &zkstore.CheckOp{Path: d.abs(op.Path), Version: op.Version}
	}
}

// apply runs one operation and normalizes what it returned.
func (d *diffStore) apply(op diffOp) outcome {
	s := d.sessions[op.Session]
	ctx, p := d.ctx, d.abs(op.Path)
	var o outcome
	var err error
	switch op.Kind {
	case "create":
		opts := zkstore.CreateOptions{Mode: op.Mode, ACL: d.acl(op)}
		if op.Mode.IsTTL() {
			opts.TTL = time.Hour
		}
		var got string
		got, err = s.Create(ctx, p, op.Data, opts)
		if err == nil {
			o.Path = d.rel(got)
		}
	case "get":
		var data []byte
		var st zkstore.Stat
		data, st, err = s.Get(ctx, p)
		if err == nil {
			o.Data, o.Stat = fmt.Sprintf("%q", data), d.stat(st)
		}
	case "set":
		var st zkstore.Stat
		st, err = s.Set(ctx, p, op.Data, op.Version)
		if err == nil {
			o.Stat = d.stat(st)
		}
	case "delete":
		err = s.Delete(ctx, p, op.Version)
	case "exists":
		var st zkstore.Stat
		st, o.Exists, err = s.Exists(ctx, p)
		if o.Exists {
			o.Stat = d.stat(st)
		}
	case "children":
		var st zkstore.Stat
		o.Names, st, err = s.Children(ctx, p)
		if err == nil {
			o.Stat = d.stat(st)
			if o.Names == nil {
				o.Names = []string{}
			}
		}
	case "getacl":
		var acl []zkstore.ACL
		var st zkstore.Stat
		acl, st, err = s.GetACL(ctx, p)
		if err == nil {
			o.ACL, o.Stat = aclString(acl), d.stat(st)
		}
	case "setacl":
		var st zkstore.Stat
		st, err = s.SetACL(ctx, p, d.acl(op), op.Version)
		if err == nil {
			o.Stat = d.stat(st)
		}
	case "check":
		_, err = s.Multi(ctx, d.zkOp(op))
	case "multi", "bigmulti":
		var ops []zkstore.Op
		for _, sub := range op.Sub {
			ops = append(ops, d.zkOp(sub))
		}
		if op.Kind == "bigmulti" {
			ops = d.bigMulti(op)
		}
		var res []zkstore.OpResult
		res, err = s.Multi(ctx, ops...)
		for _, r := range res {
			ro := outcome{Err: errKind(r.Err), Msg: d.msg(r.Err)}
			if r.Path != "" {
				ro.Path = d.rel(r.Path)
			}
			if r.Stat != (zkstore.Stat{}) {
				ro.Stat = d.stat(r.Stat)
			}
			o.Multi = append(o.Multi, ro)
		}
	case "auth":
		err = s.AddAuth(ctx, "digest", []byte("alice:pw"))
	case "reopen":
		err = s.Close()
		d.sessions[op.Session] = d.open()
	case "sync":
		err = s.Sync(ctx, p)
	}
	o.Err = errKind(err)
	o.Msg = d.msg(err)
	o.Events = d.events()
	if op.Kind == "reopen" {
		// closeSession deletes the ephemerals in the hash order of their
		// full paths, and the two runs have different bases: compare which
		// events, not their order (difftest's TestCloseSessionOrder
		// compares the order on equal paths).
		slices.Sort(o.Events)
	}
	return o
}

// msg is err's text with the base path written $base.
func (d *diffStore) msg(err error) string {
	if err == nil {
		return ""
	}
	return strings.ReplaceAll(err.Error(), d.base, "$base")
}

// dump is the whole tree under the base, normalized.
func (d *diffStore) dump() []string {
	var out []string
	s := d.sessions[0]
	var walk func(p string)
	walk = func(p string) {
		data, st, err := s.Get(d.ctx, p)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: get: %s", d.rel(p), errKind(err)))
		}
		acl, _, aerr := s.GetACL(d.ctx, p)
		// A failed Get has no Stat: a zero one would print as minus the
		// base's zxid, which differs between the clusters.
		stat := "-"
		if err == nil {
			stat = fmt.Sprintf("%+v", *d.stat(st))
		}
		out = append(out, fmt.Sprintf("%s: %q %s acl=%s %s", d.rel(p), data, stat, aclString(acl), errKind(aerr)))
		names, _, err := s.Children(d.ctx, p)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: children: %s", d.rel(p), errKind(err)))
		}
		for _, n := range names {
			walk(zkstore.Join(p, n))
		}
	}
	walk(d.base)
	return out
}

type divergence struct {
	step int
	diff string
}

// runBoth runs prog on fresh sessions of both clusters and returns the
// first divergence, or nil.
func runBoth(t *testing.T, a, b Cluster, prog []diffOp, opts DiffOptions, observe ...func(diffOp, outcome)) *divergence {
	t.Helper()
	da, err := newDiffStore(t, a, opts.Sessions, opts.ZxidRank)
	if err != nil {
		t.Fatalf("first store: %v", err)
	}
	defer da.close()
	db, err := newDiffStore(t, b, opts.Sessions, opts.ZxidRank)
	if err != nil {
		t.Fatalf("second store: %v", err)
	}
	defer db.close()
	for i, op := range prog {
		oa, ob := da.apply(op), db.apply(op)
		for _, f := range observe {
			f(op, ob)
		}
		if diff := cmp.Diff(oa, ob); diff != "" {
			return &divergence{i, "(-first +second):\n" + diff}
		}
	}
	if diff := cmp.Diff(da.dump(), db.dump()); diff != "" {
		return &divergence{len(prog) - 1, "final trees differ (-first +second):\n" + diff}
	}
	return nil
}

// shrink returns a shorter program that still diverges: ops are dropped one
// at a time (a multi's sub-operations too) while the divergence remains.
func shrink(t *testing.T, a, b Cluster, prog []diffOp, opts DiffOptions) []diffOp {
	deadline := time.Now().Add(opts.ShrinkBudget)
	fails := func(p []diffOp) bool {
		return runBoth(t, a, b, p, opts) != nil
	}
	cur := slices.Clone(prog)
	for changed := true; changed && time.Now().Before(deadline); {
		changed = false
		for i := len(cur) - 1; i >= 0 && time.Now().Before(deadline); i-- {
			cand := slices.Delete(slices.Clone(cur), i, i+1)
			if d := runBoth(t, a, b, cand, opts); d != nil {
				cur = cand[:d.step+1]
				if i > len(cur) {
					i = len(cur)
				}
				changed = true
				continue
			}
			if cur[i].Kind == "multi" {
				for j := len(cur[i].Sub) - 1; j >= 0; j-- {
					op := cur[i]
					op.Sub = slices.Delete(slices.Clone(op.Sub), j, j+1)
					cand := slices.Clone(cur)
					cand[i] = op
					if fails(cand) {
						cur = cand
						changed = true
					}
				}
			}
		}
	}
	return cur
}
