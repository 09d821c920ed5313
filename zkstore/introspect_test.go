package zkstore_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/zkstore"
)

func TestParseEnsembleConfig(t *testing.T) {
	data := "server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\n" +
		"server.2=zk2:2888:3888;2182\n" +
		"server.3=[::1]:2888:3888:observer;[::1]:2183\n" +
		"server.4=10.0.0.4:2888:3888\n" +
		"version=10000000a"
	got, err := zkstore.ParseEnsembleConfig([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := zkstore.EnsembleConfig{Version: 0x10000000a, Members: []zkstore.ConfigMember{
		{ID: 1, Host: "127.0.0.1", QuorumPort: 2888, ElectionPort: 3888, Role: "participant", ClientHost: "127.0.0.1", ClientPort: 2181},
		{ID: 2, Host: "zk2", QuorumPort: 2888, ElectionPort: 3888, Role: "participant", ClientPort: 2182},
		{ID: 3, Host: "::1", QuorumPort: 2888, ElectionPort: 3888, Role: "observer", ClientHost: "::1", ClientPort: 2183},
		{ID: 4, Host: "10.0.0.4", QuorumPort: 2888, ElectionPort: 3888, Role: "participant"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseEnsembleConfig (-want +got):\n%s", diff)
	}
	addrs := []string{"127.0.0.1:2181", "zk2:2182", "[::1]:2183", ""}
	for i, m := range got.Members {
		if a := m.ClientAddr(); a != addrs[i] {
			t.Errorf("member %d ClientAddr %q, want %q", m.ID, a, addrs[i])
		}
	}
	empty, err := zkstore.ParseEnsembleConfig(nil)
	if err != nil || len(empty.Members) != 0 || empty.Version != -1 {
		t.Errorf("empty config: %+v, %v", empty, err)
	}
	for _, bad := range []string{"server.x=h:1:2", "server.1=h", "server.1=h:a:2", "server.1=h:1:2;x", "version=zz"} {
		if _, err := zkstore.ParseEnsembleConfig([]byte(bad)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("ParseEnsembleConfig(%q): %v, want an error naming line 1", bad, err)
		}
	}
}
