package livestore

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/go-zookeeper/zk"

	"github.com/zksql/zksql/zkstore"
)

// ZooKeeper's KeeperException codes (org.apache.zookeeper.KeeperException.Code).
// go-zookeeper v1.0.4 maps only some of them to error variables (its
// errCodeToError); the rest reach us as fmt.Errorf("unknown error: %d").
const (
	codeOK                       = 0
	codeSystemError              = -1
	codeRuntimeInconsistency     = -2
	codeDataInconsistency        = -3
	codeConnectionLoss           = -4
	codeMarshallingError         = -5
	codeUnimplemented            = -6
	codeOperationTimeout         = -7
	codeBadArguments             = -8
	codeInvalidState             = -9
	codeNewConfigNoQuorum        = -13
	codeReconfigInProgress       = -14
	codeAPIError                 = -100
	codeNoNode                   = -101
	codeNoAuth                   = -102
	codeBadVersion               = -103
	codeNoChildrenForEphemerals  = -108
	codeNodeExists               = -110
	codeNotEmpty                 = -111
	codeSessionExpired           = -112
	codeInvalidCallback          = -113
	codeInvalidACL               = -114
	codeAuthFailed               = -115
	codeSessionMoved             = -118
	codeNotReadOnly              = -119
	codeEphemeralOnLocalSession  = -120
	codeNoWatcher                = -121
	codeRequestTimeout           = -122
	codeReconfigDisabled         = -123
	codeSessionClosedRequireSASL = -124
	codeQuotaExceeded            = -125
	codeThrottled                = -127
)

// codeError maps a server error code onto the zkstore variable, or a
// system error naming the code. It is the single table both go-zookeeper's
// errors (via zkErrorCode) and our own multi decoding go through.
func codeError(code int32) error {
	switch code {
	case codeOK:
		return nil
	case codeRuntimeInconsistency:
		return zkstore.ErrRuntimeInconsistency
	case codeConnectionLoss, codeOperationTimeout, codeRequestTimeout:
		return zkstore.ErrConnectionLoss
	case codeUnimplemented:
		return zkstore.ErrUnimplemented
	case codeBadArguments:
		return zkstore.ErrBadArguments
	case codeNoNode:
		return zkstore.ErrNoNode
	case codeNoAuth:
		return zkstore.ErrNoAuth
	case codeBadVersion:
		return zkstore.ErrBadVersion
	case codeNoChildrenForEphemerals:
		return zkstore.ErrNoChildrenForEphemerals
	case codeNodeExists:
		return zkstore.ErrNodeExists
	case codeNotEmpty:
		return zkstore.ErrNotEmpty
	case codeSessionExpired:
		return zkstore.ErrSessionExpired
	case codeInvalidACL:
		return zkstore.ErrInvalidACL
	case codeAuthFailed, codeSessionClosedRequireSASL:
		return zkstore.ErrAuthFailed
	}
	name, ok := codeNames[code]
	if !ok {
		name = "code " + strconv.Itoa(int(code))
	}
	return fmt.Errorf("%w: server error %s (%d)", zkstore.ErrSystemError, name, code)
}

var codeNames = map[int32]string{
	codeSystemError:             "SystemError",
	codeDataInconsistency:       "DataInconsistency",
	codeMarshallingError:        "MarshallingError",
	codeInvalidState:            "InvalidState",
	codeNewConfigNoQuorum:       "NewConfigNoQuorum",
	codeReconfigInProgress:      "ReconfigInProgress",
	codeAPIError:                "APIError",
	codeInvalidCallback:         "InvalidCallback",
	codeSessionMoved:            "SessionMoved",
	codeNotReadOnly:             "NotReadOnly",
	codeEphemeralOnLocalSession: "EphemeralOnLocalSession",
	codeNoWatcher:               "NoWatcher",
	codeReconfigDisabled:        "ReconfigDisabled",
	codeQuotaExceeded:           "QuotaExceeded",
	codeThrottled:               "Throttled",
}

// zkErrorCode recovers the server code behind one of go-zookeeper's errors.
var zkErrorCodes = map[error]int32{
	zk.ErrAPIError:                codeAPIError,
	zk.ErrNoNode:                  codeNoNode,
	zk.ErrNoAuth:                  codeNoAuth,
	zk.ErrBadVersion:              codeBadVersion,
	zk.ErrNoChildrenForEphemerals: codeNoChildrenForEphemerals,
	zk.ErrNodeExists:              codeNodeExists,
	zk.ErrNotEmpty:                codeNotEmpty,
	zk.ErrSessionExpired:          codeSessionExpired,
	zk.ErrInvalidACL:              codeInvalidACL,
	zk.ErrAuthFailed:              codeAuthFailed,
	zk.ErrSessionMoved:            codeSessionMoved,
	zk.ErrReconfigDisabled:        codeReconfigDisabled,
	zk.ErrBadArguments:            codeBadArguments,
}

// unknownErrorPrefix is how go-zookeeper v1.0.4 (ErrCode.toError) reports a
// code missing from its table, e.g. -2 RuntimeInconsistency, -6
// Unimplemented (TTL nodes on a server without extended types), -13...
const unknownErrorPrefix = "unknown error: "

// errStoreClosed and errStoreExpired are what a call that was cut short by
// go-zookeeper's connection ending reports, depending on why it ended.
type endReason int

const (
	endNone endReason = iota
	endClosed
	endExpired
)

// mapError turns an error from go-zookeeper into a zkstore variable (or an
// error wrapping one). It does not add the path.
func mapError(err error, end endReason) error {
	if err == nil {
		return nil
	}
	if code, ok := zkErrorCodes[err]; ok {
		return codeError(code)
	}
	switch {
	case errors.Is(err, zk.ErrInvalidPath):
		return zkstore.ErrInvalidPath
	case errors.Is(err, zk.ErrInvalidFlags):
		return zkstore.ErrBadArguments
	case errors.Is(err, zk.ErrShortBuffer), errors.Is(err, errTooLarge):
		// The request did not fit go-zookeeper's send buffer: nothing
		// was sent.
		return zkstore.ErrDataTooLarge
	case errors.Is(err, zk.ErrClosing):
		if end == endExpired {
			return zkstore.ErrSessionExpired
		}
		return zkstore.ErrClosed
	case errors.Is(err, zk.ErrConnectionClosed), errors.Is(err, zk.ErrNoServer):
		switch end {
		case endClosed:
			return zkstore.ErrClosed
		case endExpired:
			return zkstore.ErrSessionExpired
		}
		return zkstore.ErrConnectionLoss
	}
	if s, ok := strings.CutPrefix(err.Error(), unknownErrorPrefix); ok {
		if n, perr := strconv.ParseInt(s, 10, 32); perr == nil {
			return codeError(int32(n))
		}
	}
	if isNetError(err) {
		// A write to the socket failed (sendData hands that error back
		// as is): the connection is gone, the request may have been sent.
		return zkstore.ErrConnectionLoss
	}
	return fmt.Errorf("%w: %w", zkstore.ErrSystemError, err)
}

// errTooLarge is what our own encoders report when a request does not fit.
var errTooLarge = errors.New("livestore: request larger than the send buffer")

func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed)
}
