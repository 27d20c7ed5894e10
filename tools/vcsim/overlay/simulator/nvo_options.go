// nova-vmware-owner: the run options that change how the simulator answers.
//
// The launcher (tools/vcsim/main.go) sets Nvo from its command line before
// it serves; the patched handlers read it. The zero value is the faithful
// simulator: every field departs from what the vSphere Web Services API
// reference documents, or adds a user, on request only.

package simulator

// NvoOptions are the run options of nova-vmware-owner's fixes 12-15
// (tools/vcsim/README.rst).
type NvoOptions struct {
	// NativeFaults keeps vcsim's own NotFound where vCenter documents
	// InvalidArgument (RemoveCustomFieldDef and RenameCustomFieldDef of a
	// key that does not exist), so a client can be tested on both.
	NativeFaults bool

	// ReuseRemovedKeys makes AddCustomFieldDef hand out the lowest key no
	// definition holds, a removed one included (a misbehaving vCenter).
	ReuseRemovedKeys bool

	// AcceptStaleSetField makes SetField through a key that no definition
	// holds succeed without writing anything, instead of InvalidArgument
	// (a misbehaving vCenter).
	AcceptStaleSetField bool

	// RestrictedUsername and RestrictedPassword log in a second user
	// (besides the launcher's --username pair) whose role lacks
	// WithheldPrivileges.
	RestrictedUsername string
	RestrictedPassword string
	WithheldPrivileges []string
}

// Nvo is this run's options; set once, before the server starts.
var Nvo NvoOptions
