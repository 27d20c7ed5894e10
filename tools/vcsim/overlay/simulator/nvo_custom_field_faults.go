// nova-vmware-owner fix 12: the faults vCenter documents for a custom
// field key that does not exist.
//
// vSphere Web Services API reference, CustomFieldsManager:
// RemoveCustomFieldDef and RenameCustomFieldDef, "Faults: InvalidArgument:
// if no custom field with that key exists" (pyvmomi's copy of the
// reference, docs/vim/CustomFieldsManager.rst, says the same). vcsim
// 0.24.2 answered NotFound. Nvo.NativeFaults (run option --native-faults)
// keeps vcsim's answer.

package simulator

import (
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// unknownFieldKeyFault is the fault for a field definition key that no
// definition holds, in RemoveCustomFieldDef and RenameCustomFieldDef.
func unknownFieldKeyFault() *soap.Fault {
	if Nvo.NativeFaults {
		return Fault("", &types.NotFound{})
	}
	// vCenter's text for InvalidArgument names the parameter.
	return Fault("A specified parameter was not correct: key",
		&types.InvalidArgument{InvalidProperty: "key"})
}
