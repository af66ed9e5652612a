"""The adversarial suite: attacks on the real release server over real sockets (127.0.0.1 only),
each bounded in time, with /healthz latency and the server's RSS measured while it runs.
Run it through scripts/adversarial."""
