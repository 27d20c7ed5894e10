// nova-vmware-owner fix 4: an ExtensionManager that implements its methods.
//
// vcsim 0.24.2 lists an ExtensionManager in its ServiceContent but has no
// simulator type for it, so the registry holds a bare mo.ExtensionManager
// and every call answers MethodNotFound. nova's VMware driver calls
// FindExtension and RegisterExtension while starting, so it cannot start
// against vcsim. This file adds the type (registered in vcsim's kinds map,
// so NewServiceInstance creates it) with the four methods, keeping the
// extensions in the ExtensionList property as a real vCenter does.

package simulator

import (
	"reflect"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type ExtensionManager struct {
	mo.ExtensionManager
}

func init() {
	// kinds is vcsim's map of managed object type -> simulator type.
	kinds["ExtensionManager"] = reflect.TypeOf((*ExtensionManager)(nil)).Elem()
}

func (m *ExtensionManager) find(key string) int {
	for i := range m.ExtensionList {
		if m.ExtensionList[i].Key == key {
			return i
		}
	}
	return -1
}

func (m *ExtensionManager) FindExtension(req *types.FindExtension) soap.HasFault {
	res := &types.FindExtensionResponse{}
	if i := m.find(req.ExtensionKey); i >= 0 {
		ext := m.ExtensionList[i]
		res.Returnval = &ext
	}
	// An unknown key is not a fault: vCenter returns no value.
	return &methods.FindExtensionBody{Res: res}
}

func (m *ExtensionManager) RegisterExtension(req *types.RegisterExtension) soap.HasFault {
	body := &methods.RegisterExtensionBody{}
	if m.find(req.Extension.Key) >= 0 {
		// Callers (nova) look the key up first; registering it twice is
		// a client error.
		body.Fault_ = Fault("extension already registered: "+req.Extension.Key,
			&types.InvalidArgument{InvalidProperty: "extension.key"})
		return body
	}
	m.ExtensionList = append(m.ExtensionList, req.Extension)
	body.Res = &types.RegisterExtensionResponse{}
	return body
}

func (m *ExtensionManager) UpdateExtension(req *types.UpdateExtension) soap.HasFault {
	body := &methods.UpdateExtensionBody{}
	i := m.find(req.Extension.Key)
	if i < 0 {
		body.Fault_ = Fault("", &types.NotFound{})
		return body
	}
	m.ExtensionList[i] = req.Extension
	body.Res = &types.UpdateExtensionResponse{}
	return body
}

func (m *ExtensionManager) UnregisterExtension(req *types.UnregisterExtension) soap.HasFault {
	body := &methods.UnregisterExtensionBody{}
	i := m.find(req.ExtensionKey)
	if i < 0 {
		body.Fault_ = Fault("", &types.NotFound{})
		return body
	}
	m.ExtensionList = append(m.ExtensionList[:i], m.ExtensionList[i+1:]...)
	body.Res = &types.UnregisterExtensionResponse{}
	return body
}
