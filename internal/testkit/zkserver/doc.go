// Package zkserver runs real Apache ZooKeeper servers for tests and
// benchmarks: a standalone server or an ensemble, each member a java child
// process on free 127.0.0.1 ports with its own directory, plus a TCP proxy
// for network faults.
//
// # Finding ZooKeeper
//
// The server jar is looked up, in order, from
//
//   - ZOOKEEPER_JAR: the server jar itself;
//   - ZOOKEEPER_HOME: a directory with the jar in it or in its lib/, such as
//     an unpacked Apache binary tarball (apache-zookeeper-3.x.y-bin);
//   - /usr/share/java/zookeeper.jar, from Debian's "zookeeper" package
//     (apt-get update && apt-get install -y zookeeper).
//
// A jar whose manifest lists its dependencies (Debian's) runs with only
// itself plus slf4j-simple on the classpath, since Debian ships no logging
// binding in it; otherwise every jar beside it and ../conf are used (the
// tarball layout). java comes from JAVA_HOME, else PATH. [Available] says
// why nothing usable was found.
//
// # Tests
//
// [StartTB] and [StartEnsembleTB] skip the test when ZooKeeper is missing,
// with a message saying how to install it - except when CI=true, where a
// skipped live test would hide a broken CI image, so they fail it instead.
// Servers live in t.TempDir() and are killed in t.Cleanup; a failed test
// gets the server log's last lines in its output.
//
// # Server settings
//
// Defaults suit tests: tickTime 100ms with minSessionTimeout 2 ticks (so a
// session can expire in well under a second) and maxSessionTimeout 60s;
// TTL nodes enabled (zookeeper.extendedTypesEnabled); empty containers and
// expired TTL nodes reaped every 100ms (znode.container.checkIntervalMs)
// instead of every minute; jute.maxbuffer 2 MiB so 1 MiB payloads fit; no
// admin server; all four-letter words allowed (readiness is probed with
// srvr); no fsync. The JVM gets -Xmx256m, the serial GC and C1 only, so it
// starts in about a second. [Options] overrides any of this.
//
// # Faults
//
// Servers can be killed (SIGKILL), stopped (SIGTERM) and restarted on the
// same ports with their data. Each JVM runs in its own process group, which
// is what is signalled; on Linux it also dies with the test binary
// (PR_SET_PDEATHSIG), so even a crashed test leaves no server behind.
// [Proxy] partitions, resets or loses replies on client connections.
package zkserver
