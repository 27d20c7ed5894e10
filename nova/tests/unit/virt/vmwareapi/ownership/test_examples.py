"""The deployment examples of doc/source/examples, read as their tools would.

What can be checked here without Kubernetes or Prometheus: the manifests
are YAML with the keys that matter (two replicas, a rolling update that
starts the new pod first, no probe that stalls a standby, hostNetwork or
not), the nova.conf they carry passes this package's own validation, and
every series the alerting rules and the examples name is one the code
exports. ``tools/check-examples`` (tox -e docs) runs promtool and
systemd-analyze on them.
"""

import configparser
import os
import re
import shlex

import certifi
import fixtures
from oslo_config import cfg
from oslotest import base
from prometheus_client import exposition
from prometheus_client import parser
import yaml

from nova.virt.vmwareapi.ownership.cli import serve
from nova.virt.vmwareapi.ownership.fleet import metrics
from nova.virt.vmwareapi.ownership.fleet import readings
from nova.virt.vmwareapi.ownership import opts
from nova.virt.vmwareapi.ownership.vsphere import vmware_opts
import support
from support import sample_fleet as samples

EXAMPLES = os.path.join(support.REPO_ROOT, 'doc', 'source', 'examples')
COMPUTE = ('nova-compute-deployment.yaml',
           'nova-compute-deployment-hostnetwork.yaml')


def load(*path):
    with open(os.path.join(EXAMPLES, *path)) as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def text(*path):
    with open(os.path.join(EXAMPLES, *path)) as f:
        return f.read()


def exported_names():
    """Every series name the exporter serves (with --nova)."""
    status = readings.Status(
        document=samples.document(), up=True, errors={}, reading_age=1.0,
        reading_seconds=1.0, renewal_ages={'domain-c7': 1.0},
        lease_duration=180, interval=60)
    served = exposition.generate_latest(metrics.registry(
        metrics.ExporterCollector(lambda: status))).decode('utf-8')
    return {sample.name for family in
            parser.text_string_to_metric_families(served)
            for sample in family.samples}


class KubernetesTestCase(base.BaseTestCase):

    def deployment(self, name):
        (found,) = load('kubernetes', name)
        self.assertEqual(('apps/v1', 'Deployment'),
                         (found['apiVersion'], found['kind']))
        return found

    def test_nova_compute_two_pods_new_one_first(self):
        for name in COMPUTE:
            with self.subTest(name=name):
                spec = self.deployment(name)['spec']
                self.assertEqual(2, spec['replicas'])
                self.assertEqual(
                    {'type': 'RollingUpdate',
                     'rollingUpdate': {'maxSurge': 1, 'maxUnavailable': 0}},
                    spec['strategy'])
                pod = spec['template']['spec']
                self.assertEqual(spec['selector']['matchLabels'],
                                 spec['template']['metadata']['labels'])
                # Longer than nova's graceful_shutdown_timeout (180 s).
                self.assertGreater(pod['terminationGracePeriodSeconds'],
                                   180)
                (container,) = pod['containers']
                self.assertEqual(['nova-compute', '--config-file',
                                  '/etc/nova/nova.conf'],
                                 container['command'])
                # A standby must count as Ready: no probe of the service.
                for probe in ('readinessProbe', 'livenessProbe',
                              'startupProbe'):
                    self.assertNotIn(probe, container)
                mounts = {m['mountPath']: m for m in container['volumeMounts']}
                self.assertEqual('nova.conf',
                                 mounts['/etc/nova/nova.conf']['subPath'])
                (volume,) = pod['volumes']
                self.assertIn('secretName', volume['secret'])

    def test_with_and_without_host_network(self):
        plain, host = (self.deployment(name)['spec']['template']['spec']
                       for name in COMPUTE)
        self.assertNotIn('hostNetwork', plain)
        self.assertEqual((True, 'ClusterFirstWithHostNet'),
                         (host['hostNetwork'], host['dnsPolicy']))

    def test_the_secret_holds_a_valid_nova_conf(self):
        (secret,) = load('kubernetes', 'nova-conf-secret.yaml')
        self.assertEqual(('v1', 'Secret'),
                         (secret['apiVersion'], secret['kind']))
        (deployment,) = load('kubernetes', COMPUTE[0])
        self.assertEqual(
            secret['metadata']['name'],
            deployment['spec']['template']['spec']['volumes'][0]['secret']
            ['secretName'])
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'nova.conf')
        with open(path, 'w') as f:
            f.write(secret['stringData']['nova.conf'])
        raw = configparser.ConfigParser()
        raw.read(path)
        self.assertEqual('vmwareapi.ownership.driver.VMwareVCDriver',
                         raw['DEFAULT']['compute_driver'])
        self.assertTrue(raw['DEFAULT']['host'])
        conf = cfg.ConfigOpts()
        vmware_opts.register_nova_opts(conf)
        opts.register_opts(conf)
        conf(['--config-file', path], project='nova')
        self.assertEqual(opts.Settings(), opts.settings(conf.vmware_ownership))
        # The CA file is mounted from the same Secret, beside nova.conf:
        # a placeholder for the operator's PEM, which the command reads
        # before connecting; a real bundle (certifi's) stands in for it.
        placeholder = secret['stringData'][os.path.basename(
            conf.vmware.ca_file)]
        self.assertTrue(placeholder.startswith('-----BEGIN CERTIFICATE-----'))
        self.assertIn('-----END CERTIFICATE-----', placeholder)
        conf.set_override('ca_file', certifi.where(), 'vmware')
        self.addCleanup(conf.clear_override, 'ca_file', 'vmware')
        self.assertEqual('vcenter.example.com',
                         vmware_opts.endpoint(conf).host)

    def test_the_exporter_and_its_service(self):
        deployment, service = load('kubernetes', 'exporter.yaml')
        pod = deployment['spec']['template']['spec']
        (container,) = pod['containers']
        command = container['command']
        self.assertEqual(['nova-vmware-owner', '--config-file',
                          '/etc/nova/nova.conf', 'list', '--serve'],
                         command[:5])
        host, port = serve.parse_address(command[5])
        (exposed,) = container['ports']
        self.assertEqual(('metrics', port),
                         (exposed['name'], exposed['containerPort']))
        for probe in ('readinessProbe', 'livenessProbe'):
            self.assertEqual({'path': '/metrics', 'port': 'metrics'},
                             container[probe]['httpGet'])
        self.assertEqual('Service', service['kind'])
        self.assertEqual(deployment['spec']['selector']['matchLabels'],
                         service['spec']['selector'])
        (service_port,) = service['spec']['ports']
        self.assertEqual(('metrics', 'metrics'),
                         (service_port['name'], service_port['targetPort']))
        (job,) = load('kubernetes', 'scrape-config.yaml')[0][
            'scrape_configs']
        keep = {tuple(rule['source_labels']): rule['regex']
                for rule in job['relabel_configs']}
        self.assertEqual(
            {('__meta_kubernetes_service_name',): service['metadata']['name'],
             ('__meta_kubernetes_endpoint_port_name',): 'metrics'}, keep)


class PrometheusTestCase(base.BaseTestCase):

    def test_rules_name_only_exported_series(self):
        exported = exported_names()
        for name in ('nova-vmware-owner.rules.yaml',
                     'nova-vmware-owner.rules.test.yaml'):
            with self.subTest(name=name):
                named = set(re.findall(r'nova_vmware_owner_\w+',
                                       text('prometheus', name)))
                self.assertTrue(named)
                self.assertEqual(set(), named - exported)

    def test_every_alert_has_a_test(self):
        (group,) = load('prometheus', 'nova-vmware-owner.rules.yaml')[0][
            'groups']
        alerts = {rule['alert'] for rule in group['rules']}
        tests = load('prometheus', 'nova-vmware-owner.rules.test.yaml')[0]
        tested = {case['alertname'] for test in tests['tests']
                  for case in test['alert_rule_test']
                  if case['exp_alerts']}
        self.assertEqual(alerts, tested)

    def test_systemd_unit_and_scrape_target_agree(self):
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.read_string(text('systemd',
                              'nova-vmware-owner-exporter.service'))
        argv = shlex.split(unit['Service']['ExecStart'])
        self.assertEqual(['/usr/bin/nova-vmware-owner', '--config-file',
                          '/etc/nova/nova.conf', 'list', '--serve'], argv[:5])
        _host, port = serve.parse_address(argv[5])
        config = load('prometheus', 'prometheus.yml')[0]
        (job,) = config['scrape_configs']
        (target,) = job['static_configs'][0]['targets']
        self.assertEqual(port, int(target.rsplit(':', 1)[1]))
        self.assertEqual(['nova-vmware-owner.rules.yaml'],
                         config['rule_files'])
