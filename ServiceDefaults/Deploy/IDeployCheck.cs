using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace ServiceDefaults.Deploy;

/// <summary>What a check inspects: the built service's effective options, its configuration and its environment.</summary>
public sealed record DeployCheckContext(IServiceProvider Services, IConfiguration Configuration, IHostEnvironment Environment);

/// <summary>One area of the deploy audit; registered in DI so a service can add checks of its own.</summary>
public interface IDeployCheck
{
    IEnumerable<DeployFinding> Check(DeployCheckContext context);
}
