package difftest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zksql/zksql/internal/testkit/clustertest"
	"github.com/zksql/zksql/internal/testkit/zkserver"
	"github.com/zksql/zksql/zkstore"
	"github.com/zksql/zksql/zkstore/memstore"
)

// TestSameMessages: the same failure reads the same on the memory store
// and on a live server - the whole text, not only the error it matches -
// for the failures a client refuses before sending and those the server
// answers. Users grep logs and tests compare messages. (The differential
// test compares the texts of everything its random programs do.)
func TestSameMessages(t *testing.T) {
	live := clustertest.NewLive(zkserver.SharedAddr(t), 2*time.Second)
	mem := clustertest.NewMem(t, memstore.ContainerCheckInterval(-1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	type call struct {
		name string
		run  func(s zkstore.Store, b string) error
	}
	big := make([]byte, 1<<20+1)
	calls := []call{
		{"create exists", func(s zkstore.Store, b string) error {
			_, err := s.Create(ctx, b, nil, zkstore.CreateOptions{})
			return err
		}},
		{"create no parent", func(s zkstore.Store, b string) error {
			_, err := s.Create(ctx, b+"/x/y", nil, zkstore.CreateOptions{})
			return err
		}},
		{"create data too large", func(s zkstore.Store, b string) error {
			_, err := s.Create(ctx, b+"/big", big, zkstore.CreateOptions{})
			return err
		}},
		{"set data too large", func(s zkstore.Store, b string) error { _, err := s.Set(ctx, b, big, -1); return err }},
		{"multi data too large", func(s zkstore.Store, b string) error {
			_, err := s.Multi(ctx, &zkstore.CheckOp{Path: b, Version: -1}, &zkstore.SetOp{Path: b, Data: big, Version: -1})
			return err
		}},
		{"create invalid path", func(s zkstore.Store, b string) error {
			_, err := s.Create(ctx, b+"/x/", nil, zkstore.CreateOptions{})
			return err
		}},
		{"get invalid path", func(s zkstore.Store, b string) error { _, _, err := s.Get(ctx, b+"//x"); return err }},
		{"multi invalid path", func(s zkstore.Store, b string) error {
			_, err := s.Multi(ctx, &zkstore.CheckOp{Path: b, Version: -1}, &zkstore.DeleteOp{Path: b + "/.", Version: -1})
			return err
		}},
		{"multi nil op", func(s zkstore.Store, b string) error { _, err := s.Multi(ctx, nil); return err }},
		{"create ttl without ttl mode", func(s zkstore.Store, b string) error {
			_, err := s.Create(ctx, b+"/t", nil, zkstore.CreateOptions{TTL: time.Second})
			return err
		}},
		{"create invalid mode", func(s zkstore.Store, b string) error {
			_, err := s.Create(ctx, b+"/t", nil, zkstore.CreateOptions{Mode: 99})
			return err
		}},
		{"create empty acl", func(s zkstore.Store, b string) error {
			_, err := s.Create(ctx, b+"/t", nil, zkstore.CreateOptions{ACL: []zkstore.ACL{}})
			return err
		}},
		{"setacl nil", func(s zkstore.Store, b string) error { _, err := s.SetACL(ctx, b, nil, -1); return err }},
		{"delete root", func(s zkstore.Store, b string) error { return s.Delete(ctx, "/", -1) }},
		{"delete not empty", func(s zkstore.Store, b string) error { return s.Delete(ctx, "/zookeeper", -1) }},
		{"set bad version", func(s zkstore.Store, b string) error { _, err := s.Set(ctx, b, nil, 7); return err }},
		{"multi fails at op 1", func(s zkstore.Store, b string) error {
			_, err := s.Multi(ctx, &zkstore.CreateOp{Path: b + "/m"}, &zkstore.CreateOp{Path: b + "/m"})
			return err
		}},
		{"request too large", func(s zkstore.Store, b string) error {
			return s.Delete(ctx, b+"/"+strings.Repeat("x", zkserver.JuteMaxBuffer), -1)
		}},
		{"multi request too large", func(s zkstore.Store, b string) error {
			_, err := s.Multi(ctx, &zkstore.SetOp{Path: b, Data: big[:1<<20]}, &zkstore.SetOp{Path: b, Data: big[:1<<20]})
			return err
		}},
		{"multi on a closed store", func(s zkstore.Store, b string) error {
			s.Close()
			_, err := s.Multi(ctx, &zkstore.CheckOp{Path: b, Version: -1})
			return err
		}},
		{"multi canceled", func(s zkstore.Store, b string) error {
			c, cancel := context.WithCancel(ctx)
			cancel()
			_, err := s.Multi(c, &zkstore.CheckOp{Path: b, Version: -1})
			return err
		}},
		{"get canceled", func(s zkstore.Store, b string) error {
			c, cancel := context.WithCancel(ctx)
			cancel()
			_, _, err := s.Get(c, b)
			return err
		}},
		{"delete on a closed store", func(s zkstore.Store, b string) error {
			s.Close()
			return s.Delete(ctx, b, -1)
		}},
		{"closed", func(s zkstore.Store, b string) error {
			s.Close()
			_, _, err := s.Get(ctx, b)
			return err
		}},
	}
	base := "/messages-" + time.Now().Format("150405.000000")
	msgs := map[string][]string{}
	for name, c := range map[string]interface {
		Open(testing.TB) zkstore.Store
	}{"mem": mem, "live": live} {
		admin := c.Open(t)
		if _, err := admin.Create(ctx, base, nil, zkstore.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, k := range calls {
			err := k.run(c.Open(t), base)
			if err == nil {
				t.Errorf("%s on %s: no error", k.name, name)
				msgs[name] = append(msgs[name], "")
				continue
			}
			msgs[name] = append(msgs[name], err.Error())
		}
	}
	for i, k := range calls {
		if m, l := msgs["mem"][i], msgs["live"][i]; m != l {
			t.Errorf("%s:\n  mem:  %s\n  live: %s", k.name, m, l)
		}
	}
}
