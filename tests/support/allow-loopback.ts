// Imported first by suites whose real parts (test registry, kube test server, fake ECR) listen on
// loopback: the egress policy refuses loopback unless an operator allows it, as here.
process.env.EGRESS_ALLOWED_NETWORKS = "127.0.0.0/8,::1/128";
