// nova-vmware-owner fix 15: a restricted user, privilege checks and the
// calls that report privileges.
//
// vcsim 0.24.2 lets any session do anything and answers every privilege
// query with "granted". A real vCenter checks each call's privilege on an
// object, and a service account may lack some. What this models:
//
//   - A second user (run options --restricted-username/--restricted-password,
//     Nvo.RestrictedUsername/RestrictedPassword) logs in besides the main
//     pair. Its role, "Restricted (vcsim)", has every privilege of the Admin
//     role except Nvo.WithheldPrivileges (--withheld-privileges, default
//     Global.ManageCustomFields,Global.SetCustomField,Global.LogEvent), and
//     is granted to it by a permission on the root folder that propagates.
//     Every other user is an administrator, as in vcsim.
//   - The calls below are refused with NoPermission naming the privilege
//     and the object it was checked on, before any other check (vSphere Web
//     Services API reference, fault NoPermission: "Thrown when an operation
//     is denied because of a privilege not held on a managed object";
//     object, privilegeId):
//       AddCustomFieldDef, RemoveCustomFieldDef, RenameCustomFieldDef:
//         Global.ManageCustomFields on the root folder (reference,
//         CustomFieldsManager: "Privilege: Global.ManageCustomFields";
//         vSphere Security, Global Privileges: "Manage custom attributes ...
//         Required on: Root vCenter Server");
//       SetField: Global.SetCustomField on the entity (vSphere Security,
//         Global Privileges: "Set custom attribute ... Required on: Any
//         object"; the reference lists the privilege as dynamic);
//       LogUserEvent: Global.LogEvent on the entity (vSphere Security,
//         Global Privileges: "Log event: Allows logging a user-defined event
//         against a particular managed entity. Required on: Any object").
//     No other call checks a privilege (PostEvent, which needs
//     Global.LogEvent, neither).
//   - AuthorizationManager.HasPrivilegeOnEntity and HasPrivilegeOnEntities
//     (by session: "If the session does not exist, false is returned for all
//     privileges"), HasUserPrivilegeOnEntities and
//     FetchUserPrivilegeOnEntities (by user name: "the list of effective
//     privileges for a user") answer from the permissions: the permission of
//     the user on the entity, else the nearest one on an ancestor that
//     propagates (reference, AuthorizationManager). A user who cannot log
//     in has no privilege. Group permissions are not evaluated.
//
// System.Anonymous, System.View and System.Read cannot be withheld: "For
// user-defined roles, the system-defined privileges ... are always present"
// (reference, AuthorizationManager); a user who cannot read is one without
// a permission, which is not modelled.

package simulator

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// DefaultWithheldPrivileges are the privileges the restricted user lacks
// unless --withheld-privileges says otherwise: those of the ownership
// record (definitions, values) and of its audit event.
var DefaultWithheldPrivileges = []string{
	"Global.ManageCustomFields", "Global.SetCustomField", "Global.LogEvent"}

// restrictedRoleName is the role given to Nvo.RestrictedUsername.
const restrictedRoleName = "Restricted (vcsim)"

// Validate checks the privilege options, before they are set as Nvo.
func (o NvoOptions) Validate() error {
	admin := object.AuthorizationRoleList(esx.RoleList).ByName("Admin")
	known := make(map[string]bool, len(admin.Privilege))
	for _, id := range admin.Privilege {
		known[id] = true
	}
	for _, id := range o.WithheldPrivileges {
		switch {
		case strings.HasPrefix(id, "System."):
			return fmt.Errorf("privilege %q cannot be withheld: every vCenter role has System.Anonymous, System.View and System.Read", id)
		case !known[id]:
			return fmt.Errorf("unknown privilege %q (not one of the Admin role's)", id)
		}
	}
	return nil
}

// nvoInit adds the restricted user's role and its permission on the root
// folder (called at the end of init).
func (m *AuthorizationManager) nvoInit(root types.ManagedObjectReference) {
	if Nvo.RestrictedUsername == "" {
		return
	}
	withheld := make(map[string]bool, len(Nvo.WithheldPrivileges))
	for _, id := range Nvo.WithheldPrivileges {
		withheld[id] = true
	}
	var privileges []string
	for _, id := range object.AuthorizationRoleList(m.RoleList).ByName("Admin").Privilege {
		if !withheld[id] {
			privileges = append(privileges, id)
		}
	}
	role := types.AuthorizationRole{
		RoleId:    m.nextID,
		Name:      restrictedRoleName,
		Info:      &types.Description{Label: restrictedRoleName, Summary: "Admin without " + strings.Join(Nvo.WithheldPrivileges, ", ")},
		Privilege: privileges,
	}
	m.nextID++
	m.RoleList = append(m.RoleList, role)
	m.permissions[root] = append(m.permissions[root], types.Permission{
		Entity:    &root,
		Principal: Nvo.RestrictedUsername,
		RoleId:    role.RoleId,
		Propagate: true,
	})
}

// nvoValidLogin tells whether the restricted pair logs in (ok), when the
// name is the restricted user's (handled).
func nvoValidLogin(req *types.Login) (handled, ok bool) {
	if Nvo.RestrictedUsername == "" || req.UserName != Nvo.RestrictedUsername {
		return false, false
	}
	return true, req.Password == Nvo.RestrictedPassword
}

// canLogIn tells whether user is one the simulator lets log in.
func canLogIn(ctx *Context, user string) bool {
	if user == "" {
		return false
	}
	if Nvo.RestrictedUsername != "" && user == Nvo.RestrictedUsername {
		return true
	}
	main := ctx.svc.Listen.User
	return main == nil || main == DefaultLogin || main.Username() == user
}

// parentOf returns the parent of an inventory object, nil for the root
// folder or an object that is not a managed entity.
func parentOf(ref types.ManagedObjectReference) *types.ManagedObjectReference {
	if e, ok := Map.Get(ref).(mo.Entity); ok {
		return e.Entity().Parent
	}
	return nil
}

// heldPrivileges returns the privileges user holds on entity: the role of the
// user's permission on entity, or of the nearest propagating one above it;
// the Admin role when there is none (vcsim's default). The caller holds
// m's lock.
func (m *AuthorizationManager) heldPrivileges(ctx *Context, user string, entity types.ManagedObjectReference) map[string]bool {
	held := map[string]bool{}
	if !canLogIn(ctx, user) {
		return held
	}
	roles := object.AuthorizationRoleList(m.RoleList)
	role := roles.ByName("Admin")
	if _, ok := Map.Get(entity).(mo.Entity); !ok {
		entity = Map.content().RootFolder // not an inventory object
	}
found:
	for ref, self := &entity, true; ref != nil; ref, self = parentOf(*ref), false {
		for _, p := range m.permissions[*ref] {
			if !p.Group && p.Principal == user && (self || p.Propagate) {
				role = roles.ById(p.RoleId)
				break found
			}
		}
	}
	if role != nil {
		for _, id := range role.Privilege {
			held[id] = true
		}
	}
	return held
}

// requiredPrivilege is the privilege vCenter checks for a call, and the
// object it checks it on; ok is false when the call checks none here.
func requiredPrivilege(method *Method) (privilege string, on types.ManagedObjectReference, ok bool) {
	switch req := method.Body.(type) {
	case *types.AddCustomFieldDef, *types.RemoveCustomFieldDef, *types.RenameCustomFieldDef:
		return "Global.ManageCustomFields", Map.content().RootFolder, true
	case *types.SetField:
		return "Global.SetCustomField", req.Entity, true
	case *types.LogUserEvent:
		return "Global.LogEvent", req.Entity, true
	}
	return "", types.ManagedObjectReference{}, false
}

// checkPrivilege returns the NoPermission fault vCenter answers when the
// session lacks the call's privilege, or nil (called by Service.call
// before the method, with no lock held).
func checkPrivilege(ctx *Context, method *Method) *soap.Fault {
	privilege, on, ok := requiredPrivilege(method)
	if !ok || ctx.Session == nil || Map.Get(on) == nil {
		return nil // not checked, or the method's own fault follows
	}
	m := Map.Get(*Map.content().AuthorizationManager).(*AuthorizationManager)
	var held bool
	Map.WithLock(m, func() {
		held = m.heldPrivileges(ctx, ctx.Session.UserName, on)[privilege]
	})
	if held {
		return nil
	}
	return Fault("Permission to perform this operation was denied.",
		&types.NoPermission{Object: on, PrivilegeId: privilege})
}

// entityPrivileges answers for user on each entity, or a fault when one
// does not exist.
func (m *AuthorizationManager) entityPrivileges(ctx *Context, user string, entities []types.ManagedObjectReference, ids []string) ([]types.EntityPrivilege, *soap.Fault) {
	var result []types.EntityPrivilege
	for _, e := range entities {
		if Map.Get(e) == nil {
			return nil, Fault("", &types.ManagedObjectNotFound{Obj: e})
		}
		held := m.heldPrivileges(ctx, user, e)
		p := types.EntityPrivilege{Entity: e}
		for _, id := range ids {
			p.PrivAvailability = append(p.PrivAvailability, types.PrivilegeAvailability{
				PrivId: id, IsGranted: held[id]})
		}
		result = append(result, p)
	}
	return result, nil
}

// sessionUser is the user of a session id, "" when there is none.
func sessionUser(ctx *Context, id string) string {
	if s, ok := ctx.svc.sm.getSession(id); ok {
		return s.UserName
	}
	return ""
}

func (m *AuthorizationManager) HasPrivilegeOnEntity(ctx *Context, req *types.HasPrivilegeOnEntity) soap.HasFault {
	body := &methods.HasPrivilegeOnEntityBody{}
	p, fault := m.entityPrivileges(ctx, sessionUser(ctx, req.SessionId),
		[]types.ManagedObjectReference{req.Entity}, req.PrivId)
	if fault != nil {
		body.Fault_ = fault
		return body
	}
	granted := make([]bool, len(req.PrivId))
	for i, a := range p[0].PrivAvailability {
		granted[i] = a.IsGranted
	}
	body.Res = &types.HasPrivilegeOnEntityResponse{Returnval: granted}
	return body
}

func (m *AuthorizationManager) HasPrivilegeOnEntities(ctx *Context, req *types.HasPrivilegeOnEntities) soap.HasFault {
	body := &methods.HasPrivilegeOnEntitiesBody{}
	p, fault := m.entityPrivileges(ctx, sessionUser(ctx, req.SessionId), req.Entity, req.PrivId)
	if fault != nil {
		body.Fault_ = fault
		return body
	}
	body.Res = &types.HasPrivilegeOnEntitiesResponse{Returnval: p}
	return body
}

func (m *AuthorizationManager) HasUserPrivilegeOnEntities(ctx *Context, req *types.HasUserPrivilegeOnEntities) soap.HasFault {
	body := &methods.HasUserPrivilegeOnEntitiesBody{}
	p, fault := m.entityPrivileges(ctx, req.UserName, req.Entities, req.PrivId)
	if fault != nil {
		body.Fault_ = fault
		return body
	}
	body.Res = &types.HasUserPrivilegeOnEntitiesResponse{Returnval: p}
	return body
}

func (m *AuthorizationManager) FetchUserPrivilegeOnEntities(ctx *Context, req *types.FetchUserPrivilegeOnEntities) soap.HasFault {
	body := &methods.FetchUserPrivilegeOnEntitiesBody{}
	var result []types.UserPrivilegeResult
	for _, e := range req.Entities {
		if Map.Get(e) == nil {
			body.Fault_ = Fault("", &types.ManagedObjectNotFound{Obj: e})
			return body
		}
		r := types.UserPrivilegeResult{Entity: e}
		for id := range m.heldPrivileges(ctx, req.UserName, e) {
			r.Privileges = append(r.Privileges, id)
		}
		sort.Strings(r.Privileges)
		result = append(result, r)
	}
	body.Res = &types.FetchUserPrivilegeOnEntitiesResponse{Returnval: result}
	return body
}
