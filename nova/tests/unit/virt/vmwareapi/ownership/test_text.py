"""Text for the operator: escaped values, the quoted command lines."""

from oslotest import base

from nova.virt.vmwareapi.ownership import text as text_mod
from support import messages


class PrintableTestCase(base.BaseTestCase):

    def test_controls_and_format_characters_are_escaped(self):
        text = text_mod.printable('a' + messages.HOSTILE + 'b')
        self.assertTrue(text.isprintable())
        self.assertTrue(text.startswith('a') and text.endswith('b'))
        for escape in ('\\n', '\\r', '\\t', '\\x1b', '\\x85', '\\x9b',
                       '\\u202e', '\\u2028', '\\u200f'):
            with self.subTest(escape=escape):
                self.assertIn(escape, text)

    def test_printable_text_is_kept(self):
        for text in ('compute-a', 'caf\u00e9 \u2603 \U0001f600', 'a\\nb',
                     ''):
            with self.subTest(text=text):
                self.assertEqual(text, text_mod.printable(text))

    def test_any_value(self):
        self.assertEqual('None', text_mod.printable(None))
        self.assertEqual('42', text_mod.printable(42))
        self.assertEqual("('a', 1)", text_mod.printable(('a', 1)))
        self.assertEqual('\\udc80', text_mod.printable('\udc80'))


class VimTextTestCase(base.BaseTestCase):
    """Values as vCenter's answers carry them: ``suds.sax.text.Text``.

    Its ``repr()`` is the raw text.
    """

    ESCAPES = ('\\n', '\\r', '\\u2028', '\\u2029', '\\u202a', '\\u2066',
               '\\x85')

    def test_printable(self):
        text = text_mod.printable(messages.vim_text(messages.FORGED))
        self.assertIs(str, type(text))
        self.assertTrue(text.isprintable(), text)
        for escape in self.ESCAPES:
            with self.subTest(escape=escape):
                self.assertIn(escape, text)

    def test_shorten(self):
        for raw in (messages.FORGED, 'x' * 300 + messages.FORGED):
            with self.subTest(length=len(raw)):
                text = text_mod.shorten(messages.vim_text(raw))
                self.assertTrue(text.isprintable(), text)
        text = text_mod.shorten(messages.vim_text(messages.FORGED))
        for escape in self.ESCAPES:
            with self.subTest(escape=escape):
                self.assertIn(escape, text)

    def test_every_kind_of_character_that_forges_or_reorders(self):
        kinds = ([chr(c) for c in range(0x20)] + ['\x7f'] +
                 [chr(c) for c in range(0x80, 0xa0)] +
                 ['\u2028', '\u2029'] +
                 [chr(c) for c in range(0x202a, 0x202f)] +
                 [chr(c) for c in range(0x2066, 0x206a)])
        for char in kinds:
            with self.subTest(char=hex(ord(char))):
                for text in (text_mod.printable(messages.vim_text(char)),
                             text_mod.shorten(messages.vim_text(char))):
                    self.assertNotIn(char, text)
                    self.assertTrue(text.isprintable())


class ShortenTestCase(base.BaseTestCase):

    def test_shorten(self):
        self.assertEqual('None', text_mod.shorten(None))
        self.assertEqual("'abc'", text_mod.shorten('abc'))
        long_text = 'x' * 70000
        short = text_mod.shorten(long_text)
        self.assertTrue(short.startswith("'" + 'x' * 200 + "...'"))
        self.assertIn('(70000 characters)', short)
        self.assertLess(len(short), 260)
        self.assertEqual("'a\\nb'", text_mod.shorten('a\nb'))


class RehomeCommandTestCase(base.BaseTestCase):

    def test_with_config_files(self):
        self.assertEqual(
            'nova-vmware-owner --config-file /etc/nova/nova.conf rehome '
            '--from a --to b',
            text_mod.rehome_command('a', 'b',
                                    ['/etc/nova/nova.conf']))

    def test_without(self):
        self.assertEqual('nova-vmware-owner rehome --from a --to b',
                         text_mod.rehome_command('a', 'b'))
