package memstore

import (
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/zksql/zksql/zkstore"
)

// clientAddr is the address every session connects from.
const clientAddr = "127.0.0.1"

// authID is one entry of a connection's authInfo.
type authID struct{ scheme, id string }

// authSet is a connection's authInfo: ServerCnxn keeps it in a set backed by
// a ConcurrentHashMap, and the "auth" ACL scheme expands in that map's
// iteration order, which ordered reproduces.
type authSet struct{ ids []authID } // in insertion order

func newAuthSet() *authSet { return &authSet{ids: []authID{{"ip", clientAddr}}} }

func (a *authSet) add(id authID) {
	for _, x := range a.ids {
		if x == id {
			return
		}
	}
	a.ids = append(a.ids, id)
}

// ordered is the ids in ConcurrentHashMap iteration order: by bucket of the
// spread hash in a table sized for the count, then by insertion within a
// bucket. (A resize past 12 entries may reorder a bucket in Java; ignored.)
func (a *authSet) ordered() []authID {
	n := uint32(16)
	for uint32(len(a.ids)) >= n*3/4 {
		n *= 2
	}
	type entry struct {
		id     authID
		bucket uint32
		seq    int
	}
	es := make([]entry, len(a.ids))
	for i, id := range a.ids {
		h := uint32(idHash(id))
		es[i] = entry{id, ((h ^ h>>16) & 0x7fffffff) & (n - 1), i}
	}
	// insertion sort: stable and the set is tiny
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].bucket < es[j-1].bucket; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
	out := make([]authID, len(es))
	for i, e := range es {
		out[i] = e.id
	}
	return out
}

// idHash is jute's Id.hashCode.
func idHash(id authID) int32 {
	r := int32(17)
	r = 37*r + javaHash(id.scheme)
	r = 37*r + javaHash(id.id)
	return r
}

// javaHash is String.hashCode over UTF-16 code units.
func javaHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}

// digestAuth is DigestAuthenticationProvider.generateDigest: the user is
// everything before the first ':', the hash covers the whole string. It never
// fails, whatever the string holds.
func digestAuth(auth []byte) string {
	s := string([]rune(string(auth))) // decoded as Java's new String(bytes)
	user, _, _ := strings.Cut(s, ":")
	sum := sha1.Sum([]byte(s))
	return user + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

// fixupACL is PrepRequestProcessor.fixupACL: drop duplicates, refuse an
// empty list or an invalid id, and expand "auth" to the session's
// authenticated (digest) ids.
func fixupACL(acl []zkstore.ACL, auth *authSet) ([]zkstore.ACL, error) {
	var uniq []zkstore.ACL
	for _, a := range acl {
		if !containsACL(uniq, a) {
			uniq = append(uniq, a)
		}
	}
	if len(uniq) == 0 {
		return nil, zkstore.ErrInvalidACL
	}
	var out []zkstore.ACL
	for _, a := range uniq {
		switch {
		case a.Scheme == "world" && a.ID == "anyone":
			out = append(out, a)
		case a.Scheme == "auth":
			valid := false
			for _, id := range auth.ordered() {
				if id.scheme == "digest" { // the only provider whose isAuthenticated is true
					valid = true
					out = append(out, zkstore.ACL{Perms: a.Perms, Scheme: id.scheme, ID: id.id})
				}
			}
			if !valid {
				return nil, zkstore.ErrInvalidACL
			}
		case a.Scheme == "digest" && validDigestID(a.ID),
			a.Scheme == "ip" && validIPExpr(a.ID):
			out = append(out, a)
		default:
			return nil, zkstore.ErrInvalidACL
		}
	}
	return out, nil
}

func containsACL(list []zkstore.ACL, a zkstore.ACL) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// validDigestID is DigestAuthenticationProvider.isValid: id.split(":") has
// two parts, Java's split dropping trailing empty strings.
func validDigestID(id string) bool {
	parts := strings.Split(id, ":")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if id == "" {
		return false // Java gives [""], one part
	}
	return len(parts) == 2
}

// validIPExpr is IPAuthenticationProvider.isValid in 3.8: IPv4 only, with an
// optional /bits.
func validIPExpr(expr string) bool {
	_, _, ok := parseIPExpr(expr)
	return ok
}

func parseIPExpr(expr string) (addr [4]byte, bits int, ok bool) {
	a, b, hasBits := strings.Cut(expr, "/")
	addr, ok = parseIPv4(a)
	if !ok {
		return addr, 0, false
	}
	bits = 32
	if hasBits {
		n, err := strconv.ParseInt(b, 10, 32)
		if err != nil || n < 0 || n > 32 {
			return addr, 0, false
		}
		bits = int(n)
	}
	return addr, bits, true
}

func parseIPv4(s string) (b [4]byte, ok bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return b, false
	}
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 32)
		if err != nil || v < 0 || v > 255 {
			return b, false
		}
		b[i] = byte(v)
	}
	return b, true
}

// ipMatches is IPAuthenticationProvider.matches.
func ipMatches(id, expr string) bool {
	acl, bits, ok := parseIPExpr(expr)
	if !ok {
		return false
	}
	remote, ok := parseIPv4(id)
	if !ok {
		return false
	}
	for i := 0; i < 4; i++ {
		keep := bits - 8*i
		var mask byte
		switch {
		case keep >= 8:
			mask = 0xff
		case keep > 0:
			mask = byte(0xff << (8 - keep))
		}
		if acl[i]&mask != remote[i]&mask {
			return false
		}
	}
	return true
}

// checkACL is ZooKeeperServer.checkACL: allowed if any entry granting one of
// perm's bits matches one of the session's ids.
func checkACL(acl []zkstore.ACL, perm int32, auth *authSet) error {
	if len(acl) == 0 {
		return nil
	}
	for _, a := range acl {
		if a.Perms&perm == 0 {
			continue
		}
		if a.Scheme == "world" && a.ID == "anyone" {
			return nil
		}
		for _, id := range auth.ids {
			if id.scheme != a.Scheme {
				continue
			}
			switch a.Scheme {
			case "digest":
				if id.id == a.ID {
					return nil
				}
			case "ip":
				if ipMatches(id.id, a.ID) {
					return nil
				}
			}
		}
	}
	return zkstore.ErrNoAuth
}

// redactACL is what getACL returns to a session without ADMIN: digest ids
// with the hash replaced by "x".
func redactACL(acl []zkstore.ACL) []zkstore.ACL {
	out := make([]zkstore.ACL, len(acl))
	for i, a := range acl {
		if user, _, ok := strings.Cut(a.ID, ":"); ok && a.Scheme == "digest" {
			a.ID = user + ":x"
		}
		out[i] = a
	}
	return out
}
