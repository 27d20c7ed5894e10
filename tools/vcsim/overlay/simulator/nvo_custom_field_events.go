// nova-vmware-owner fix 13: custom field changes post vCenter's events.
//
// vSphere Web Services API reference, data objects CustomFieldDefAddedEvent,
// CustomFieldDefRemovedEvent, CustomFieldDefRenamedEvent ("This event
// records the renaming of a custom field definition", with newName) and
// CustomFieldValueChangedEvent ("This event records a change to a custom
// field value for a particular entity": entity, fieldKey, name "at the
// time the value was changed", value; prevState since vSphere API 6.5,
// which oslo.vmware's 7.0 schema and govmomi 0.24.2's types both carry).
// vCenter posts one event per AddCustomFieldDef, RemoveCustomFieldDef,
// RenameCustomFieldDef and SetField; vcsim 0.24.2 posted none.
//
// A definition event names no entity (it is about the whole vCenter), so
// only a query on the root folder finds it. A value event names its entity
// in "entity" and, like every event about an inventory object, in the typed
// argument (computeResource for a cluster, vm, host, ...) and the
// datacenter, so an EventFilterSpec on the cluster finds it.
//
// Not verified against a real vCenter: the fullFormattedMessage texts
// (vCenter formats them from its locale catalogue, which is not in the
// reference; these follow its wording as far as we know it), whether a
// SetField that writes the value already there posts an event (here it
// does), and that RemoveCustomFieldDef posts no value event for the values
// it deletes (here it posts none).

package simulator

import (
	"fmt"

	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// setEventEntity names entity in the typed arguments of event, as vCenter
// does for an event about an inventory object: the argument for its type
// and its datacenter. It returns the entity's argument.
func setEventEntity(event *types.Event, entity mo.Entity) types.ManagedEntityEventArgument {
	me := entity.Entity()
	ref := entity.Reference()
	arg := types.EntityEventArgument{Name: me.Name}
	switch ref.Type {
	case "ClusterComputeResource", "ComputeResource":
		event.ComputeResource = &types.ComputeResourceEventArgument{EntityEventArgument: arg, ComputeResource: ref}
	case "HostSystem":
		event.Host = &types.HostEventArgument{EntityEventArgument: arg, Host: ref}
	case "VirtualMachine":
		event.Vm = &types.VmEventArgument{EntityEventArgument: arg, Vm: ref}
	case "Datastore":
		event.Ds = &types.DatastoreEventArgument{EntityEventArgument: arg, Datastore: ref}
	case "Datacenter":
		event.Datacenter = &types.DatacenterEventArgument{EntityEventArgument: arg, Datacenter: ref}
	}
	if event.Datacenter == nil && me.Parent != nil {
		if dc := Map.getEntityDatacenter(entity); dc != nil {
			event.Datacenter = &types.DatacenterEventArgument{
				EntityEventArgument: types.EntityEventArgument{Name: dc.Name},
				Datacenter:          dc.Self,
			}
		}
	}
	return types.ManagedEntityEventArgument{EntityEventArgument: arg, Entity: ref}
}

func fieldDefEvent(def *types.CustomFieldDef, message string) types.CustomFieldDefEvent {
	e := types.CustomFieldDefEvent{FieldKey: def.Key, Name: def.Name}
	e.FullFormattedMessage = message
	return e
}

func postFieldDefAdded(ctx *Context, def *types.CustomFieldDef) {
	ctx.postEvent(&types.CustomFieldDefAddedEvent{
		CustomFieldDefEvent: fieldDefEvent(def, "Created new custom field definition "+def.Name),
	})
}

func postFieldDefRemoved(ctx *Context, def *types.CustomFieldDef) {
	ctx.postEvent(&types.CustomFieldDefRemovedEvent{
		CustomFieldDefEvent: fieldDefEvent(def, "Removed field definition "+def.Name),
	})
}

// postFieldDefRenamed posts the rename of def (still under its old name)
// to newName.
func postFieldDefRenamed(ctx *Context, def *types.CustomFieldDef, newName string) {
	ctx.postEvent(&types.CustomFieldDefRenamedEvent{
		CustomFieldDefEvent: fieldDefEvent(def, fmt.Sprintf(
			"Renamed field definition from %s to %s", def.Name, newName)),
		NewName: newName,
	})
}

// postFieldValueChanged posts SetField's event: def's value on entity is
// now value; prev is the value before, if there was one.
func postFieldValueChanged(ctx *Context, def *types.CustomFieldDef, entity mo.Entity, value string, prev *string) {
	e := &types.CustomFieldValueChangedEvent{FieldKey: def.Key, Name: def.Name, Value: value}
	e.Entity = setEventEntity(&e.Event, entity)
	if prev != nil {
		e.PrevState = *prev
	}
	where := ""
	if e.Datacenter != nil && e.Datacenter.Datacenter != entity.Reference() {
		where = " in " + e.Datacenter.Name
	}
	e.FullFormattedMessage = fmt.Sprintf("Changed custom field %s on %s%s to %s",
		def.Name, e.Entity.Name, where, value)
	ctx.postEvent(e)
}

// customFieldValue returns the value of key in values, or nil.
func customFieldValue(values []types.BaseCustomFieldValue, key int32) *string {
	for _, v := range values {
		if s, ok := v.(*types.CustomFieldStringValue); ok && s.Key == key {
			value := s.Value
			return &value
		}
	}
	return nil
}
