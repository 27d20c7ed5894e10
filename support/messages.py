"""What the tests ask of every error: one printable line that says it."""

from suds.sax import text as suds_text

HOSTILE = '\n\r\t\x1b\x85\x9b\u202e\u2028\u200f'
"""Characters that forge lines or reorder what a terminal shows."""

FORGED = 'x\nVerdict:    owned by this host\r\u2028\u2029\u202a\u2066\u0085y'
"""A value that, printed raw, forges a ``Verdict:`` line of ``show``."""


def vim_text(value):
    """``value`` as vCenter's answers carry it: a ``suds.sax.text.Text``.

    A ``str`` whose ``repr()`` is the raw text, control characters and
    all.
    """
    return suds_text.Text(value)


class MessageAssertions:
    """Assertions on errors, for a ``TestCase``."""

    def assertSays(self, error, *parts):
        """``error``'s message is one line holding each of ``parts``."""
        for part in parts:
            self.assertIn(part, str(error))
        self.assertEqual(str(error), error.message)
        self.assertNotIn('\n', str(error))

    def assertKinds(self, kinds, base):
        """Each class of ``kinds`` is a ``base``."""
        for kind in kinds:
            with self.subTest(kind=kind.__name__):
                self.assertTrue(issubclass(kind, base))
