using ReadinessAspire.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var postgresPassword = builder.AddParameter("postgres-password", secret: true);
var cachePassword = builder.AddParameter("cache-password", secret: true);
var allowedHosts = builder.AddParameter("allowed-hosts", "localhost;127.0.0.1", publishValueAsDefault: true);
var trustedProxies = builder.AddParameter("trusted-proxy-networks", "127.0.0.1/32", publishValueAsDefault: true);

var postgres = builder.AddPostgres("postgres", password: postgresPassword).WithDataVolume();
var readinessDb = postgres.AddDatabase("readiness");

var cache = builder.AddRedis("cache", password: cachePassword);

var migrator = builder.AddProject<Projects.WebApi>("migrator")
    .WithArgs("migrate")
    .WithReference(readinessDb)
    .WaitFor(readinessDb);

var webApi = builder.AddProject<Projects.WebApi>("webapi")
    .WithReplicas(2)
    .WithReference(readinessDb)
    .WithReference(cache)
    .WaitFor(readinessDb)
    .WaitFor(cache)
    .WaitForCompletion(migrator)
    .WithEnvironment("AllowedHosts", allowedHosts)
    .WithEnvironment("ForwardedHeaders__KnownNetworks", trustedProxies)
    .WithHttpHealthCheck("/health/ready");

var staticHost = builder.AddProject<Projects.StaticHost>("static")
    .WithEnvironment("AllowedHosts", allowedHosts)
    .WithEnvironment("ForwardedHeaders__KnownNetworks", trustedProxies)
    .WithHttpHealthCheck("/health/ready");

var proxy = builder.AddNginx("proxy", "../Proxy")
    .WithEndpoint(port: 8080, targetPort: 8080, scheme: "http", name: "http", isExternal: true)
    .WithHttpsEndpoint(port: 8443, targetPort: 8443)
    .WithUpstream(webApi)
    .WithUpstream(staticHost)
    .WaitFor(webApi)
    .WaitFor(staticHost);

var proxyExporter = builder.AddNginxExporter("proxy-exporter", proxy);
var cacheExporter = builder.AddRedisExporter("cache-exporter", cache);
var postgresExporter = builder.AddPostgresExporter("postgres-exporter", postgres);

builder.AddPrometheus("prometheus")
    .WithHttpEndpoint(port: 9090)
    .WithAlertRules("../Monitoring/alert-rules.yml")
    .WithScrapeTarget(webApi)
    .WithScrapeTarget(staticHost)
    .WithScrapeTarget(proxyExporter)
    .WithScrapeTarget(cacheExporter)
    .WithScrapeTarget(postgresExporter);

builder.Build().Run();
