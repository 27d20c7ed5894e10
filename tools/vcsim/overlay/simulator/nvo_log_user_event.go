// nova-vmware-owner fix 7: EventManager.LogUserEvent.
//
// vcsim 0.24.2 implements PostEvent but not LogUserEvent, the call a
// vSphere client uses to leave a note in an entity's event history. Our
// product audits every claim, takeover and release with it, on the
// cluster. Like vCenter, this records a GeneralUserEvent that names the
// entity both in its "entity" field and in the matching typed argument
// (computeResource for a cluster, vm, host, ...) with its datacenter, so an
// EventFilterSpec on that entity finds it through QueryEvents or an
// EventHistoryCollector.

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
	event := &types.GeneralUserEvent{GeneralEvent: types.GeneralEvent{Message: req.Msg}}
	// The entity in "entity", its typed argument and its datacenter
	// (nvo_custom_field_events.go).
	arg := setEventEntity(&event.Event, obj)
	event.Entity = &arg
	e := &event.Event
	// vcsim has no message template for this event type; this is
	// vCenter's wording.
	e.FullFormattedMessage = "User logged event: " + req.Msg

	// Called with the EventManager already locked by Service.call.
	m.PostEvent(ctx, &types.PostEvent{EventToPost: event})

	body.Res = &types.LogUserEventResponse{}
	return body
}
