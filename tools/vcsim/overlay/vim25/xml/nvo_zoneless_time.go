// nova-vmware-owner fix 5: accept xsd:dateTime values without a time zone.
//
// XML Schema allows a dateTime without a zone ("2026-11-25T12:00:00"), and
// oslo.vmware sends exactly that (Extension.lastHeartbeatTime in
// RegisterExtension, from datetime.now().isoformat()). Go's time.Time
// only parses RFC 3339, which requires a zone, so vcsim rejected the whole
// request. vCenter reads such values as UTC; so do we, by appending "Z"
// before handing the text to time.Time (patch 0003 calls this).

package xml

import (
	"bytes"
	"encoding"
	"regexp"
	"time"
)

// zonelessDateTime matches an xsd:dateTime with no trailing Z or +hh:mm.
var zonelessDateTime = regexp.MustCompile(`^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$`)

func assumeUTCIfZoneless(val encoding.TextUnmarshaler, text []byte) []byte {
	if _, ok := val.(*time.Time); !ok {
		return text
	}
	t := bytes.TrimSpace(text)
	if !zonelessDateTime.Match(t) {
		return text
	}
	return append(append([]byte{}, t...), 'Z')
}
