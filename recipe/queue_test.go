package recipe_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/clustertest"
	"github.com/zksql/zksql/recipe"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

func TestQueueFIFO(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		dir := fmt.Sprintf("/queues/fifo-%d", time.Now().UnixNano())
		q := recipe.NewQueue(e.Open(t), dir)
		if _, ok, err := q.TryTake(ctx); err != nil || ok {
			t.Fatalf("TryTake on an empty queue: %v, %v", ok, err)
		}
		for i := range 5 {
			if _, err := q.Put(ctx, fmt.Appendf(nil, "item %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := q.Len(ctx); err != nil || n != 5 {
			t.Fatalf("Len = %d, %v", n, err)
		}
		for i := range 5 {
			item, err := q.Take(ctx)
			if err != nil || string(item.Data) != fmt.Sprintf("item %d", i) {
				t.Fatalf("Take %d = %q, %v", i, item.Data, err)
			}
		}
		// Take waits for a Put from another session.
		got := make(chan recipe.Item, 1)
		go func() {
			item, err := q.Take(ctx)
			if err != nil {
				t.Error(err)
			}
			got <- item
		}()
		select {
		case item := <-got:
			t.Fatalf("Take on an empty queue returned %q", item.Data)
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := recipe.NewQueue(e.Open(t), dir).Put(ctx, []byte("late")); err != nil {
			t.Fatal(err)
		}
		if item := <-got; string(item.Data) != "late" {
			t.Fatalf("waiting Take got %q", item.Data)
		}
		names, _, err := e.Open(t).Children(ctx, dir)
		if err != nil || len(names) != 0 {
			t.Fatalf("queue znode's children after all takes: %q, %v (receipts must go too)", names, err)
		}
	})
}

// deliveries records what consumers got.
type deliveries struct {
	mu    sync.Mutex
	got   map[string]int // item data -> times delivered
	maybe map[string]bool
}

func (d *deliveries) add(data string, definite bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if definite {
		d.got[data]++
	} else {
		d.maybe[data] = true
	}
}

// covered reports whether every one of n items was delivered or possibly
// taken.
func (d *deliveries) covered(n int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := 0
	for i := range n {
		k := itemName(i)
		if d.got[k] > 0 || d.maybe[k] {
			c++
		}
	}
	return c == n
}

func itemName(i int) string { return fmt.Sprintf("item-%03d", i) }

// queueContention has 10 producers (on 3 sessions) and 10 consumers (on
// 4) move 200 items; expire, if set, is called with the consumers' first session
// once a quarter of the items are taken. Every item is delivered exactly
// once (or, for a take cut off by the expiry, reported as possibly taken).
func queueContention(t *testing.T, e env, expire func(zkstore.Store)) {
	const producers, consumers, perProducer = 10, 10, 20
	const total = producers * perProducer
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	stores := openN(t, e, 4)
	dir := fmt.Sprintf("/queues/c-%d", time.Now().UnixNano())
	d := &deliveries{got: map[string]int{}, maybe: map[string]bool{}}
	cctx, stopConsumers := context.WithCancel(ctx)
	defer stopConsumers()
	var wg sync.WaitGroup
	for p := range producers {
		// Producers stay off stores[0], whose session the test may expire.
		q := recipe.NewQueue(stores[1+p%3], dir)
		wg.Go(func() {
			for i := range perProducer {
				if _, err := q.Put(ctx, []byte(itemName(p*perProducer+i))); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var taken sync.WaitGroup
	var mu sync.Mutex
	takes := 0
	for c := range consumers {
		st := stores[c%4]
		q := recipe.NewQueue(st, dir)
		taken.Go(func() {
			for {
				item, err := q.Take(cctx)
				var unknown *recipe.TakeUnknownError
				switch {
				case err == nil:
					d.add(string(item.Data), true)
					mu.Lock()
					takes++
					mu.Unlock()
				case errors.As(err, &unknown):
					d.add(string(unknown.Item.Data), false)
				case cctx.Err() != nil:
					return
				case expire != nil && st == stores[0] && (errors.Is(err, zkstore.ErrSessionExpired) || errors.Is(err, zkstore.ErrConnectionLoss)):
					if st.State() == zkstore.StateExpired {
						return
					}
				default:
					t.Error(err)
					return
				}
			}
		})
	}
	if expire != nil {
		waitFor(t, "a quarter of the items taken", func() bool { mu.Lock(); defer mu.Unlock(); return takes >= total/4 })
		expire(stores[0])
	}
	wg.Wait()
	waitFor(t, "every item delivered", func() bool { return d.covered(total) })
	stopConsumers()
	taken.Wait()
	for k, n := range d.got {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
	if n, err := recipe.NewQueue(stores[1], dir).Len(ctx); err != nil || n != 0 {
		t.Errorf("queue length at the end %d, %v", n, err)
	}
	t.Logf("%d items: %d delivered, %d possibly taken by the expired consumer", total, len(d.got), len(d.maybe))
}

// 20 goroutines over 4 sessions: each item is delivered exactly once.
func TestQueueContention(t *testing.T) {
	both(t, func(t *testing.T, e env) { queueContention(t, e, nil) })
}

// A consumer's session expires while all take: the items it did not take
// go to the others, none twice.
func TestQueueConsumerExpiry(t *testing.T) {
	both(t, func(t *testing.T, e env) {
		queueContention(t, e, func(st zkstore.Store) { e.Expire(t, st) })
	})
}

// A consumer's session dies between reading the head and removing it: the
// item stays for another. A removal applied whose reply is lost is found
// by its receipt: delivered once, to that consumer.
func TestQueueTakeInterrupted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e := clustertest.NewMem(t)
	a, b := e.Open(t), e.Open(t)
	qa, qb := recipe.NewQueue(a, "/q"), recipe.NewQueue(b, "/q")
	for _, s := range []string{"one", "two"} {
		if _, err := qa.Put(ctx, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	e.Server.InjectFault(func(op, path string) error {
		if op == "multi" && strings.HasPrefix(path, "/q/qn-") {
			e.Server.InjectFault(nil)
			e.Server.Expire(a.SessionID()) // dies mid-take
			return nil
		}
		return nil
	})
	if item, err := qa.Take(ctx); !errors.Is(err, zkstore.ErrSessionExpired) {
		t.Fatalf("Take on a session that dies mid-take = %q, %v", item.Data, err)
	}
	if item, err := qb.Take(ctx); err != nil || string(item.Data) != "one" {
		t.Fatalf("the other consumer's Take = %q, %v; want the item left by the dead one", item.Data, err)
	}

	e.Server.InjectFault(memstore.FailOnce("multi", "", memstore.FailAfter(zkstore.ErrConnectionLoss)))
	item, err := qb.Take(ctx)
	if err != nil || string(item.Data) != "two" {
		t.Fatalf("Take whose reply was lost = %q, %v; want %q", item.Data, err, "two")
	}
	if n, err := qb.Len(ctx); err != nil || n != 0 {
		t.Fatalf("Len = %d, %v", n, err)
	}
	names, _, err := b.Children(ctx, "/q")
	if err != nil || len(names) != 0 {
		t.Fatalf("children left: %q, %v", names, err)
	}
}
