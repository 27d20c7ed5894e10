// nova-vmware-owner fix 9: integral values written as decimals.
//
// nova sends xsd:long values such as CreateVirtualDisk's capacityKb as
// "1024.0" (a Python float). vCenter accepts them; strconv.ParseInt does
// not, so vcsim rejected the whole request. A decimal whose fraction is
// zero is read as that integer (patch 0007 calls this); anything else is
// still an error.

package xml

import (
	"strconv"
	"strings"
)

func parseIntOrIntegralDecimal(s string, bits int) (int64, error) {
	i, err := strconv.ParseInt(s, 10, bits)
	if err == nil {
		return i, nil
	}
	dot := strings.IndexByte(s, '.')
	if dot <= 0 || strings.Trim(s[dot+1:], "0") != "" {
		return 0, err
	}
	if i, err2 := strconv.ParseInt(s[:dot], 10, bits); err2 == nil {
		return i, nil
	}
	return 0, err
}
