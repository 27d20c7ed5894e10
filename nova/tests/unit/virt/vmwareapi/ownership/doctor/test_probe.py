"""The fencing probe against the in-memory vCenter, faithful or not."""

from oslotest import base

from nova.virt.vmwareapi.ownership.doctor import checks
from nova.virt.vmwareapi.ownership.doctor import probe
from nova.virt.vmwareapi.ownership import exceptions
from support import fakes

SCRATCH = 'openstack.nova.owner.doctor.0a1b2c3d'


class ProbeTestCase(base.BaseTestCase):

    def run_probe(self, **vcenter):
        self.vcenter = fakes.FakeVCenter(**vcenter)
        self.store = fakes.FakeStore(self.vcenter, attribute=SCRATCH)
        result = probe.run(self.store)
        # Nothing left behind, whatever it found.
        self.assertEqual({}, self.vcenter.definitions)
        self.assertEqual({}, self.vcenter.values)
        return result, {c.name: c for c in probe.verdicts(result)}

    def assertOnly(self, failed, found):
        self.assertEqual(failed, [name for name, check in found.items()
                                  if check.verdict is not checks.Verdict.OK])

    def test_a_faithful_vcenter(self):
        result, found = self.run_probe()
        # Key 0 is a key: the fake, like the simulator, hands it out first.
        self.assertEqual((0, 1, 2, 3), result.keys)
        self.assertEqual((True, True, True, 'InvalidArgument',
                          'InvalidArgument', False, ()),
                         (result.read_back, result.removed,
                          result.duplicate_refused, result.removed_again,
                          result.late_refused, result.late_landed,
                          result.reused))
        self.assertOnly([], found)
        self.assertEqual(5, len(found))

    def test_native_faults_are_refusals_too(self):
        result, found = self.run_probe(native_faults=True)
        self.assertEqual('NotFound', result.removed_again)
        self.assertOnly([], found)
        self.assertIn('both mean the same', found[
            'fencing: a key is removed once'].detail)

    def test_a_key_handed_out_again_fails(self):
        result, found = self.run_probe(reuse_removed_keys=True)
        self.assertEqual((0, 0, 0), result.reused)
        self.assertOnly(['fencing: no key is handed out twice'], found)
        self.assertIn('keep [vmware_ownership] mode = audit', found[
            'fencing: no key is handed out twice'].fix)

    def test_a_write_through_a_removed_key_accepted_fails(self):
        result, found = self.run_probe(accept_stale_setfield=True)
        self.assertIsNone(result.late_refused)
        self.assertOnly(['fencing: a write through a removed key is '
                         'refused'], found)

    def test_what_it_made_is_removed_when_it_fails_midway(self):
        self.vcenter = fakes.FakeVCenter()
        store = fakes.FakeStore(self.vcenter, attribute=SCRATCH)

        def unreachable():
            raise exceptions.VCenterError('vCenter stopped answering')
        store.hooks[('remove_lease', 1)] = unreachable
        self.assertRaises(exceptions.VCenterError, probe.run, store)
        self.assertEqual({}, self.vcenter.definitions)

    def test_verdicts_of_a_vcenter_that_breaks_everything(self):
        found = {c.name: c for c in probe.verdicts(probe.Result(
            keys=(5, 6, 5), read_back=False, removed=False,
            duplicate_refused=False, removed_again=None, late_refused=None,
            late_landed=True, reused=(5,)))}
        self.assertEqual({checks.Verdict.FAIL},
                         {c.verdict for c in found.values()})
        self.assertIn('and it landed', found[
            'fencing: a write through a removed key is refused'].detail)
        self.assertIn('key(s) 5 handed out again (in order: 5, 6, 5)',
                      found['fencing: no key is handed out twice'].detail)
