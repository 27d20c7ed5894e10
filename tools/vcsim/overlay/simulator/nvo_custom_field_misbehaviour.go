// nova-vmware-owner fix 14: run options for a vCenter that misbehaves.
//
// The checks meant to catch a vCenter on which fencing cannot hold (the
// product's doctor) need such a vCenter to be tested against. Both options
// depart from the vSphere Web Services API reference on purpose:
//
//   - --reuse-removed-keys (Nvo.ReuseRemovedKeys): AddCustomFieldDef hands
//     out the lowest key no definition holds, so a removed key comes back.
//     The reference (CustomFieldDef.key: "A unique ID used to reference
//     this custom field in assignments. This ID is unique for the lifetime
//     of the field (even across rename operations)") does not promise that a
//     removed key never returns; the fencing relies on it, and vcsim's keys
//     only grow while it runs.
//   - --accept-stale-setfield (Nvo.AcceptStaleSetField): SetField through a
//     key no definition holds succeeds and writes nothing, where the
//     reference says "InvalidArgument: if no custom field with that key
//     exists" (CustomFieldsManager.SetField).

package simulator

// newFieldKey returns the key for a new field definition.
func (c *CustomFieldsManager) newFieldKey() int32 {
	if !Nvo.ReuseRemovedKeys {
		return c.nextKey
	}
	for key := int32(0); ; key++ {
		if _, field := c.findByKey(key); field == nil {
			return key
		}
	}
}
