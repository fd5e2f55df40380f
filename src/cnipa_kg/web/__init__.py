"""The HTTP app: SPARQL 1.1 Protocol endpoint, dereferenceable linked data and pages, over a
release directory. Imports nothing of the pipeline (extract, graph, check, release).

:func:`~cnipa_kg.web.app.create_app` returns a Starlette app that another Starlette/FastAPI app
can mount.
"""
