// Package recipe holds ZooKeeper recipes on a zkstore.Store, in the manner
// of Apache Curator's: a distributed lock (Mutex), leader election
// (Election) on it, and service discovery (Register, Discover).
//
// A Store is one session; a recipe's ephemeral znodes live as long as it.
// When the session expires they are gone, and each recipe says so (Mutex
// and Election close their Lost channel) rather than pretend otherwise.
package recipe
