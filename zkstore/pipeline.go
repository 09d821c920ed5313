package zkstore

import "context"

// Pipeliner is a Store that can send a read and take its reply later, so
// one goroutine keeps many reads outstanding on the session (a walk sends
// the next reads, then takes the replies in the order it needs them)
// without a goroutine per read. It is optional: callers find it with
// PipelinerOf. A Store that wraps another keeps the capability by
// implementing these methods with GetAsync and ChildrenAsync of this
// package on the wrapped store, as io.Copy's callers keep io.ReaderFrom.
type Pipeliner interface {
	Store
	// GetAsync sends a getData request and returns at once; the
	// PendingRead's Get gives what Get would have.
	GetAsync(ctx context.Context, path string) PendingRead
	// ChildrenAsync sends a getChildren request and returns at once; the
	// PendingRead's Children gives what Children would have.
	ChildrenAsync(ctx context.Context, path string) PendingRead
	// Pipelines reports whether reads sent ahead overlap with each other
	// and with the caller's work: true for a store with round trips,
	// false for one that answers at once, where callers do better to
	// call Get and Children directly.
	Pipelines() bool
}

// PendingRead is a read sent by GetAsync or ChildrenAsync. It belongs to
// the goroutine that made it. Abandoning one is fine: nothing waits on
// its reply.
type PendingRead interface {
	// Done reports, without waiting, whether the reply (or an error) is in.
	Done() bool
	// Get waits for a GetAsync reply: the data and Stat, as Store.Get.
	Get() ([]byte, Stat, error)
	// Children waits for a ChildrenAsync reply: the sorted names and the
	// Stat, as Store.Children.
	Children() ([]string, Stat, error)
}

// PipelinerOf returns st as a Pipeliner when it is one whose reads sent
// ahead overlap (Pipelines reports true).
func PipelinerOf(st Store) (Pipeliner, bool) {
	p, ok := st.(Pipeliner)
	if !ok || !p.Pipelines() {
		return nil, false
	}
	return p, true
}

// Pipelines reports whether st is a Pipeliner whose reads overlap: what a
// wrapping Store's Pipelines returns.
func Pipelines(st Store) bool {
	_, ok := PipelinerOf(st)
	return ok
}

// GetAsync sends a getData request through st if it is a Pipeliner, and
// otherwise reads now; either way the result is taken from the
// PendingRead.
func GetAsync(ctx context.Context, st Store, path string) PendingRead {
	if p, ok := st.(Pipeliner); ok {
		return p.GetAsync(ctx, path)
	}
	r := &DoneRead{}
	r.Data, r.Stat, r.Err = st.Get(ctx, path)
	return r
}

// ChildrenAsync sends a getChildren request through st if it is a
// Pipeliner, and otherwise reads now.
func ChildrenAsync(ctx context.Context, st Store, path string) PendingRead {
	if p, ok := st.(Pipeliner); ok {
		return p.ChildrenAsync(ctx, path)
	}
	r := &DoneRead{}
	r.Names, r.Stat, r.Err = st.Children(ctx, path)
	return r
}

// DoneRead is a PendingRead whose outcome is already known: what a store
// that answers at once returns from GetAsync and ChildrenAsync.
type DoneRead struct {
	Data  []byte
	Names []string
	Stat  Stat
	Err   error
}

func (r *DoneRead) Done() bool { return true }

func (r *DoneRead) Get() ([]byte, Stat, error) {
	if r.Err != nil {
		return nil, Stat{}, r.Err
	}
	return r.Data, r.Stat, nil
}

func (r *DoneRead) Children() ([]string, Stat, error) {
	if r.Err != nil {
		return nil, Stat{}, r.Err
	}
	return r.Names, r.Stat, nil
}

// SyncSender is an optional Store that sends a sync without waiting for
// its reply. ZooKeeper answers a session's requests in the order they were
// sent, so a read sent after a sync is answered after the sync has caught
// the server up with the leader: "sync, then read" costs one round trip
// instead of two, and the read is as current (this is how the ZooKeeper
// paper has clients use sync). livestore implements it. A Store that wraps
// another forwards it only if its reads of the wrapped store keep the order
// they were sent in; a read cache does not forward it, since its own Sync
// is a barrier the cache's answers wait for.
type SyncSender interface {
	Store
	// SyncAsync sends a sync of path and returns at once.
	SyncAsync(ctx context.Context, path string) PendingSync
}

// PendingSync is a sync sent by SyncAsync.
type PendingSync interface {
	// Wait waits for the reply and returns what Store.Sync would have.
	Wait() error
}

// SyncAsync sends a sync through st if it is a SyncSender, and otherwise
// syncs now.
func SyncAsync(ctx context.Context, st Store, path string) PendingSync {
	if s, ok := st.(SyncSender); ok {
		return s.SyncAsync(ctx, path)
	}
	return &DoneSync{Err: st.Sync(ctx, path)}
}

// DoneSync is a PendingSync whose outcome is already known.
type DoneSync struct{ Err error }

func (d *DoneSync) Wait() error { return d.Err }

// BatchGetter is an optional Pipeliner that reads the data of many znodes
// in one request (ZooKeeper 3.6+'s multiRead): the server then answers one
// request where it would answer one per znode, which on a walk of a large
// subtree costs it and the client markedly less than the requests' own
// work. The reads are separate reads, not one atomic snapshot (ZooKeeper
// does not promise that of multiRead): each result is what Get would have
// given at some moment between the send and the reply. livestore
// implements it once the server is known to speak 3.6's requests (an
// addWatch it accepted); callers use GetBatchAsync of this package, which
// sends the reads one by one on other stores.
type BatchGetter interface {
	Pipeliner
	// GetBatchAsync sends one request reading the data of every path and
	// returns at once.
	GetBatchAsync(ctx context.Context, paths []string) PendingBatch
}

// PendingBatch is a batch of reads sent by GetBatchAsync. It belongs to
// the goroutine that made it.
type PendingBatch interface {
	// Len is the number of reads: one per path, in their order.
	Len() int
	// Get waits for the reply and gives the i-th read's outcome, as
	// Store.Get would have (ErrNoNode for a znode that is absent). When
	// the request itself fails every read fails with its error. The
	// data of one batch may share an allocation, each slice capped to
	// its own length: keeping one keeps the batch's bytes.
	Get(i int) ([]byte, Stat, error)
}

// GetBatchAsync sends the reads of paths through st: as one request if st
// is a BatchGetter, and otherwise one GetAsync each.
func GetBatchAsync(ctx context.Context, st Store, paths []string) PendingBatch {
	if b, ok := st.(BatchGetter); ok {
		return b.GetBatchAsync(ctx, paths)
	}
	return ReadsBatch(ctx, st, paths)
}

// ReadsBatch sends one GetAsync per path: the PendingBatch of a store (or
// a moment) without batched reads.
func ReadsBatch(ctx context.Context, st Store, paths []string) PendingBatch {
	reads := make(readsBatch, len(paths))
	for i, p := range paths {
		reads[i] = GetAsync(ctx, st, p)
	}
	return reads
}

type readsBatch []PendingRead

func (r readsBatch) Len() int                        { return len(r) }
func (r readsBatch) Get(i int) ([]byte, Stat, error) { return r[i].Get() }

// MaxBatch is how many reads a walk puts in one batch (GetBatchAsync) at
// most, and BatchBytes the data a batch's reply should stay near: the
// server sends a reply whole, and go-zookeeper keeps a receive buffer as
// large as the largest reply for the rest of the connection.
const (
	MaxBatch   = 64
	BatchBytes = 1 << 20
)

// BatchLimit is how many reads a walk puts in its next batch once the
// largest data it has read is largest bytes long: MaxBatch while data is
// small, fewer once it is large (one for data of BatchBytes or more).
func BatchLimit(largest int) int {
	return min(MaxBatch, max(1, BatchBytes/max(largest, 1)))
}
