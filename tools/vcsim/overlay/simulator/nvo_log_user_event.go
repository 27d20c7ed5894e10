// nova-vmware-owner fix 7: EventManager.LogUserEvent.
//
// vcsim 0.24.2 implements PostEvent but not LogUserEvent, the call a
// vSphere client uses to leave a note in an entity's event history. Our
// product audits every claim, takeover and release with it, on the
// cluster. Like vCenter, this records a GeneralUserEvent that names the
// entity both in its "entity" field and in the matching typed argument
// (computeResource for a cluster, vm, host, ...), so an EventFilterSpec on
// that entity finds it through QueryEvents or an EventHistoryCollector.

package simulator

import (
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func (m *EventManager) LogUserEvent(ctx *Context, req *types.LogUserEvent) soap.HasFault {
	body := &methods.LogUserEventBody{}

	obj, ok := Map.Get(req.Entity).(mo.Entity)
	if !ok {
		body.Fault_ = Fault("", &types.ManagedObjectNotFound{Obj: req.Entity})
		return body
	}
	name := obj.Entity().Name
	arg := types.EntityEventArgument{Name: name}

	event := &types.GeneralUserEvent{
		GeneralEvent: types.GeneralEvent{Message: req.Msg},
		Entity: &types.ManagedEntityEventArgument{
			EntityEventArgument: arg,
			Entity:              req.Entity,
		},
	}
	e := &event.Event
	switch req.Entity.Type {
	case "ClusterComputeResource", "ComputeResource":
		e.ComputeResource = &types.ComputeResourceEventArgument{EntityEventArgument: arg, ComputeResource: req.Entity}
	case "HostSystem":
		e.Host = &types.HostEventArgument{EntityEventArgument: arg, Host: req.Entity}
	case "VirtualMachine":
		e.Vm = &types.VmEventArgument{EntityEventArgument: arg, Vm: req.Entity}
	case "Datastore":
		e.Ds = &types.DatastoreEventArgument{EntityEventArgument: arg, Datastore: req.Entity}
	case "Datacenter":
		e.Datacenter = &types.DatacenterEventArgument{EntityEventArgument: arg, Datacenter: req.Entity}
	}
	// vcsim has no message template for this event type; this is
	// vCenter's wording.
	e.FullFormattedMessage = "User logged event: " + req.Msg

	// Called with the EventManager already locked by Service.call.
	m.PostEvent(ctx, &types.PostEvent{EventToPost: event})

	body.Res = &types.LogUserEventResponse{}
	return body
}
