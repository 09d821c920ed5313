package zkstore

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"
)

// Permission bits of an ACL entry (ZooDefs.Perms).
const (
	PermRead   int32 = 1 << 0
	PermWrite  int32 = 1 << 1
	PermCreate int32 = 1 << 2
	PermDelete int32 = 1 << 3
	PermAdmin  int32 = 1 << 4
	PermAll    int32 = 0x1f
)

// ACL is one access control entry.
type ACL struct {
	Perms  int32
	Scheme string
	ID     string
}

// OpenACLUnsafe gives everyone every permission (ZooDefs.Ids.OPEN_ACL_UNSAFE).
// It is the ACL used when a create passes a nil ACL.
func OpenACLUnsafe() []ACL { return WorldACL(PermAll) }

// ReadACLUnsafe gives everyone read access (ZooDefs.Ids.READ_ACL_UNSAFE).
func ReadACLUnsafe() []ACL { return WorldACL(PermRead) }

// CreatorAllACL gives the creator's authenticated ids every permission
// (ZooDefs.Ids.CREATOR_ALL_ACL).
func CreatorAllACL() []ACL { return []ACL{{Perms: PermAll, Scheme: "auth", ID: ""}} }

// WorldACL is world:anyone with perms.
func WorldACL(perms int32) []ACL { return []ACL{{Perms: perms, Scheme: "world", ID: "anyone"}} }

// DigestACL is a digest entry for user:password with perms.
func DigestACL(perms int32, user, password string) []ACL {
	return []ACL{{Perms: perms, Scheme: "digest", ID: DigestID(user, password)}}
}

// DigestID is the id ZooKeeper's DigestAuthenticationProvider stores for
// user:password: user:base64(sha1(user:password)).
func DigestID(user, password string) string {
	sum := sha1.Sum([]byte(user + ":" + password))
	return user + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

// PermString renders perms in ZooKeeper's cdrwa letters (as zkCli's getAcl does).
func PermString(perms int32) string {
	var b strings.Builder
	for _, p := range permLetters {
		if perms&p.bit != 0 {
			b.WriteByte(p.letter)
		}
	}
	return b.String()
}

// ParsePerms is the inverse of PermString; letters may come in any order.
func ParsePerms(s string) (int32, bool) {
	var perms int32
	for i := 0; i < len(s); i++ {
		found := false
		for _, p := range permLetters {
			if s[i] == p.letter {
				perms |= p.bit
				found = true
			}
		}
		if !found {
			return 0, false
		}
	}
	return perms, true
}

var permLetters = []struct {
	letter byte
	bit    int32
}{{'c', PermCreate}, {'d', PermDelete}, {'r', PermRead}, {'w', PermWrite}, {'a', PermAdmin}}
