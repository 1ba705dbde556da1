using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>
/// Follows Aspire's resource notifications on a background task, from just before the application starts its
/// resources until the AppHost's services are disposed. Aspire raises no event per state change; this is the one
/// place that turns the notification stream into calls.
/// </summary>
internal abstract class ResourceEventFollower(ResourceNotificationService notifications) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _following = Task.CompletedTask;

    /// <summary>Aspire's resource notifications.</summary>
    protected ResourceNotificationService Notifications { get; } = notifications;

    /// <summary>Registers <typeparamref name="TFollower"/> once, and starts it on <see cref="BeforeStartEvent"/>.</summary>
    public static void AddTo<TFollower>(IDistributedApplicationBuilder builder)
        where TFollower : ResourceEventFollower
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(TFollower)))
        {
            return;
        }

        builder.Services.AddSingleton<TFollower>();
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<TFollower>().Start();
            return Task.CompletedTask;
        });
    }

    /// <summary>Starts following the notifications on a task of its own; once.</summary>
    internal void Start() => _following = Task.Run(() => FollowAsync(_stopping.Token), CancellationToken.None);

    /// <summary>Called for each change, one at a time, in order.</summary>
    protected abstract Task OnChangeAsync(ResourceEvent change, CancellationToken cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _following;
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in Notifications.WatchAsync(cancellationToken))
            {
                await OnChangeAsync(change, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
