package watch

// Option configures a stream.
type Option func(*config)

type config struct {
	initial  bool
	maxDepth int // < 0: unlimited
	// persistent: follow the path with a persistent recursive watch
	// where the store has one (Tree).
	persistent bool
}

func newConfig(opts []Option) config {
	c := config{initial: true, maxDepth: -1}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithInitial(false) leaves out the events giving the initial state (Current,
// or a Tree's Created events and Synced): the stream then starts with the
// first change. The default is true.
func WithInitial(b bool) Option { return func(c *config) { c.initial = b } }

// WithMaxDepth limits a Tree to znodes at most depth levels below its root
// (0: the root only). Negative, the default, means no limit.
func WithMaxDepth(depth int) Option { return func(c *config) { c.maxDepth = depth } }
