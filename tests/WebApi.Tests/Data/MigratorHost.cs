using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WebApi.Data;

namespace WebApi.Tests.Data;

/// <summary>What <c>WebApi migrate</c> resolves: the database, the key ring, Identity's store settings.</summary>
internal static class MigratorHost
{
    /// <param name="demoData">Seed the demo data, as the AppHost's local run does (<c>Seed:DemoData</c>).</param>
    public static IHost Build(string connectionString, ILoggerProvider? logs = null, bool demoData = false)
    {
        var builder = Host.CreateApplicationBuilder();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Configuration["ConnectionStrings:" + DatabaseExtensions.ConnectionName] = connectionString;
        builder.Configuration["Seed:DemoData"] = demoData ? "true" : "false";
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddReadinessDatabase();
        builder.AddDataProtectionKeyStore();
        builder.Services.Configure<IdentityOptions>(identity => IdentityStoreDefaults.Apply(identity.Stores));
        return builder.Build();
    }
}

/// <summary>One logged message.</summary>
internal readonly record struct LoggedMessage(string Category, LogLevel Level, string Message);

/// <summary>Every message logged, with its category and level, in order.</summary>
internal sealed class MessageCollector : ILoggerProvider
{
    private readonly List<LoggedMessage> _messages = [];
    private readonly List<(Func<LoggedMessage, bool> Match, TaskCompletionSource Seen)> _waiters = [];

    public IReadOnlyList<LoggedMessage> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Completes once a message matching <paramref name="match"/> has been logged, before or after the call.</summary>
    public Task WaitForAsync(Func<LoggedMessage, bool> match, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_messages)
        {
            if (_messages.Any(match))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((match, seen));
        }

        return seen.Task.WaitAsync(timeout);
    }

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LoggedMessage message)
    {
        lock (_messages)
        {
            _messages.Add(message);
            foreach (var waiter in _waiters.Where(w => w.Match(message)))
            {
                waiter.Seen.TrySetResult();
            }
        }
    }

    private sealed class Collector(MessageCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new LoggedMessage(category, logLevel, formatter(state, exception)));
    }
}
