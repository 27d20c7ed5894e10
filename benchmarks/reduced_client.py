#!/usr/bin/env python3
"""The reduced VIM client against today's, each in fresh processes.

A throwaway of issue 24's first part (not in ``run-all``): it proves the
reduced WSDL (``vsphere/wsdl/reduced/``) against the simulator and
measures what the package's vCenter session costs, before the package
uses it. Each measure is a process of its own (``--child``), alternated
with the others, repeated; medians.

Ways of opening the session (``vcenter.Session``, bounded login):

``full-uncached``
    today's ``vcenter.connect`` without the on-disk cache: the WSDL
    downloaded from vCenter and the whole client built;
``full-cached``
    today's ``vcenter.connect``, the cache warm: the WSDL downloaded,
    hashed, the client unpickled (every restart today);
``reduced``
    the reduced WSDL from the package, its ``TypeCheck`` on;
``every-fault``
    a reduced WSDL with every fault of the schemas
    (``tools/wsdl/gen_reduced.py --every-fault``), to show what they cost.

Each child imports the package's ``vcenter`` and ``store``, opens the
session, logs in, and reads one cluster's record (``ClusterStore.read``:
one ``RetrievePropertiesEx`` of ``customValue`` with the field
definitions); it reports seconds and resident memory after each step.
``--prove`` instead walks every vCenter call of the store, ``list``'s
reading and ``doctor``'s coming calls through the reduced client, faults
included, and fails on the first surprise.

``--cli ARGS`` runs ``nova-vmware-owner ARGS`` with its session opened on
the reduced WSDL (what the package will do), for timing it as a whole
process; ``--driver`` runs ``_startup_child.py`` likewise.

    python benchmarks/reduced_client.py [--repeat N] [--prove]
"""

import argparse
import atexit
import json
import os
import runpy
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GENERATOR = os.path.join(REPO, 'tools', 'wsdl', 'gen_reduced.py')
MODES = ('full-uncached', 'full-cached', 'reduced', 'every-fault')


def rss_mib():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0


def peak_mib():
    # VmHWM, not ru_maxrss: that one keeps the parent's peak across
    # fork and exec.
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024.0


def reduced_connect(wsdl_folder=None):
    """``vcenter.connect`` as it will be: the reduced WSDL, checked."""
    from nova.virt.vmwareapi.ownership.vsphere import vcenter
    from nova.virt.vmwareapi.ownership.vsphere.wsdl import reduced
    url = reduced.WSDL_URL if wsdl_folder is None else (
        'file://' + os.path.join(wsdl_folder, 'vimService.wsdl'))

    def connect(endpoint, timeout, cache=None):
        with vcenter.translated('Login', endpoint, endpoint.username):
            session = vcenter.Session(endpoint, timeout, wsdl_loc=url,
                                      create_session=False)
            reduced.check_types(session.vim.client)
            session.login_again()
            return session
    vcenter.connect = connect
    return connect


def child(args):
    """One measure, in this fresh process."""
    times, memory = {}, {'start': rss_mib()}
    started = time.perf_counter()
    from oslo_vmware import vim_util

    from nova.virt.vmwareapi.ownership import exceptions
    from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
    from nova.virt.vmwareapi.ownership.vsphere import vcenter
    times['import'] = time.perf_counter() - started
    memory['import'] = rss_mib()
    endpoint = vcenter.Endpoint(args['host'], args['port'], args['user'],
                                args['password'], ca_file=args['ca_file'],
                                scheme=args['scheme'])
    if args['mode'] == 'reduced':
        reduced_connect()
    elif args['mode'] == 'every-fault':
        reduced_connect(args['every_fault'])
    started = time.perf_counter()
    session = vcenter.connect(endpoint, 30)
    times['connect'] = time.perf_counter() - started
    memory['connect'] = rss_mib()
    cluster = vim_util.get_moref(args['cluster'], 'ClusterComputeResource')
    store = store_mod.VCenterStore(
        session, cluster, args['attribute'],
        exceptions.Location('DC0_C0', str(endpoint)))
    started = time.perf_counter()
    store.read()
    times['read'] = time.perf_counter() - started
    memory['read'] = rss_mib()
    memory['peak'] = peak_mib()
    session.logout()
    print('RESULT ' + json.dumps({'times': times, 'memory': memory}))


def prove(args):
    """Every call through the reduced client; fail on a surprise."""
    from oslo_vmware import vim_util

    from nova.virt.vmwareapi.ownership import exceptions
    from nova.virt.vmwareapi.ownership.vsphere import fleet
    from nova.virt.vmwareapi.ownership.vsphere import store as store_mod
    from nova.virt.vmwareapi.ownership.vsphere import vcenter
    from nova.virt.vmwareapi.ownership.vsphere.wsdl import reduced
    reduced_connect()
    endpoint = vcenter.Endpoint(args['host'], args['port'], args['user'],
                                args['password'], ca_file=args['ca_file'],
                                scheme=args['scheme'])
    session = vcenter.connect(endpoint, 30)
    assert session.vim.wsdl_url == reduced.WSDL_URL
    content = vcenter.service_content(session)
    print('login: vCenter %s, API %s; requests name %s' % (
        vcenter.vcenter_uuid(session), content.about.apiVersion,
        reduced.api_version()))
    ref = vcenter.find_cluster(session, 'DC0_C0')
    attribute = 'prove.%d' % os.getpid()
    store = store_mod.VCenterStore(session, ref, attribute,
                                   exceptions.Location('DC0_C0',
                                                       str(endpoint)))
    assert store.read().attribute_key is None
    key = store.ensure_attribute()
    lease = store.create_lease()
    try:
        store.create_lease()
        raise AssertionError('a second lease was created')
    except exceptions.DuplicateName as e:
        print('AddCustomFieldDef twice: %s' % e)
    store.write_lease(lease, '{"v":1,"host":"compute-a"}')
    store.write_attribute(key, '{"v":1,"host":"compute-a","token":%d}'
                          % lease)
    reading = store.read()
    assert reading.lease_raw == '{"v":1,"host":"compute-a"}', reading
    store.post_event('reduced client: proof')
    store.remove_lease(lease)
    for what, call, faults in (
            ('RemoveCustomFieldDef of a removed key',
             lambda: store.remove_lease(lease),
             (exceptions.DefinitionGone,)),
            ('SetField through a removed key',
             lambda: store.write_lease(lease, 'late'),
             (exceptions.DefinitionGone,))):
        try:
            call()
            raise AssertionError(what + ' succeeded')
        except faults as e:
            print('%s: %s' % (what, e))
    clusters = fleet.read(session, attribute, str(endpoint))
    print('list reads %d clusters' % len(clusters))
    instance = vim_util.get_moref('ServiceInstance', 'ServiceInstance')
    print('CurrentTime: %s' % session.vim.CurrentTime(instance))
    factory = session.vim.client.factory
    spec = factory.create('ns0:EventFilterSpec')
    spec.entity = factory.create('ns0:EventFilterSpecByEntity')
    spec.entity.entity, spec.entity.recursion = ref, 'self'
    spec.eventTypeId = ['GeneralUserEvent']
    events = session.vim.QueryEvents(content.eventManager, filter=spec)
    print('QueryEvents: %s' % [e.fullFormattedMessage for e in events])
    spec.eventTypeId = []
    try:
        session.vim.QueryEvents(content.eventManager, filter=spec)
    except Exception as e:  # noqa: BLE001 - what is raised is the proof
        print('QueryEvents of every type: %s' % reduced.not_understood(e))
    (_, found), = vcenter.collect(session, [(content.sessionManager,
                                             'SessionManager',
                                             ['currentSession'])])
    user = found['currentSession']
    granted = session.vim.HasPrivilegeOnEntities(
        content.authorizationManager, entity=[ref], sessionId=user.key,
        privId=['Global.SetCustomField'])
    print('HasPrivilegeOnEntities: %s' % [
        (p.privId, p.isGranted) for p in granted[0].privAvailability])
    privileges = session.vim.FetchUserPrivilegeOnEntities(
        content.authorizationManager, entities=[ref], userName=user.userName)
    print('FetchUserPrivilegeOnEntities: %d privileges'
          % len(privileges[0].privileges))
    vcenter.invoke(session, 'RenameCustomFieldDef',
                   content.customFieldsManager, key=key,
                   name=attribute + '.renamed')
    vcenter.invoke(session, 'RemoveCustomFieldDef',
                   content.customFieldsManager, key=key)
    session.logout()
    print('proved: every call of the list went through the reduced client')


def run_child(args, mode, cache=None):
    env = dict(os.environ)
    env['NOVA_VMWARE_OWNER_WSDL_CACHE'] = cache or ''
    argv = [sys.executable, __file__, '--child',
            json.dumps(dict(args, mode=mode))]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=300, env=env,
        stdin=subprocess.DEVNULL, cwd='/')
    lines = [line for line in done.stdout.splitlines()
             if line.startswith('RESULT ')]
    if done.returncode or not lines:
        sys.exit('%s failed (exit %s):\n%s' % (mode, done.returncode,
                                               done.stderr[-3000:]))
    return json.loads(lines[-1][len('RESULT '):])


def measure(args, repeat):
    """Medians of ``repeat`` children of each mode, alternated."""
    with tempfile.TemporaryDirectory() as folder:
        cache = os.path.join(folder, 'cache')
        args['every_fault'] = os.path.join(folder, 'every-fault')
        subprocess.run([sys.executable, GENERATOR, '--every-fault', '--out',
                        args['every_fault']], check=True,
                       stdout=subprocess.DEVNULL)
        run_child(args, 'full-cached', cache)  # fills the cache
        runs = {mode: [] for mode in MODES}
        for _ in range(repeat):
            for mode in MODES:
                runs[mode].append(run_child(
                    args, mode, cache if mode == 'full-cached' else None))
    table = {}
    for mode in MODES:
        row = {}
        for part in ('import', 'connect', 'read'):
            row[part + '_s'] = statistics.median(
                r['times'][part] for r in runs[mode])
        for part in ('import', 'connect', 'read', 'peak'):
            row[part + '_mib'] = statistics.median(
                r['memory'][part] for r in runs[mode])
        table[mode] = row
        print('%-13s import %5.0f ms, connect %5.0f ms, read %4.1f ms; '
              'RSS after import %5.1f MiB, after connect %+5.1f, after read '
              '%+5.1f, peak %5.1f MiB' % (
                  mode, row['import_s'] * 1000, row['connect_s'] * 1000,
                  row['read_s'] * 1000, row['import_mib'],
                  row['connect_mib'] - row['import_mib'],
                  row['read_mib'] - row['import_mib'], row['peak_mib']))
    print('RESULT ' + json.dumps({'benchmark': 'reduced_client',
                                  'repeat': repeat, 'modes': table}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--child', help=argparse.SUPPRESS)
    parser.add_argument('--cli', nargs=argparse.REMAINDER,
                        help='run nova-vmware-owner on the reduced client')
    parser.add_argument('--driver', nargs=argparse.REMAINDER,
                        help="run _startup_child.py on the reduced client")
    parser.add_argument('--repeat', type=int, default=7)
    parser.add_argument('--prove', action='store_true')
    parser.add_argument('--url', help='a running simulator (http), else '
                        'one is started (TLS)')
    args = parser.parse_args()
    if args.child:
        return child(json.loads(args.child))
    # --cli and --driver: a WSDL folder other than the package's (e.g.
    # gen_reduced.py --every-fault --out F) in $REDUCED_WSDL_FOLDER.
    folder = os.environ.get('REDUCED_WSDL_FOLDER')
    if args.cli is not None:
        sys.path.insert(0, REPO)
        reduced_connect(folder)
        from nova.virt.vmwareapi.ownership import cmd
        sys.argv = ['nova-vmware-owner'] + args.cli
        return cmd.main()
    if args.driver is not None:
        # _startup_child.py's argument, its driver "reduced" being ours on
        # the reduced client; memory printed at exit.
        start = json.loads(args.driver[0])
        reduce = start['driver'] == 'reduced'
        start['driver'] = 'ours' if reduce else start['driver']
        atexit.register(lambda: print('MEMORY ' + json.dumps(
            {'rss_mib': rss_mib(), 'peak_mib': peak_mib()})))
        sys.argv = [os.path.join(HERE, '_startup_child.py'),
                    json.dumps(start)]
        # run_path returns a copy: patch the functions' own globals.
        startup = runpy.run_path(sys.argv[0],
                                 run_name='startup_child')['main'].__globals__
        configure = startup['configure']

        def configure_then_reduce():
            # Importing the package imports nova's driver, which binds
            # the configuration: only once it is parsed.
            conf = configure()
            if reduce:
                reduced_connect(folder)
            return conf
        startup['configure'] = configure_then_reduce
        startup['main']()
        return None
    sim = None
    if args.url:
        host, port = args.url.split('//')[1].split('/')[0].rsplit(':', 1)
        target = dict(host=host, port=int(port), user='admin',
                      password='secret', ca_file=None, scheme='http')
    else:
        import _common
        sim = _common.start_simulator(clusters=1, hosts=1, vms=1)
        target = dict(host=sim.host, port=sim.port, user=sim.username,
                      password=sim.password, ca_file=sim.ca_file,
                      scheme='https')
    try:
        if args.prove:
            sys.path.insert(0, REPO)
            return prove(target)
        from nova.virt.vmwareapi.ownership.vsphere import vcenter
        session = vcenter.connect(vcenter.Endpoint(
            target['host'], target['port'], target['user'],
            target['password'], ca_file=target['ca_file'],
            scheme=target['scheme']), 30)
        target['cluster'] = vcenter.moref_value(
            vcenter.find_cluster(session, 'DC0_C0'))
        session.logout()
        target['attribute'] = 'bench.reduced'
        measure(target, args.repeat)
    finally:
        if sim is not None:
            sim.cleanUp()


if __name__ == '__main__':
    sys.exit(main())
