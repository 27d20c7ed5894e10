"""A session to one vCenter: oslo.vmware's, built by us, bounded.

``Session`` is oslo.vmware's ``VMwareAPISession`` (its login, session
check, logout and TLS handling) with three differences, each a bound:

- its VIM client is built here on the reduced WSDL shipped with the
  package (``wsdl.reduced``), with the check that refuses an answer
  naming a type it lacks: nothing is downloaded from vCenter, and the
  client takes a few MiB instead of vCenter's whole schema;
- its transport is ``transport.Transport``: every request (the login's
  too) ends within ``timeout`` seconds, whatever the server sends or
  withholds;
- its login is tried ``LOGIN_ATTEMPTS`` times when the connection is
  refused or reset, never after a request that ran out of time, and all
  attempts end within ``LOGIN_REQUESTS`` timeouts (oslo.vmware retries a
  failed connection forever, 10 to 60 seconds apart).
"""

import threading

from oslo_vmware import api
from oslo_vmware import exceptions as vexc
from oslo_vmware import vim as vim_mod
import requests

from nova.virt.vmwareapi.ownership import clock as clock_mod
from nova.virt.vmwareapi.ownership.vsphere import transport
from nova.virt.vmwareapi.ownership.vsphere.wsdl import reduced

LOGIN_ATTEMPTS = 3
"""Login attempts on refused or reset connections before giving up."""

LOGIN_RETRY_DELAY = 1.0
"""Seconds between two login attempts."""

LOGIN_REQUESTS = 2
"""The requests of a login (the ServiceContent, Login): all its attempts
end within this many ``timeout``."""

POOL_SIZE = 10
"""Connections kept open to vCenter (oslo.vmware's default)."""


class Session(api.VMwareAPISession):
    """oslo.vmware's session to one ``Endpoint``, not logged in yet.

    ``log_in`` logs in; nothing is sent before.

    :param endpoint: a ``vcenter.Endpoint``
    :param timeout: seconds each request may take, from connecting to the
                    last byte of the answer
    :param clock: a ``clock.Clock`` (the login's waits)
    :ivar endpoint: the ``Endpoint``
    :ivar timeout: the seconds of each request
    """

    def __init__(self, endpoint, timeout, clock=clock_mod.SYSTEM):
        self.endpoint = endpoint
        self.timeout = timeout
        self._clock = clock
        self._login_lock = threading.Lock()
        # api_retry_count 0: nothing here calls invoke_api (see
        # vcenter._call); if anything did, it would repeat nothing behind
        # the caller's back.
        super().__init__(
            endpoint.host, endpoint.username, endpoint.password, 0,
            0.5, scheme=endpoint.scheme, port=endpoint.port,
            cacert=endpoint.ca_file, insecure=endpoint.insecure,
            pool_size=POOL_SIZE, connection_timeout=timeout,
            wsdl_loc=reduced.WSDL_URL, create_session=False)

    @property
    def vim(self):
        """The VIM client (``oslo_vmware.vim.Vim``), built on first use."""
        if self._vim is None:
            self._vim = self.make_vim()
        return self._vim

    def make_vim(self):
        """oslo.vmware's ``Vim`` on the reduced WSDL, checked and bounded."""
        endpoint = self.endpoint
        vim = vim_mod.Vim(protocol=endpoint.scheme, host=endpoint.host,
                          port=endpoint.port, wsdl_url=reduced.WSDL_URL,
                          cacert=endpoint.ca_file,
                          insecure=endpoint.insecure)
        self.bound(vim)
        reduced.check_types(vim.client)
        return vim

    def bound(self, vim):
        """Give ``vim`` this session's transport: each request within
        ``timeout``.
        """
        vim.client.set_options(transport=transport.Transport(
            self.timeout, cacert=self.endpoint.ca_file,
            insecure=self.endpoint.insecure, pool_maxsize=POOL_SIZE))

    def log_in(self):
        """Log in (see the module docstring for its bounds).

        :raises: oslo.vmware's exceptions (``vsphere.faults`` translates)
        """
        self._create_session()

    @property
    def key(self):
        """This session's id (``UserSession.key``), as vCenter knows it."""
        return self._session_id

    def login_again(self):
        """Log in again unless the session is still active.

        :returns: True when it logged in again
        """
        before = self._session_id
        self._create_session()
        return self._session_id != before

    def _login_once(self):
        """One login attempt, as oslo.vmware's own login makes it.

        oslo.vmware's ``_create_session`` wraps the same steps in a retry
        that never gives up (and, before oslo.vmware 4.9, offers no way to
        call them without it), so they are made here: nothing when the
        session is still active, else ``Login`` with the endpoint's
        credentials, keeping the session id and the user name vCenter
        answers (``SessionIsActive`` needs that exact name).
        """
        with self._login_lock:
            if self._session_id and self.is_current_session_active():
                return
            session = self.vim.Login(self.vim.service_content.sessionManager,
                                     userName=self.endpoint.username,
                                     password=self.endpoint.password,
                                     locale='en')
            self._session_id = session.key
            self._session_username = session.userName

    def _create_session(self):
        started = self._clock.now()
        budget = LOGIN_REQUESTS * self.timeout
        with transport.within(budget):
            for attempt in range(1, LOGIN_ATTEMPTS + 1):
                try:
                    return self._login_once()
                except vexc.VimConnectionException as exc:
                    # A vCenter that stayed silent for a whole timeout is
                    # not asked again: that would multiply the wait an
                    # operator sees; a refused or reset connection is,
                    # while the login's time lasts.
                    left = started + budget - self._clock.now()
                    if attempt == LOGIN_ATTEMPTS or isinstance(
                            exc.cause, requests.exceptions.Timeout) or \
                            left <= LOGIN_RETRY_DELAY:
                        raise
                    self._clock.sleep(LOGIN_RETRY_DELAY)
