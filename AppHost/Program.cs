using ReadinessAspire.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var postgresPassword = builder.AddParameter("postgres-password", secret: true);
var cachePassword = builder.AddParameter("cache-password", secret: true);

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
    .WithHttpHealthCheck("/health/ready");

var staticHost = builder.AddProject<Projects.StaticHost>("static")
    .WithHttpHealthCheck("/health/ready");

builder.AddNginx("proxy", "../Proxy")
    .WithHttpEndpoint(port: 8080, targetPort: 8080)
    .WithHttpsEndpoint(port: 8443, targetPort: 8443)
    .WithUpstream(webApi)
    .WithUpstream(staticHost)
    .WaitFor(webApi)
    .WaitFor(staticHost)
    .WithExternalHttpEndpoints();

builder.Build().Run();
