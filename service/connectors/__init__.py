"""Store systems (orders, shipments, invoices, appointments, actions) behind one small typed interface.

:mod:`service.connectors.base` defines the interface and shapes; ``files`` serves a folder of JSON files
(the demo store and the benchmark), ``http`` talks to a store's own service over the documented contract
(``docs/connector-openapi.json``), ``contract`` is that contract as a FastAPI app over any connector.
"""
