package zkstore

import "context"

// GetAppender is a Store that reads a znode's data into a buffer the
// caller owns, so a caller that reads often (the driver's point SELECT)
// reuses one buffer instead of receiving a fresh copy per read. An
// in-memory store, which otherwise copies the data out of its tree for
// every Get, implements it; a store whose data arrives in a reply of its
// own gains nothing from it. It is optional: callers use GetAppend of
// this package. A Store that wraps another keeps the capability by
// implementing the method with GetAppend of this package on the wrapped
// store, as it keeps Pipeliner.
type GetAppender interface {
	Store
	// GetAppend reads the znode at path as Get does and appends its data
	// to buf, returning the extended buffer and the Stat. The store keeps
	// no reference to buf, and the bytes appended are the caller's: the
	// store's own copy of the data is never handed out. On error it
	// returns buf unchanged and the error Get would have returned.
	GetAppend(ctx context.Context, path string, buf []byte) ([]byte, Stat, error)
}

// GetAppend reads the znode at path through st and appends its data to
// buf: with st's GetAppend if st is a GetAppender, and otherwise with Get
// (the data then costs Get's allocation, and is copied into buf).
func GetAppend(ctx context.Context, st Store, path string, buf []byte) ([]byte, Stat, error) {
	if a, ok := st.(GetAppender); ok {
		return a.GetAppend(ctx, path, buf)
	}
	data, s, err := st.Get(ctx, path)
	if err != nil {
		return buf, Stat{}, err
	}
	return append(buf, data...), s, nil
}
