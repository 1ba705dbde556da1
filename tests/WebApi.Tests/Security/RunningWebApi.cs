namespace WebApi.Tests.Security;

/// <summary>
/// One real WebApi in Production with good settings, shared by a test class. PostgreSQL and Redis are named on
/// closed ports, so every database read fails: the crash path, without starting servers.
/// </summary>
public sealed class RunningWebApi : IAsyncLifetime, IDisposable
{
    private readonly ProductionSettings _settings = new();

    internal WebApiProcess Process { get; private set; } = null!;

    internal ProductionSettings Settings => _settings;

    public async Task InitializeAsync() => Process = await WebApiProcess.StartAsync(_settings.Good());

    public async Task DisposeAsync() => await Process.DisposeAsync();

    public void Dispose() => _settings.Dispose();
}
