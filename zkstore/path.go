package zkstore

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ValidatePath checks path the way ZooKeeper's PathUtils.validatePath does.
// For a sequential create the server appends digits, so path may end in '/'.
// The error wraps ErrInvalidPath and says what is wrong and where.
func ValidatePath(path string, sequential bool) error {
	if sequential {
		path += "1"
	}
	reason, at := pathProblem(path)
	if reason == "" {
		return nil
	}
	if sequential {
		path = path[:len(path)-1]
	}
	if at >= 0 {
		return fmt.Errorf("%w %q: %s at byte %d", ErrInvalidPath, path, reason, at)
	}
	return fmt.Errorf("%w %q: %s", ErrInvalidPath, path, reason)
}

func pathProblem(path string) (reason string, at int) {
	switch {
	case path == "":
		return "path must not be empty", -1
	case path[0] != '/':
		return "path must start with /", 0
	case path == "/":
		return "", -1
	case path[len(path)-1] == '/':
		return "path must not end with /", len(path) - 1
	}
	// The Java client walks UTF-16 code units; a code point above U+FFFF
	// becomes surrogates (D800–DFFF), which it refuses, so we do too.
	for i := 1; i < len(path); {
		r, size := utf8.DecodeRuneInString(path[i:])
		prev := path[i-1]
		switch {
		case r == utf8.RuneError && size == 1:
			return "invalid UTF-8", i
		case r == 0:
			return "null character not allowed", i
		case r == '/' && prev == '/':
			return "empty node name", i
		case r == '.':
			end := i+1 == len(path) || path[i+1] == '/'
			if end && (prev == '/' || prev == '.' && i >= 2 && path[i-2] == '/') {
				return "relative paths not allowed", i
			}
		case r <= 0x1f, r >= 0x7f && r <= 0x9f, r >= 0xd800 && r <= 0xf8ff, r >= 0xfff0:
			return fmt.Sprintf("invalid character %U", r), i
		}
		i += size
	}
	return "", -1
}

// Parent is the parent path of p: "/" for a top-level znode, "" for "/".
func Parent(p string) string {
	if p == "/" || p == "" {
		return ""
	}
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// Base is the last element of p: its name under its parent, "" for "/".
func Base(p string) string {
	if p == "/" {
		return ""
	}
	return p[strings.LastIndexByte(p, '/')+1:]
}

// Join is the path of child name under parent.
func Join(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// SequenceSuffix formats a sequence number as ZooKeeper appends it:
// ten digits, zero-padded (String.format("%010d")).
//
// The number is the count of children ever created under the parent, which
// is not the Cversion a client sees: the server stores that count and
// reports Cversion as 2*count - NumChildren (creations plus deletions), so
// the next sequence number is (Cversion + NumChildren) / 2.
func SequenceSuffix(n int32) string { return fmt.Sprintf("%010d", n) }

// ParseSequence returns the sequence number at the end of a sequential
// znode's path, and false if it does not end in one.
func ParseSequence(p string) (int32, bool) {
	if len(p) < 10 {
		return 0, false
	}
	suffix := p[len(p)-10:]
	n, err := strconv.ParseInt(suffix, 10, 32)
	if err != nil || (n >= 0 && suffix[0] == '-') {
		return 0, false
	}
	return int32(n), true
}
