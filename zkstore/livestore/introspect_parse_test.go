package livestore

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/zksql/zksql/zkstore"
)

// Replies captured from Debian's ZooKeeper 3.8.0.

const consReply = ` /127.0.0.1:45236[0](queued=0,recved=1,sent=0)
 /127.0.0.1:45198[1](queued=0,recved=5,sent=5,sid=0x100009102a90000,lop=EXIS,est=1796357048601,to=5000,lcxid=0x4,lzxid=0x2,lresp=9505390,llat=1,minlat=0,avglat=6,maxlat=17)

`

func TestParseCons(t *testing.T) {
	srv := fakeFourLetter(t, map[string]string{"cons": consReply})
	got, err := fourLetterConnections(context.Background(), srv)
	if err != nil {
		t.Fatal(err)
	}
	i := func(n int64) *int64 { return &n }
	to := 5 * time.Second
	est := time.UnixMilli(1796357048601)
	want := []zkstore.ConnectionInfo{{
		Server: srv, ClientAddress: "127.0.0.1:45198", SessionID: 0x100009102a90000,
		Queued: i(0), Received: i(5), Sent: i(5), LastOperation: "EXIS",
		SessionTimeout: &to, LastZxid: i(2), Established: &est,
		LatencyLast: i(1), LatencyMin: i(0), LatencyAvg: i(6), LatencyMax: i(17),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cons (-want +got):\n%s", diff)
	}
}

func TestParseSessionPaths(t *testing.T) {
	wchc := "0x100009102a90000\n\t/eph\n\t/nope\n0x100009102a90001\n\t/a b\n\n"
	want := map[string][]string{"0x100009102a90000": {"/eph", "/nope"}, "0x100009102a90001": {"/a b"}}
	if diff := cmp.Diff(want, parseSessionPaths(wchc)); diff != "" {
		t.Errorf("wchc (-want +got):\n%s", diff)
	}
	dump := "SessionTracker dump:\nSession Sets (2)/(1):\n0 expire at Fri Dec 04 04:04:13 UTC 2026:\n1 expire at Fri Dec 04 04:04:14 UTC 2026:\n\t0x100009102a90000\n" +
		"ephemeral nodes dump:\nSessions with Ephemerals (1):\n0x100009102a90000:\n\t/eph\n" +
		"Connections dump:\nConnections Sets (2)/(2):\n0 expire at Fri Dec 04 04:04:14 UTC 2026:\n\tip: /127.0.0.1:45198 sessionId: 0x100009102a90000\n"
	_, eph, _ := strings.Cut(dump, "ephemeral nodes dump:")
	eph, _, _ = strings.Cut(eph, "Connections dump:")
	if diff := cmp.Diff(map[string][]string{"0x100009102a90000": {"/eph"}}, parseSessionPaths(eph)); diff != "" {
		t.Errorf("dump's ephemerals (-want +got):\n%s", diff)
	}
	if id, ok := parseSessionID("0x100009102a90000"); !ok || id != 0x100009102a90000 {
		t.Errorf("parseSessionID hex: %x %v", id, ok)
	}
	if id, ok := parseSessionID("72058216852815872"); !ok || id != 72058216852815872 {
		t.Errorf("parseSessionID decimal: %d %v", id, ok)
	}
	if _, ok := parseSessionID("0xzz"); ok {
		t.Error("parseSessionID accepted 0xzz")
	}
}

func TestStripTrailingCommas(t *testing.T) {
	in := `{"connections" : [ {"a" : "x, }", "b" : 1,
  } ], "c" : [ 1, 2, ], "d" : "\", ]",}`
	var v map[string]any
	if err := json.Unmarshal(stripTrailingCommas([]byte(in)), &v); err != nil {
		t.Fatalf("%v: %s", err, stripTrailingCommas([]byte(in)))
	}
	conns := v["connections"].([]any)
	if got := conns[0].(map[string]any)["a"]; got != "x, }" {
		t.Errorf("a comma inside a string was touched: %q", got)
	}
	if got := v["d"]; got != `", ]` {
		t.Errorf("an escaped quote ended the string: %q", got)
	}
}

// A refused word and an empty reply are named in our words; the server's
// reply is not repeated.
func TestFourLetterRefusals(t *testing.T) {
	srv := fakeFourLetter(t, map[string]string{
		"mntr": "mntr is not executed because it is not in the whitelist.\n",
		"srvr": "This ZooKeeper instance is not currently serving requests\n",
	})
	ctx := context.Background()
	if _, err := fourLetter(ctx, srv, "mntr"); !errors.Is(err, errNotWhitelisted) || err.Error() != "4lw mntr: not in the server's 4lw.commands.whitelist" {
		t.Errorf("mntr: %v", err)
	}
	if _, err := fourLetter(ctx, srv, "srvr"); !errors.Is(err, errNotServing) {
		t.Errorf("srvr: %v", err)
	}
	if _, err := fourLetter(ctx, srv, "wchc"); err == nil || !strings.Contains(err.Error(), "empty reply") {
		t.Errorf("wchc: %v", err)
	}
}

// fakeFourLetter answers four-letter words from replies on a loopback
// port, closing the connection after each reply as ZooKeeper does; an
// unknown word gets an empty reply.
func fakeFourLetter(t *testing.T, replies map[string]string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4)
			if _, err := io.ReadFull(c, buf); err == nil {
				io.WriteString(c, replies[string(buf)])
			}
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// An AdminServer port that answers something other than HTTP (here a
// four-letter-word server) is an error in our words, not the bytes it sent.
func TestAdminNotHTTP(t *testing.T) {
	srv := fakeFourLetter(t, map[string]string{"GET ": "secret-ish raw reply\x00\x01"})
	var out map[string]any
	err := adminGet(context.Background(), srv, "monitor", &out)
	if err == nil || strings.Contains(err.Error(), "secret-ish") || !strings.HasPrefix(err.Error(), "monitor: ") {
		t.Errorf("admin on a non-HTTP port: %v", err)
	}
	t.Log(err)
}
