package engine

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/zksql/zksql/zkstore"
)

// The written form of a whole ACL, used by the DSN option default_acl and
// by the acl column of INSERT INTO znodes. Two spellings are accepted:
//
//   - text, as zkCli's setAcl writes it: SCHEME:ID:PERMS entries separated
//     by ',', e.g. "world:anyone:r,digest:alice:HASH=:cdrwa". ID is what
//     lies between the first and the last ':' (a digest id holds one).
//   - JSON, the rows of the acls table as objects:
//     [{"scheme":"world","id":"anyone","perms":"r"}]; perms may also be
//     the bit mask as a number. Use it for an id containing ','.
//
// PERMS are the cdrwa letters the acls table reads back. The schemes are
// those ZooKeeper's servers accept out of the box: world (id anyone),
// auth (the session's own credentials; the id is ignored and written
// empty, as in auth::cdrwa), digest (USER:BASE64(SHA1(USER:PASSWORD)), as
// zkstore.DigestID makes it) and ip (an address or ADDRESS/BITS).
//
// A digest id is a password hash: every message and every display form
// (Config.String, Redacted, %v) shows it as USER:xxxxx.

// errACLSpec is wrapped by every error of parseACLSpec.
var errACLSpec = zkstore.ErrInvalidACL

// parseACLSpec reads an ACL in its text or JSON form. Its errors name the
// entry by number and never show an id, which may be a password hash.
func parseACLSpec(s string) ([]zkstore.ACL, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, fmt.Errorf("%w: empty; write SCHEME:ID:PERMS entries such as world:anyone:r or auth::cdrwa", errACLSpec)
	}
	var acl []zkstore.ACL
	if t[0] == '[' || t[0] == '{' {
		var err error
		if acl, err = parseACLJSON(t); err != nil {
			return nil, err
		}
	} else {
		for i, entry := range strings.Split(t, ",") {
			entry = strings.TrimSpace(entry)
			first, last := strings.IndexByte(entry, ':'), strings.LastIndexByte(entry, ':')
			if first < 0 || first == last {
				return nil, fmt.Errorf("%w: entry %d: want SCHEME:ID:PERMS, e.g. world:anyone:r (use the JSON form for an id containing ',')", errACLSpec, i+1)
			}
			perms, ok := zkstore.ParsePerms(strings.ToLower(entry[last+1:]))
			if !ok {
				return nil, fmt.Errorf("%w: entry %d: perms must be made of the letters c, d, r, w, a", errACLSpec, i+1)
			}
			acl = append(acl, zkstore.ACL{Scheme: entry[:first], ID: entry[first+1 : last], Perms: perms})
		}
	}
	for i := range acl {
		if err := checkACLEntry(i+1, &acl[i]); err != nil {
			return nil, err
		}
	}
	return acl, nil
}

// aclJSONEntry is one acls row as JSON.
type aclJSONEntry struct {
	Scheme *string          `json:"scheme"`
	ID     *string          `json:"id"`
	Perms  *json.RawMessage `json:"perms"`
}

func parseACLJSON(t string) ([]zkstore.ACL, error) {
	var entries []aclJSONEntry
	if t[0] == '{' {
		t = "[" + t + "]"
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&entries); err != nil || dec.More() {
		// The decoder's message may quote the input: not shown.
		return nil, fmt.Errorf("%w: not a JSON array of {\"scheme\", \"id\", \"perms\"} objects", errACLSpec)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: an empty ACL lets nobody in; ZooKeeper refuses it", errACLSpec)
	}
	acl := make([]zkstore.ACL, len(entries))
	for i, e := range entries {
		if e.Scheme == nil || e.ID == nil || e.Perms == nil {
			return nil, fmt.Errorf("%w: entry %d: needs scheme, id and perms", errACLSpec, i+1)
		}
		var perms any
		var letters string
		var mask int64
		if json.Unmarshal(*e.Perms, &letters) == nil {
			perms = letters
		} else if json.Unmarshal(*e.Perms, &mask) == nil {
			perms = mask
		}
		p, err := toPerms(perms)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: perms must be cdrwa letters or a mask from 0 to 31", errACLSpec, i+1)
		}
		acl[i] = zkstore.ACL{Scheme: *e.Scheme, ID: *e.ID, Perms: p}
	}
	return acl, nil
}

// checkACLEntry checks what the servers check of one entry, so that a
// mistake shows before anything is sent, and puts the scheme in lower
// case.
func checkACLEntry(n int, a *zkstore.ACL) error {
	scheme := strings.ToLower(a.Scheme)
	switch scheme {
	case "world":
		if a.ID != "anyone" {
			return fmt.Errorf("%w: entry %d: the world scheme has the one id anyone (world:anyone:PERMS)", errACLSpec, n)
		}
	case "auth":
		if a.ID != "" {
			return fmt.Errorf("%w: entry %d: the auth scheme takes no id; write auth::PERMS", errACLSpec, n)
		}
	case "digest":
		// The hash is base64 of a SHA-1 sum: 28 characters ending in '='.
		// Checked so that a password written in its place is refused
		// rather than turned into an ACL nobody can satisfy.
		user, hash, _ := strings.Cut(a.ID, ":")
		if sum, err := base64.StdEncoding.DecodeString(hash); user == "" || err != nil || len(sum) != sha1.Size {
			return fmt.Errorf("%w: entry %d: a digest id is USER:BASE64(SHA1(USER:PASSWORD)); for the session's own credentials write auth::PERMS", errACLSpec, n)
		}
	case "ip":
		if a.ID == "" {
			return fmt.Errorf("%w: entry %d: an ip id is an address or ADDRESS/BITS", errACLSpec, n)
		}
	default:
		if isWord(a.Scheme) && len(a.Scheme) <= 16 && strings.ToLower(a.Scheme) == a.Scheme {
			return fmt.Errorf("%w: entry %d: scheme %q not supported; use world, auth, digest or ip", errACLSpec, n, a.Scheme)
		}
		return fmt.Errorf("%w: entry %d: scheme not supported; use world, auth, digest or ip", errACLSpec, n)
	}
	a.Scheme = scheme
	return nil
}

// formatACLSpec writes acl in the text form parseACLSpec reads, or in
// the JSON form when an id contains ','. With redact, digest ids show
// their user only.
func formatACLSpec(acl []zkstore.ACL, redact bool) string {
	if redact {
		acl = redactACL(acl)
	}
	text := true
	for _, a := range acl {
		if strings.Contains(a.ID, ",") {
			text = false
		}
	}
	if !text {
		type entry struct {
			Scheme string `json:"scheme"`
			ID     string `json:"id"`
			Perms  string `json:"perms"`
		}
		entries := make([]entry, len(acl))
		for i, a := range acl {
			entries[i] = entry{a.Scheme, a.ID, zkstore.PermString(a.Perms)}
		}
		b, _ := json.Marshal(entries)
		return string(b)
	}
	parts := make([]string, len(acl))
	for i, a := range acl {
		parts[i] = a.Scheme + ":" + a.ID + ":" + zkstore.PermString(a.Perms)
	}
	return strings.Join(parts, ",")
}

// redactACL returns acl with the hash of every digest id replaced.
func redactACL(acl []zkstore.ACL) []zkstore.ACL {
	if acl == nil {
		return nil
	}
	out := append([]zkstore.ACL(nil), acl...)
	for i := range out {
		if out[i].Scheme == "digest" {
			user, _, _ := strings.Cut(out[i].ID, ":")
			out[i].ID = user + ":" + redactedPassword
		}
	}
	return out
}

// aclColumn reads the acl column of one INSERT row: NULL means the
// default ACL (default_acl, else world:anyone:cdrwa).
func aclColumn(row int, v any) ([]zkstore.ACL, error) {
	if v == nil {
		return nil, nil
	}
	s, err := toText("acl", v)
	if err != nil {
		return nil, fmt.Errorf("%w: row %d: %w", zkstore.ErrInvalidACL, row, err)
	}
	acl, err := parseACLSpec(s)
	if err != nil {
		return nil, fmt.Errorf("row %d: acl: %w", row, err)
	}
	return acl, nil
}
