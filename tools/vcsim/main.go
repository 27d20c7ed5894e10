// Command vcsim is nova-vmware-owner's vCenter simulator launcher.
//
// It builds govmomi's simulator (vcsim) inventory, serves it over HTTP or
// HTTPS, and stays in the foreground until SIGTERM or SIGINT. Unlike
// govmomi's own vcsim command it also serves the VIM WSDL (generated at
// build time into ./wsdl and embedded), so oslo.vmware clients need no
// wsdl_loc, and it announces readiness by writing its URL to a file.
//
// Start it with tools/vcsim/run, which builds it first; the options are a
// public contract (doc: DESIGN.md section 11), see usage below.
package main

import (
	"crypto/tls"
	"embed"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

// wsdlFiles are the VIM WSDL and the schemas it imports, served under
// /sdk/ as a real vCenter does (oslo.vmware loads /sdk/vimService.wsdl).
//
//go:embed wsdl/*
var wsdlFiles embed.FS

// closeTimeout bounds the wait for in-flight requests (a WaitForUpdates
// long poll could otherwise hold the shutdown forever).
const closeTimeout = 5 * time.Second

type options struct {
	listen          string
	datacenters     int
	clusters, hosts int
	vms             int
	username        string
	password        string
	tlsCert, tlsKey string
	urlFile         string
	trace           bool
	// How the simulator answers (simulator.Nvo; README.rst fixes 12-15).
	nvo      simulator.NvoOptions
	withheld string
}

func parseOptions() (*options, error) {
	o := &options{}
	flag.StringVar(&o.listen, "listen", "127.0.0.1:0", "`HOST:PORT` to listen on; port 0 picks a free port")
	flag.IntVar(&o.datacenters, "datacenters", 1, "number of datacenters (named DC0, DC1, ...), each with the clusters")
	flag.IntVar(&o.clusters, "clusters", 1, "number of clusters per datacenter (named DC0_C0, DC0_C1, ..., DC1_C0, ...)")
	flag.IntVar(&o.hosts, "hosts", 3, "number of hosts per cluster")
	flag.IntVar(&o.vms, "vms", 2, "number of VMs per cluster")
	flag.StringVar(&o.username, "username", "", "the user name that may log in (with --password; besides --restricted-username); without it any pair logs in")
	flag.StringVar(&o.password, "password", "", "the password for --username")
	flag.StringVar(&o.tlsCert, "tls-cert", "", "PEM certificate `FILE`; serve HTTPS (with --tls-key)")
	flag.StringVar(&o.tlsKey, "tls-key", "", "PEM private key `FILE` for --tls-cert")
	flag.StringVar(&o.urlFile, "url-file", "", "write the service URL to `FILE` once ready")
	flag.BoolVar(&o.trace, "trace", false, "log SOAP requests and responses to stderr (debugging)")
	flag.StringVar(&o.nvo.RestrictedUsername, "restricted-username", "",
		"a second user that may log in (with --restricted-password), whose role lacks --withheld-privileges")
	flag.StringVar(&o.nvo.RestrictedPassword, "restricted-password", "", "the password for --restricted-username")
	flag.StringVar(&o.withheld, "withheld-privileges", strings.Join(simulator.DefaultWithheldPrivileges, ","),
		"comma-separated `PRIVILEGES` the restricted user lacks (may be empty)")
	flag.BoolVar(&o.nvo.NativeFaults, "native-faults", false,
		"answer RemoveCustomFieldDef/RenameCustomFieldDef of an unknown key with vcsim's NotFound, not vCenter's InvalidArgument")
	flag.BoolVar(&o.nvo.ReuseRemovedKeys, "reuse-removed-keys", false,
		"misbehave: AddCustomFieldDef hands out the lowest free key, a removed one included")
	flag.BoolVar(&o.nvo.AcceptStaleSetField, "accept-stale-setfield", false,
		"misbehave: SetField through a removed key succeeds and writes nothing")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: tools/vcsim/run [options]\n"+
			"Runs a vCenter simulator until SIGTERM/SIGINT (see tools/vcsim/README.rst).\n"+
			"Options (-x and --x are the same):\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	switch {
	case flag.NArg() != 0:
		return nil, fmt.Errorf("unexpected argument %q", flag.Arg(0))
	case o.datacenters < 0 || o.clusters < 0 || o.hosts < 0 || o.vms < 0:
		return nil, fmt.Errorf("--datacenters, --clusters, --hosts and --vms must not be negative")
	case (o.username == "") != (o.password == ""):
		return nil, fmt.Errorf("--username and --password go together")
	case (o.tlsCert == "") != (o.tlsKey == ""):
		return nil, fmt.Errorf("--tls-cert and --tls-key go together")
	case (o.nvo.RestrictedUsername == "") != (o.nvo.RestrictedPassword == ""):
		return nil, fmt.Errorf("--restricted-username and --restricted-password go together")
	case o.nvo.RestrictedUsername != "" && o.nvo.RestrictedUsername == o.username:
		return nil, fmt.Errorf("--restricted-username must differ from --username")
	}
	for _, id := range strings.Split(o.withheld, ",") {
		if id = strings.TrimSpace(id); id != "" {
			o.nvo.WithheldPrivileges = append(o.nvo.WithheldPrivileges, id)
		}
	}
	if err := o.nvo.Validate(); err != nil {
		return nil, fmt.Errorf("--withheld-privileges: %v", err)
	}
	return o, nil
}

// serveWSDL registers a handler for each embedded WSDL/XSD file.
func serveWSDL(mux *http.ServeMux) error {
	names, err := fs.Glob(wsdlFiles, "wsdl/*")
	if err != nil || len(names) == 0 {
		return fmt.Errorf("no embedded WSDL files (build problem): %v", err)
	}
	for _, name := range names {
		data, err := wsdlFiles.ReadFile(name)
		if err != nil {
			return err
		}
		mux.HandleFunc("/sdk/"+filepath.Base(name), func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			_, _ = w.Write(data)
		})
	}
	return nil
}

// writeFileAtomically writes data so that a reader sees all of it or no
// file at all: the test fixture polls for the URL file.
func writeFileAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".vcsim-url-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func run(o *options) error {
	// Before the inventory is made: the AuthorizationManager's init adds
	// the restricted user's role.
	simulator.Nvo = o.nvo
	model := simulator.VPX()
	model.Datacenter = o.datacenters
	model.Cluster = o.clusters
	model.ClusterHost = o.hosts
	// VMs are created per resource pool; with no standalone host and no
	// child pools that means per cluster (in its root pool "Resources").
	model.Machine = o.vms
	model.Host = 0
	if err := model.Create(); err != nil {
		return fmt.Errorf("creating the inventory: %v", err)
	}
	// Create makes a temporary directory per datastore; remove them.
	defer model.Remove()

	simulator.Trace = o.trace

	service := model.Service
	service.Listen = &url.URL{Host: o.listen}
	if o.username != "" {
		// vcsim accepts any non-empty pair unless Listen carries one;
		// then only that pair logs in and others get InvalidLogin.
		service.Listen.User = url.UserPassword(o.username, o.password)
	}
	if o.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return fmt.Errorf("loading --tls-cert/--tls-key: %v", err)
		}
		service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	// NewServer keeps a ServeMux set beforehand and adds /sdk etc. to it.
	service.ServeMux = http.NewServeMux()
	if err := serveWSDL(service.ServeMux); err != nil {
		return err
	}

	// Trap signals before announcing readiness, so a prompt SIGTERM from
	// whoever read the URL file still exits cleanly.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	server := service.NewServer()
	sdk := url.URL{Scheme: server.URL.Scheme, Host: server.URL.Host, Path: server.URL.Path}
	log.Printf("vcsim: %d datacenter(s) x %d cluster(s) x %d host(s), %d VM(s) per cluster; serving %s",
		o.datacenters, o.clusters, o.hosts, o.vms, sdk.String())
	if n := o.nvo; n.RestrictedUsername != "" || n.NativeFaults || n.ReuseRemovedKeys || n.AcceptStaleSetField {
		log.Printf("vcsim: restricted user %q without %v; native faults %v; reuse removed keys %v; accept stale SetField %v",
			n.RestrictedUsername, n.WithheldPrivileges, n.NativeFaults, n.ReuseRemovedKeys, n.AcceptStaleSetField)
	}
	if o.urlFile != "" {
		if err := writeFileAtomically(o.urlFile, []byte(sdk.String()+"\n")); err != nil {
			server.Close()
			return fmt.Errorf("writing --url-file: %v", err)
		}
	}

	sig := <-stop
	log.Printf("vcsim: %s, stopping", sig)
	closed := make(chan struct{})
	go func() {
		server.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(closeTimeout):
		log.Printf("vcsim: requests still in flight after %s, exiting anyway", closeTimeout)
	}
	return nil
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	o, err := parseOptions()
	if err != nil {
		fmt.Fprintf(os.Stderr, "vcsim: %v\n", err)
		flag.Usage()
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "vcsim: %v\n", err)
		os.Exit(1)
	}
}
