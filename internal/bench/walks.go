package main

import (
	"sync"

	"github.com/go-zookeeper/zk"
)

// naiveWalk is the walk a user writes first: recursive, sequential,
// Children and Get for every znode below root. It returns how many znodes
// it read.
func naiveWalk(c *zk.Conn, root string) (int, error) {
	names, _, err := c.Children(root)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		p := root + "/" + name
		if _, _, err := c.Get(p); err != nil {
			return n, err
		}
		n++
		m, err := naiveWalk(c, p)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// znodeRow is what the tuned walk collects.
type znodeRow struct {
	path string
	data []byte
}

// tunedWalk is a well-tuned hand-written walk: window workers keep that
// many requests outstanding on the one connection; each znode costs a Get,
// and a Children only when its Stat says it has children. Rows come in no
// particular order.
func tunedWalk(c *zk.Conn, root string) ([]znodeRow, error) {
	names, _, err := c.Children(root)
	if err != nil {
		return nil, err
	}
	var (
		mu      sync.Mutex
		cond    = sync.NewCond(&mu)
		queue   []string
		pending = len(names) // queued or being read
		first   error
		out     = make([]znodeRow, 0, 1024)
	)
	for _, n := range names {
		queue = append(queue, root+"/"+n)
	}
	var wg sync.WaitGroup
	for range window {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				for len(queue) == 0 && pending > 0 && first == nil {
					cond.Wait()
				}
				if len(queue) == 0 || first != nil {
					mu.Unlock()
					return
				}
				p := queue[len(queue)-1]
				queue = queue[:len(queue)-1]
				mu.Unlock()

				data, st, err := c.Get(p)
				var kids []string
				if err == nil && st.NumChildren > 0 {
					kids, _, err = c.Children(p)
				}
				if err == zk.ErrNoNode {
					err = nil // deleted meanwhile
				}

				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if err == nil {
					out = append(out, znodeRow{p, data})
					for _, k := range kids {
						queue = append(queue, p+"/"+k)
					}
					pending += len(kids)
				}
				pending--
				if pending == 0 || first != nil || len(kids) > 1 {
					cond.Broadcast()
				} else if len(kids) == 1 {
					cond.Signal()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out, first
}
