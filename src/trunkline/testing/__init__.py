"""Testing an application against Trunkline: the ``trunkline`` pytest fixture (``pytest_plugin``,
registered as the ``pytest11`` entry point ``trunkline``), the in-process sandbox server it starts
(``sandbox``) and the status-callback receiver it hands a test (``receiver``).

This package ships with the server because it runs one; the application under test talks to it only
through the SDK (``trunkline_client``) and HTTP, as it would talk to Exotel. Nothing here is imported
until pytest loads the plugin, and the plugin imports the server only when a test asks for the
fixture, so having the server installed costs other test suites nothing.
"""
