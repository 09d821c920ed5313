package zkserver

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestAdminServerAndWhitelist(t *testing.T) {
	s := StartTB(t, Options{AdminServer: true, FourLetterWords: "ruok"})
	if s.AdminAddr() == "" {
		t.Fatal("AdminAddr empty with AdminServer on")
	}
	resp, err := http.Get("http://" + s.AdminAddr() + "/commands/monitor")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"server_state" : "standalone"`) {
		t.Errorf("monitor: %s\n%s", resp.Status, body)
	}
	ctx := context.Background()
	if r, err := FourLetterWord(ctx, s.Addr(), "mntr"); err != nil || !strings.Contains(r, "not in the whitelist") {
		t.Errorf("mntr with only ruok (and srvr) whitelisted: %q, %v", r, err)
	}
	if r, err := FourLetterWord(ctx, s.Addr(), "ruok"); err != nil || r != "imok" {
		t.Errorf("ruok: %q, %v", r, err)
	}
	plain := StartTB(t)
	if plain.AdminAddr() != "" {
		t.Errorf("AdminAddr %q with AdminServer off", plain.AdminAddr())
	}
}

func TestWhitelistKeepsSrvr(t *testing.T) {
	for words, want := range map[string]string{
		"":           "4lw.commands.whitelist=*\n",
		"*":          "4lw.commands.whitelist=*\n",
		"ruok":       "4lw.commands.whitelist=ruok, srvr\n",
		"srvr, mntr": "4lw.commands.whitelist=srvr, mntr\n",
	} {
		cfg := Options{FourLetterWords: words}.zooCfg("/d", 1, 0, nil)
		if !strings.Contains(cfg, want) {
			t.Errorf("FourLetterWords %q: zoo.cfg lacks %q:\n%s", words, want, cfg)
		}
	}
	cfg := Options{}.zooCfg("/d", 1, 7, []peer{{1, 11, 12, 13}})
	for _, line := range []string{"admin.enableServer=true\n", "admin.serverPort=7\n", "admin.serverAddress=127.0.0.1\n", "server.1=127.0.0.1:11:12\n"} {
		if !strings.Contains(cfg, line) {
			t.Errorf("zoo.cfg lacks %q:\n%s", line, cfg)
		}
	}
	cfg = Options{ClientPortsInConfig: true}.zooCfg("/d", 1, 0, []peer{{1, 11, 12, 13}})
	if !strings.Contains(cfg, "server.1=127.0.0.1:11:12;127.0.0.1:13\n") || !strings.Contains(cfg, "admin.enableServer=false\n") {
		t.Errorf("zoo.cfg with client ports:\n%s", cfg)
	}
}
