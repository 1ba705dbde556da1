// The ASP.NET Core developer certificate serves DCP's API server only; no resource uses it (the proxy's TLS comes from the
// AppHost's own CA), so Aspire does not add it to every process's trust.
var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = args, TrustDeveloperCertificate = false })
    .AddConsoleStatus()
    .AddStartupHealthPolling();

var allowedHosts = builder.AddParameter("allowed-hosts", "localhost;127.0.0.1", publishValueAsDefault: true);
var trustedProxies = builder.AddParameter("trusted-proxy-networks", "127.0.0.1/32", publishValueAsDefault: true);

// Data
var postgres = builder.AddPostgresServer("postgres");
var readinessDb = postgres.AddPostgresDatabase("readiness");
var cache = builder.AddRedisServer("cache");
var evidence = builder.AddBlobStorage("evidence");

// Services
var migrator = builder.AddProject<Projects.WebApi>("migrator")
    .WithArgs("migrate")
    .WithServiceEnvironment()
    .WithDataProtectionCertificate()
    // Started beside PostgreSQL, not once it is healthy: it waits for the server (and creates the database) itself.
    .WithReference(readinessDb);

var webApi = builder.AddProject<Projects.WebApi>("webapi")
    .WithReplicas(2)
    .WithServiceEndpoints()
    .WithReference(readinessDb)
    .WithReference(cache)
    .WithReference(evidence)
    .WithEnvironment("AllowedHosts", allowedHosts)
    .WithEnvironment("ForwardedHeaders__KnownNetworks", trustedProxies)
    .WithDataProtectionCertificate()
    .WithReplicaHealthCheck("/health/ready")
    .WithRestartOnFailure()
    .WithDeployCheck()
    // Not for the cache or the evidence store: without them a replica is Degraded and serves from PostgreSQL.
    .WaitFor(readinessDb)
    .WaitForSchema(migrator);

var backup = builder.AddProject<Projects.Backup>("backup")
    .WithServiceEndpoints()
    .WithReference(readinessDb)
    .WithReference(evidence)
    .WithEnvironment("AllowedHosts", allowedHosts)
    .WithReplicaHealthCheck("/health/ready")
    .WithRestartOnFailure()
    .WaitFor(evidence)
    .WaitForMigration(migrator);

var staticHost = builder.AddProject<Projects.StaticHost>("static")
    .WithServiceEndpoints()
    .WithEnvironment("AllowedHosts", allowedHosts)
    .WithEnvironment("ForwardedHeaders__KnownNetworks", trustedProxies)
    .WithReplicaHealthCheck("/health/ready")
    .WithRestartOnFailure()
    .WithDeployCheck();

// Reverse proxy
var proxy = builder.AddNginx("proxy", "../Proxy")
    .WithUpstream(webApi)
    .WithUpstream(staticHost)
    .WaitFor(webApi)
    .WaitFor(staticHost);

// Monitoring
var proxyExporter = builder.AddNginxExporter("proxy-exporter", proxy);
var cacheExporter = builder.AddRedisExporter("cache-exporter", cache);
var postgresExporter = builder.AddPostgresExporter("postgres-exporter", postgres);

builder.AddPrometheus("prometheus", port: 9090)
    .WithAlertRules("../Monitoring/alert-rules.yml")
    .WithScrapeTarget(webApi)
    .WithScrapeTarget(staticHost)
    .WithScrapeTarget(backup)
    .WithScrapeTarget(proxyExporter)
    .WithScrapeTarget(cacheExporter)
    .WithScrapeTarget(postgresExporter);

builder.Build().Run();
