package session

import (
	"strconv"
	"strings"

	"github.com/fazproxy/fazproxy/engine"
	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/wire"
)

// messageLevel orders severities as client_min_messages compares them.
func messageLevel(severity string) int {
	switch strings.ToLower(severity) {
	case "debug5":
		return 1
	case "debug4":
		return 2
	case "debug3":
		return 3
	case "debug2", "debug":
		return 4
	case "debug1":
		return 5
	case "log":
		return 6
	case "notice", "info":
		return 7
	case "warning":
		return 8
	}
	return 9 // error and above
}

// notice sends n unless client_min_messages filters it out. INFO is always
// sent, as in PostgreSQL.
func (s *Session) notice(out wire.ResultWriter, n *pgerr.Error) error {
	min, _ := s.settings.Get("client_min_messages")
	if !strings.EqualFold(n.Severity, "INFO") && messageLevel(n.Severity) < messageLevel(min) {
		return nil
	}
	return out.Notice(n)
}

// finish ends a completed statement: ParameterStatus for every reported
// parameter it changed (SET, set_config, a ROLLBACK that reverted one), then,
// for a statement that ran a plan, the capacity NOTICE when
// faz.show_capacity is on.
func (s *Session) finish(out wire.ResultWriter, stats *engine.Stats) error {
	for _, r := range s.settings.PendingReports() {
		if err := out.ParameterStatus(r.Name, r.Value); err != nil {
			return err
		}
	}
	if stats == nil || !s.settings.Bool("faz.show_capacity") {
		return nil
	}
	return s.notice(out, capacityNotice(stats))
}

// capacityNotice tells what a statement cost in DynamoDB terms.
func capacityNotice(st *engine.Stats) *pgerr.Error {
	return &pgerr.Error{
		Severity: "NOTICE",
		Code:     pgerr.SuccessfulCompletion,
		Message: "DynamoDB consumed " + strconv.FormatFloat(st.ConsumedCapacity, 'f', -1, 64) +
			" capacity units in " + strconv.Itoa(st.TotalRequests()) + " requests",
		Detail: "requests: " + st.RequestsString() + "; pages: " + strconv.Itoa(st.Pages) +
			"; items scanned: " + strconv.FormatInt(st.ItemsScanned, 10) +
			", returned: " + strconv.FormatInt(st.ItemsReturned, 10),
	}
}
