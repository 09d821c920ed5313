package driver

import (
	"strconv"
	"strings"

	"github.com/zksql/zksql/zkstore/livestore"
)

// The DSN options of the system tables: admin_port and probe_timeout.

// Defaults of the system tables' options.
const (
	DefaultAdminPort    = livestore.DefaultAdminPort
	DefaultProbeTimeout = livestore.DefaultProbeTimeout
)

// parseAdminPorts reads admin_port: PORT or PORT,PORT,...
func parseAdminPorts(value string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(value, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 || n > 65535 {
			return nil, errorf("option admin_port: want a port from 0 to 65535, or one per server separated by ','")
		}
		out = append(out, n)
	}
	return out, nil
}

// formatAdminPorts writes admin_port, "" for the default.
func formatAdminPorts(ports []int) string {
	if ports == nil {
		return ""
	}
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ",")
}

// normalizeIntrospection checks admin_port and probe_timeout; the
// default admin port becomes nil.
func (cfg *Config) normalizeIntrospection() error {
	if cfg.Mem {
		if cfg.AdminPorts != nil {
			return errorf("option admin_port does not apply to mem: stores; remove it")
		}
		if cfg.ProbeTimeout != DefaultProbeTimeout {
			return errorf("option probe_timeout does not apply to mem: stores; remove it")
		}
		return nil
	}
	if err := checkTimeout("probe_timeout", cfg.ProbeTimeout); err != nil {
		return err
	}
	if cfg.AdminPorts == nil {
		return nil
	}
	if len(cfg.AdminPorts) == 0 {
		return errorf("option admin_port: empty list")
	}
	if len(cfg.AdminPorts) > 1 && len(cfg.AdminPorts) != len(cfg.Servers) {
		return errorf("option admin_port: %d ports for %d servers; give one port for all, or one per server", len(cfg.AdminPorts), len(cfg.Servers))
	}
	for _, p := range cfg.AdminPorts {
		if p < 0 || p > 65535 {
			return errorf("option admin_port: want a port from 0 to 65535, got %d", p)
		}
	}
	if len(cfg.AdminPorts) == 1 && cfg.AdminPorts[0] == DefaultAdminPort {
		cfg.AdminPorts = nil
	}
	return nil
}

// introspectionOptions are the livestore options for cfg's admin ports
// and probe timeout.
func introspectionOptions(cfg *Config) []livestore.Option {
	opts := []livestore.Option{livestore.ProbeTimeout(cfg.ProbeTimeout)}
	switch {
	case cfg.AdminPorts == nil:
	case len(cfg.AdminPorts) == 1:
		opts = append(opts, livestore.AdminPort(cfg.AdminPorts[0]))
	default:
		opts = append(opts, livestore.AdminPort(0))
		for i, s := range cfg.Servers {
			if p := cfg.AdminPorts[i]; p != 0 {
				host, _, _ := strings.Cut(s, ":")
				if strings.HasPrefix(s, "[") {
					host = s[:strings.Index(s, "]")+1]
				}
				opts = append(opts, livestore.AdminAddr(s, host+":"+strconv.Itoa(p)))
			}
		}
	}
	return opts
}
