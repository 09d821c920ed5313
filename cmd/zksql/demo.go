package main

import (
	"context"

	"github.com/zksql/zksql/zkstore"
)

// demoNode is one znode of the demo tree. Parents come before children.
type demoNode struct {
	path string
	data string
	mode zkstore.CreateMode
}

// demoTree is what `zksql` with no DSN shows: configuration, service
// discovery with ephemeral instances, a sequential job queue, an election,
// some JSON, some text and one binary value.
var demoTree = []demoNode{
	{path: "/app"},
	{path: "/app/config"},
	{path: "/app/config/database.json", data: `{"host":"db.internal","port":5432,"pool":{"min":2,"max":20}}`},
	{path: "/app/config/feature_flags.json", data: `{"new_ui":true,"beta_search":false,"rollout_percent":25}`},
	{path: "/app/config/log_level", data: "info"},
	{path: "/app/config/max_connections", data: "100"},
	{path: "/app/config/greeting", data: "héllo, 世界"},
	{path: "/app/config/tls_fingerprint", data: "\x30\x82\x01\x0a\x02\x82\x01\x01\x00\xc3\x9f\x1e\xff\x00\x7f"},
	{path: "/app/config/motd", data: "line one\nline two\ttabbed"},
	{path: "/services"},
	{path: "/services/api"},
	{path: "/services/api/instances"},
	{path: "/services/api/instances/instance-", data: `{"host":"10.0.0.11","port":8080,"zone":"a"}`, mode: zkstore.ModeEphemeralSequential},
	{path: "/services/api/instances/instance-", data: `{"host":"10.0.0.12","port":8080,"zone":"b"}`, mode: zkstore.ModeEphemeralSequential},
	{path: "/services/api/instances/instance-", data: `{"host":"10.0.0.13","port":8080,"zone":"c"}`, mode: zkstore.ModeEphemeralSequential},
	{path: "/services/worker"},
	{path: "/services/worker/instances"},
	{path: "/services/worker/instances/worker-1", data: `{"host":"10.0.1.21","threads":8}`, mode: zkstore.ModeEphemeral},
	{path: "/services/worker/instances/worker-2", data: `{"host":"10.0.1.22","threads":8}`, mode: zkstore.ModeEphemeral},
	{path: "/election"},
	{path: "/election/scheduler"},
	{path: "/election/scheduler/candidate-", data: "node-a", mode: zkstore.ModeEphemeralSequential},
	{path: "/election/scheduler/candidate-", data: "node-b", mode: zkstore.ModeEphemeralSequential},
	{path: "/jobs"},
	{path: "/jobs/queue"},
	{path: "/jobs/queue/job-", data: `{"type":"reindex","priority":1}`, mode: zkstore.ModePersistentSequential},
	{path: "/jobs/queue/job-", data: `{"type":"backup","priority":5}`, mode: zkstore.ModePersistentSequential},
	{path: "/jobs/queue/job-", data: `{"type":"email","priority":3}`, mode: zkstore.ModePersistentSequential},
}

// buildDemo creates the demo tree through st, whose session then owns the
// ephemerals: they stay as long as st is open.
func buildDemo(ctx context.Context, st zkstore.Store) error {
	for _, n := range demoTree {
		var data []byte
		if n.data != "" {
			data = []byte(n.data)
		}
		if _, err := st.Create(ctx, n.path, data, zkstore.CreateOptions{Mode: n.mode}); err != nil {
			return err
		}
	}
	return nil
}
