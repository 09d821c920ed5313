package memstore_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/zksql/zksql/zkstore"
)

func TestConcurrentSessions(t *testing.T) {
	srv := newServer(t)
	admin := connect(t, srv)
	mustCreate(t, admin, "/c", nil, zkstore.CreateOptions{})
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := srv.Connect()
			defer s.Close()
			for i := range each {
				p, err := s.Create(ctx, "/c/n-", []byte(fmt.Sprint(w)), zkstore.CreateOptions{Mode: zkstore.ModeEphemeralSequential})
				if err != nil {
					t.Error(err)
					return
				}
				if _, _, ch, err := s.GetW(ctx, p); err == nil && i%2 == 0 {
					if _, err := s.Set(ctx, p, nil, -1); err != nil {
						t.Error(err)
					}
					<-ch
				}
				_, _, _ = s.Children(ctx, "/c")
				_, _ = s.Multi(ctx, &zkstore.CheckOp{Path: "/c", Version: -1}, &zkstore.SetOp{Path: "/c", Version: -1})
			}
		}()
	}
	wg.Wait()
	st := mustStat(t, admin, "/c")
	if st.NumChildren != 0 || st.Cversion != 2*workers*each || st.Version != workers*each {
		t.Errorf("/c after all sessions closed: %+v", st)
	}
	if got := mustCreate(t, admin, "/c/n-", nil, zkstore.CreateOptions{Mode: zkstore.ModePersistentSequential}); got != "/c/n-"+zkstore.SequenceSuffix(workers*each) {
		t.Errorf("next sequence %q", got)
	}
}
